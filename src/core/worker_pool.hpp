/// @file core/worker_pool.hpp
/// @brief The rank's worker processes, which run process-isolated tasks and actors
/// (Isolation::process), and the loop a worker process runs.
#pragma once

#include "process/worker_spawner.hpp"
#include "transport/wire.hpp"
#include "util/mutex.hpp"
#include "util/shared_memory.hpp"

#include <manta/detail/core_access.hpp>

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace manta::core {

/// @brief The worker process running one task, for a forced cancel to kill it. Thread-safe.
class WorkerWatch {
 public:
  /// Kills the task's worker process if it runs now, and any the task would run in later.
  void kill();

 private:
  friend class WorkerPool;
  util::Mutex mutex_;
  pid_t pid_ MANTA_GUARDED_BY(mutex_) = 0;  ///< the worker running the task, 0 between runs
  bool killed_ MANTA_GUARDED_BY(mutex_) = false;
};

/// @brief Worker processes of this rank: started through the helper process when a
/// process-isolated task finds none idle, reused afterwards, replaced when one dies. Each runs
/// one task at a time; the executor thread that runs the task waits for its reply (and holds the
/// task's CPUs meanwhile, as the worker uses them). Thread-safe.
class WorkerPool {
 public:
  /// `spawner` null: process isolation is not available here, because of `why`.
  WorkerPool(int rank, process::WorkerSpawner* spawner, std::string why);
  /// Closes the idle workers' channels: they exit.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// @throws InvalidOptionError naming `what` ("task 'f'") and why, when process isolation is not
  /// available on this rank
  void check_available(const std::string& what) const;

  /// Runs the call `request` names in a worker process and returns its reply (its value's shared
  /// memory in `payload`). The calling thread waits, up to request.timeout_seconds when set.
  /// @throws WorkerCrashedError when the worker process died before it replied (a signal, exit(),
  /// or `watch` killed it); TaskTimeoutError after the timeout (the worker is killed);
  /// manta::Error when no worker can be started
  transport::TaskReply run(transport::TaskRequest request, WorkerWatch& watch,
                           util::SharedMemory& payload);

  /// An idle worker, or a new one, for `what` ("actor 'a' on rank 0") to keep.
  /// @throws InvalidOptionError as check_available(), manta::Error when none can be started
  process::WorkerSpawner::Worker take(const std::string& what);
  /// How `worker` ended, once its channel closed: "killed by signal 9 (SIGKILL)".
  std::string reap(process::WorkerSpawner::Worker& worker);
  int rank() const noexcept { return rank_; }

 private:
  const int rank_;
  process::WorkerSpawner* const spawner_;
  const std::string unavailable_;
  util::Mutex mutex_;
  std::vector<process::WorkerSpawner::Worker> idle_ MANTA_GUARDED_BY(mutex_);
};

/// Arguments and values at least this long go beside a message to or from a worker process, in
/// shared memory (a memfd whose descriptor the channel passes), instead of through the socket.
inline constexpr std::size_t shared_payload_bytes = std::size_t{64} << 10;

/// @brief A message between a rank and one of its worker processes, and its payload when that
/// went in shared memory: a request's arguments (then its `arguments` are empty), or a reply's
/// value (then its byte outcome is empty).
struct WorkerFrame {
  transport::WorkerMessage message;
  util::SharedMemory payload;
};
/// `message` as a frame to send, its arguments moved into shared memory when they are long.
/// @throws manta::Error when no shared memory can be had
WorkerFrame request_frame(transport::WorkerMessage message);
/// Sends `frame`. False when the other end is gone.
bool send_frame(process::Channel& channel, const WorkerFrame& frame);
/// Receives a message and its payload (see WorkerFrame). @throws manta::Error for bytes that are
/// not a message, or a payload that cannot be mapped
process::Channel::Received receive_frame(process::Channel& channel, WorkerFrame& frame,
                                         const process::Deadline& deadline);
/// The bytes of a payload sent either way: `payload`'s if it has one, else `inline_bytes`.
std::span<const std::byte> payload_bytes(const util::SharedMemory& payload,
                                         const std::vector<std::byte>& inline_bytes);

/// What a worker process runs: the requests that arrive on `channel` (tasks, or the calls of the
/// actor it hosts), one at a time, each answered, until the channel closes.
void serve_worker(process::Channel& channel);

/// A value as a worker process sends it back: its bytes, or (when long) nothing and `payload`
/// holds them. @throws manta::Error when no shared memory can be had
std::vector<std::byte> serialized_value(const detail::ValueBox& value, util::SharedMemory& payload);
/// The value of a worker's reply (`payload`: its shared memory, if any), read by the `body` that
/// asked for it; a long one is copied into this rank's store.
/// @throws TaskError naming rank `rank`, for a reply that carries an error
std::unique_ptr<detail::ValueBox> read_worker_value(const detail::CallBody& body,
                                                    const transport::TaskReply& reply,
                                                    const util::SharedMemory& payload, int rank);

}  // namespace manta::core
