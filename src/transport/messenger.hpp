/// @file transport/messenger.hpp
/// @brief Control messages and RMA gets between ranks, over UCX, driven by one progress thread.
///
/// A thread that sends while the progress thread is idle sends at once, sparing it a wake-up;
/// otherwise it queues the message, and the progress thread batches the messages queued for one
/// destination into one UCX active message. Gets go through the progress thread, which issues
/// them and polls the worker. When there has
/// been nothing to do for a moment (`spin`: long enough to catch the reply of a round trip,
/// short enough not to steal a core) it arms the worker and sleeps in epoll, so an idle rank
/// burns no CPU (these nodes are shared with the computation). Measured on this machine (perf/
/// control_latency): round trip 0.6 us polling, 40-58 us between sleeping processes.
#pragma once

#include "transport/batch_order.hpp"
#include "transport/peers.hpp"
#include "transport/ring_watch.hpp"
#include "transport/sender.hpp"
#include "transport/traffic_counters.hpp"
#include "transport/ucx_context.hpp"
#include "transport/wakeup.hpp"
#include "util/mutex.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace manta::transport {

/// @brief The job's Sender: control messages and RMA gets between ranks over UCX.
class Messenger final : public Sender {
 public:
  /// Called on the progress thread for each message, in the order its source sent them.
  using Handler = std::function<void(int source, std::span<const std::byte> message)>;
  /// Called on the progress thread when a get completes; empty error means success.
  using GetDone = std::function<void(const std::string& error)>;
  /// Called on the progress thread when a peer can no longer be trusted to take part: silent
  /// past the peer timeout (watch_ring), or sending bytes that are not a well-formed batch of
  /// its own (a bad peer, a version mismatch, a bit flip). `peer` is -1 when the bytes do not
  /// even name a rank of the job. What was received is dropped; the job cannot go on without
  /// the peer's messages, so the handler is expected to end it.
  using PeerFailure = std::function<void(int peer, const std::string& problem)>;

  /// Registers the message handler; nothing is delivered before start(). `local_store` is this
  /// rank's registered store region, the destination of gets. The progress thread polls for
  /// `spin` after its last piece of work before it sleeps.
  Messenger(const UcxContext& ucx, const RegisteredRegion& local_store, std::vector<PeerInfo> peers,
            int self, Handler handler, PeerFailure on_failure, std::chrono::microseconds spin);
  /// Starts the progress thread: from now on the handler runs. Call once, when everything the
  /// handler uses is ready.
  void start();
  /// Stops the progress thread (if started); close_endpoints() must have run on every rank first.
  ~Messenger();
  /// Stops the progress thread and waits for it: the handler runs no more. Idempotent.
  void stop();
  Messenger(const Messenger&) = delete;
  Messenger& operator=(const Messenger&) = delete;

  /// Sends `message` to `destination` from this thread while the progress thread sleeps, or
  /// queues it for that thread; returns at once either way. Messages from one rank to another
  /// are delivered in the order they were sent. Thread-safe.
  void send(int destination, std::vector<std::byte> message) override;

  /// Reads `local.size()` bytes at `remote_offset` of `source`'s store into `local` with one
  /// ucp_get_nbx: no intermediate buffer, no copy by the CPU on RDMA transports. `local` lies in
  /// this rank's store, or, when that is full, anywhere else mapped (a spill file, process
  /// memory: UCX then registers it for the get). `done` runs on the progress thread. Thread-safe.
  void get(int source, std::uint64_t remote_offset, std::span<std::byte> local, GetDone done);

  /// Why `size` bytes at `offset` are not all inside `peer`'s store (a location a message got
  /// wrong), or empty when they are. get() and readers of map_peer_store check with it.
  std::string outside_store(int peer, std::uint64_t offset, std::uint64_t size) const {
    return transport::outside_store(peers_, peer, offset, size);
  }

  /// Address of `peer`'s store mapped into this process (ucp_rkey_ptr), when `peer` shares this
  /// node's memory; null otherwise. Mapped once per peer, on first use. Thread-safe.
  const std::byte* map_peer_store(int peer);
  /// Counts an object read in place through map_peer_store.
  void count_mapped_read(std::uint64_t bytes) noexcept { counters_.mapped_read(bytes); }

  /// Liveness in a ring: this rank watches rank self+1 (mod size) and reports it, once, as a
  /// peer failure when nothing came from it for `timeout`; it keeps rank self-1, which watches
  /// it, hearing from it with an empty batch (a heartbeat) whenever it sent that rank nothing
  /// for a fifth of `timeout`. Any message counts, so a busy job sends no extra ones. The watch
  /// ends with close_endpoints(). Call before start(); no effect on one rank or a zero timeout.
  void watch_ring(std::chrono::duration<double> timeout);

  /// Flushes and closes every endpoint. Every rank calls it between two barriers, so that all
  /// are still progressing while the others flush. Messages sent afterwards are dropped: the
  /// job is quiet by then, and a new endpoint would outlive its worker.
  void close_endpoints();

  const std::vector<PeerInfo>& peers() const noexcept { return peers_; }
  int self() const noexcept { return self_; }
  TransportStats stats() const noexcept { return counters_.read(); }

 private:
  struct Header {
    std::int32_t source;
    std::uint32_t reserved;
    std::uint64_t sequence;
  };
  struct GetOperation {
    int source;
    std::uint64_t remote_offset;
    std::span<std::byte> local;
    GetDone done;
    Messenger* messenger = nullptr;
    std::chrono::steady_clock::time_point issued{};
  };
  /// Work the progress thread runs once, with UCX to itself (endpoint closing, mapping).
  using Chore = std::function<void()>;
  /// What other threads queue for the progress thread.
  struct Outbox {
    util::Mutex mutex;
    std::vector<std::pair<int, std::vector<std::byte>>> messages MANTA_GUARDED_BY(mutex);
    std::vector<GetOperation> gets MANTA_GUARDED_BY(mutex);
    std::vector<Chore> chores MANTA_GUARDED_BY(mutex);
  };
  /// This rank's link to one peer.
  struct PeerLink {
    // Guarded by send_mutex_. An annotation here cannot name the messenger's mutex: the
    // functions that use these require it instead (endpoint, rkey, flush_batch).
    ucp_ep_h endpoint = nullptr;
    ucp_rkey_h rkey = nullptr;
    std::uint64_t next_send_sequence = 0;
    // Touched by the progress thread only.
    BatchOrder order;
    bool failed = false;  ///< reported to on_failure_; its bytes are dropped
    /// 0 not mapped yet, 1 cannot be mapped, else the mapped address of its store.
    std::atomic<std::uintptr_t> mapped{0};
  };

  static ucs_status_t on_active_message(void* self, const void* header, std::size_t header_length,
                                        void* data, std::size_t length,
                                        const ucp_am_recv_param_t* param);
  void progress_loop();
  bool issue_queued() MANTA_REQUIRES(send_mutex_);
  /// Sends one batch; true when UCX still holds it (the worker must be progressed to finish).
  bool flush_batch(int destination, std::vector<std::byte>& batch) MANTA_REQUIRES(send_mutex_);
  void issue_get(GetOperation& operation) MANTA_REQUIRES(send_mutex_);
  /// Delivers batch `sequence` of `source` in its order (BatchOrder), or fails the peer.
  void accept(int source, std::uint64_t sequence, std::vector<std::byte> bytes);
  void fail_peer(int peer, const std::string& problem);
  void run_chore(Chore chore);
  /// Progress thread, awake: heartbeat to the watcher, silence check of the watched rank.
  void watch(std::chrono::steady_clock::time_point now) MANTA_REQUIRES(send_mutex_);
  ucp_ep_h endpoint(int peer) MANTA_REQUIRES(send_mutex_);
  ucp_rkey_h rkey(int peer) MANTA_REQUIRES(send_mutex_);
  /// Relaxed is enough: only the progress thread can find its own id in progress_thread_.
  bool on_progress_thread() const noexcept {
    return progress_thread_.load(std::memory_order_relaxed) == std::this_thread::get_id();
  }

  const ucp_worker_h worker_;
  const ucp_mem_h local_memory_;
  const std::span<const std::byte> local_store_;  ///< where local_memory_ registers
  const std::vector<PeerInfo> peers_;
  const int self_;
  const Handler handler_;
  const PeerFailure on_failure_;
  const std::chrono::microseconds spin_;

  /// Whoever holds it may use the UCX worker, endpoints and send sequence numbers: the progress
  /// thread whenever it is awake, or a thread that sends at once while it sleeps. Recursive
  /// because the handler, on the progress thread, may map a peer's store.
  /// Lock order: send_mutex_, the UCX worker's own lock, whatever the handler and the failure
  /// callback lock (they run under the first two; the checkpointer's mutex, for one), then
  /// outbox_.mutex, innermost. So a thread holding a mutex the handler takes must not call send()
  /// (which may enter UCX) or map_peer_store() (which waits for send_mutex_): the checkpointer
  /// sends with its mutex released.
  util::RecursiveMutex send_mutex_;
  bool closed_ MANTA_GUARDED_BY(send_mutex_) = false;  ///< endpoints are closed
  /// Per peer; the ring watch is set before start() and then used as its methods say.
  std::vector<PeerLink> links_;
  RingWatch watch_;
  Outbox outbox_;  ///< its mutex comes after everything above in the lock order
  Wakeup wakeup_;
  TrafficCounters counters_;
  std::atomic<bool> stopping_{false};
  /// Set by the progress thread itself as it starts: other threads may compare against it while
  /// start() is still assigning thread_, which they must not read.
  std::atomic<std::thread::id> progress_thread_{};
  std::thread thread_;
};

}  // namespace manta::transport
