#include "transport/messenger.hpp"

#include "transport/status.hpp"
#include "util/log.hpp"
#include "util/spin.hpp"
#include "util/timeline.hpp"

#include <chrono>
#include <cstring>
#include <memory>

namespace manta::transport {
namespace {

constexpr unsigned control_message_id = 1;

/// A finished RMA get on the timeline, on the progress thread's track.
void record_transfer(int source, std::size_t bytes, std::chrono::steady_clock::time_point issued) {
  if (!util::timeline::enabled()) return;
  util::timeline::Event event;
  event.kind = util::timeline::Kind::transfer;
  event.name = "get";
  event.start_ns = util::timeline::ns_of(issued);
  event.end_ns = util::timeline::now_ns();
  event.peer = source;
  event.bytes = bytes;
  util::timeline::record(event);
}

struct SendBuffer {
  std::vector<std::byte> bytes;
  std::uint64_t header[2];
};

void append_frame(std::vector<std::byte>& batch, const std::vector<std::byte>& message) {
  const auto length = static_cast<std::uint32_t>(message.size());
  const auto* length_bytes = reinterpret_cast<const std::byte*>(&length);
  batch.insert(batch.end(), length_bytes, length_bytes + sizeof length);
  batch.insert(batch.end(), message.begin(), message.end());
}

/// The descriptor that becomes readable when the UCX worker has events (once armed).
int event_descriptor(ucp_worker_h worker) {
  int fd = -1;
  MANTA_CHECK_UCX(ucp_worker_get_efd(worker, &fd));
  return fd;
}

}  // namespace

Messenger::Messenger(const UcxContext& ucx, const RegisteredRegion& local_store,
                     std::vector<PeerInfo> peers, int self, Handler handler, PeerFailure on_failure,
                     std::chrono::microseconds spin)
    : worker_(ucx.worker()),
      local_memory_(local_store.memory()),
      local_store_(local_store.bytes()),
      peers_(std::move(peers)),
      self_(self),
      handler_(std::move(handler)),
      on_failure_(std::move(on_failure)),
      spin_(spin),
      links_(peers_.size()),
      wakeup_(event_descriptor(worker_)) {
  ucp_am_handler_param_t am{};
  am.field_mask = UCP_AM_HANDLER_PARAM_FIELD_ID | UCP_AM_HANDLER_PARAM_FIELD_CB |
                  UCP_AM_HANDLER_PARAM_FIELD_ARG;
  am.id = control_message_id;
  am.cb = &Messenger::on_active_message;
  am.arg = this;
  MANTA_CHECK_UCX(ucp_worker_set_am_recv_handler(worker_, &am));
}

void Messenger::watch_ring(std::chrono::duration<double> timeout) {
  watch_ = RingWatch(self_, static_cast<int>(peers_.size()), timeout);
}

void Messenger::fail_peer(int peer, const std::string& problem) {
  if (peer >= 0) {
    bool& failed = links_[static_cast<std::size_t>(peer)].failed;
    if (failed) return;
    failed = true;
  }
  on_failure_(peer, problem);
}

void Messenger::start() {
  watch_.start(std::chrono::steady_clock::now());
  thread_ = std::thread([this] {
    util::timeline::name_thread("progress");
    progress_loop();
  });
}

void Messenger::stop() {
  stopping_.store(true);
  wakeup_.wake();
  if (thread_.joinable()) thread_.join();
}

Messenger::~Messenger() {
  stop();
  for (const PeerLink& link : links_) {
    if (link.rkey != nullptr) ucp_rkey_destroy(link.rkey);
  }
}

void Messenger::send(int destination, std::vector<std::byte> message) {
  counters_.message_sent();
  // While the progress thread sleeps, this thread sends at once and spares it a wake-up: on a
  // VM that wake-up costs as much as the message itself. Never ahead of a queued message, and
  // never beside the awake progress thread (the UCX worker's lock spins, and a preempted
  // holder stalls the other for a whole scheduler tick).
  if (destination != self_ && !on_progress_thread() && send_mutex_.try_lock()) {
    util::LockGuard sending(send_mutex_, std::adopt_lock);
    bool nothing_queued = false;
    {
      util::LockGuard lock(outbox_.mutex);
      nothing_queued = outbox_.messages.empty();
    }
    if (nothing_queued) {
      std::vector<std::byte> batch;
      append_frame(batch, message);
      if (flush_batch(destination, batch))
        wakeup_.wake();  // UCX needs the worker progressed to finish
      return;
    }
  }
  {
    util::LockGuard lock(outbox_.mutex);
    outbox_.messages.emplace_back(destination, std::move(message));
  }
  if (wakeup_.sleeping()) wakeup_.wake();
}

void Messenger::get(int source, std::uint64_t remote_offset, std::span<std::byte> local,
                    GetDone done) {
  {
    util::LockGuard lock(outbox_.mutex);
    outbox_.gets.push_back({source, remote_offset, local, std::move(done)});
  }
  if (wakeup_.sleeping()) wakeup_.wake();
}

void Messenger::run_chore(Chore chore) {
  std::promise<void> finished;
  auto result = finished.get_future();
  {
    util::LockGuard lock(outbox_.mutex);
    outbox_.chores.push_back([&] {
      try {
        chore();
        finished.set_value();
      } catch (...) {
        finished.set_exception(std::current_exception());
      }
    });
  }
  wakeup_.wake();
  result.get();
}

const std::byte* Messenger::map_peer_store(int peer) {
  constexpr std::uintptr_t unmappable = 1;
  std::atomic<std::uintptr_t>& mapped_store = links_[static_cast<std::size_t>(peer)].mapped;
  if (const std::uintptr_t known = mapped_store.load(); known != 0) {
    return known == unmappable ? nullptr : reinterpret_cast<const std::byte*>(known);
  }
  std::uintptr_t address = unmappable;
  const auto map = [&] {
    util::LockGuard sending(send_mutex_);
    void* mapped = nullptr;
    if (peer != self_ && peers_[peer].node == peers_[self_].node &&
        ucp_rkey_ptr(rkey(peer), peers_[peer].store_base, &mapped) == UCS_OK) {
      address = reinterpret_cast<std::uintptr_t>(mapped);
    }
  };
  if (on_progress_thread()) {
    map();
  } else {
    run_chore(map);
  }
  mapped_store.store(address);
  return address == unmappable ? nullptr : reinterpret_cast<const std::byte*>(address);
}

void Messenger::close_endpoints() {
  run_chore([this]() MANTA_REQUIRES(send_mutex_) {  // as chores run, on the progress thread
    closed_ = true;
    for (PeerLink& link : links_) {
      if (link.rkey != nullptr) ucp_rkey_destroy(link.rkey);
      link.rkey = nullptr;
    }
    std::vector<void*> closing;
    ucp_request_param_t param{};
    param.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
    param.flags = 0;  // flush what is in flight, then close
    for (PeerLink& link : links_) {
      if (link.endpoint == nullptr) continue;
      ucs_status_ptr_t request = ucp_ep_close_nbx(link.endpoint, &param);
      if (UCS_PTR_IS_PTR(request)) closing.push_back(request);
      link.endpoint = nullptr;
    }
    for (void* request : closing) {
      while (ucp_request_check_status(request) == UCS_INPROGRESS) ucp_worker_progress(worker_);
      ucp_request_free(request);
    }
  });
}

ucp_ep_h Messenger::endpoint(int peer) {
  PeerLink& link = links_[static_cast<std::size_t>(peer)];
  if (link.endpoint == nullptr) {
    ucp_ep_params_t params{};
    params.field_mask = UCP_EP_PARAM_FIELD_REMOTE_ADDRESS;
    params.address = reinterpret_cast<const ucp_address_t*>(peers_[peer].worker_address.data());
    MANTA_CHECK_UCX(ucp_ep_create(worker_, &params, &link.endpoint));
  }
  return link.endpoint;
}

ucp_rkey_h Messenger::rkey(int peer) {
  PeerLink& link = links_[static_cast<std::size_t>(peer)];
  if (link.rkey == nullptr) {
    MANTA_CHECK_UCX(ucp_ep_rkey_unpack(endpoint(peer), peers_[peer].store_rkey.data(), &link.rkey));
  }
  return link.rkey;
}

void Messenger::progress_loop() {
  // Runs under `awake` (send_mutex_), which the analysis cannot see inside util::spin_until.
  const auto work = [this]() MANTA_NO_THREAD_SAFETY_ANALYSIS {
    const bool progressed = ucp_worker_progress(worker_) != 0;
    return issue_queued() || progressed;
  };
  progress_thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  util::UniqueLock awake(send_mutex_);
  while (!stopping_.load()) {
    if (watch_.watching()) watch(std::chrono::steady_clock::now());
    // Keeps polling while there is work, and for spin_ after the last piece: long enough to
    // catch the reply of a round trip, short enough not to steal a core.
    if (util::spin_until(work, spin_)) continue;

    wakeup_.set_sleeping(true);
    bool queued = false;
    {
      util::LockGuard lock(outbox_.mutex);
      queued = !outbox_.messages.empty() || !outbox_.gets.empty() || !outbox_.chores.empty();
    }
    if (!queued && !stopping_.load() && ucp_worker_arm(worker_) == UCS_OK) {
      awake.unlock();
      wakeup_.sleep(std::chrono::milliseconds(100));
      awake.lock();
    }
    wakeup_.set_sleeping(false);
  }
}

void Messenger::watch(std::chrono::steady_clock::time_point now) {
  if (closed_) return;  // the job is ending: every rank is between the same two barriers
  if (watch_.heartbeat_due(now)) {
    std::vector<std::byte> heartbeat;  // an empty batch: it carries its sequence number only
    flush_batch(watch_.watcher(), heartbeat);
  }
  if (const std::string problem = watch_.silence(now); !problem.empty()) {
    fail_peer(watch_.watched(), problem);
  }
}

bool Messenger::issue_queued() {
  std::vector<std::pair<int, std::vector<std::byte>>> outgoing;
  std::vector<GetOperation> gets;
  std::vector<Chore> chores;
  {
    util::LockGuard lock(outbox_.mutex);
    outgoing.swap(outbox_.messages);
    gets.swap(outbox_.gets);
    chores.swap(outbox_.chores);
  }
  if (!outgoing.empty()) {
    std::unordered_map<int, std::vector<std::byte>> batches;
    for (const auto& [destination, message] : outgoing) append_frame(batches[destination], message);
    for (auto& [destination, batch] : batches) flush_batch(destination, batch);
  }
  for (auto& operation : gets) issue_get(operation);
  for (auto& chore : chores) chore();
  return !outgoing.empty() || !gets.empty() || !chores.empty();
}

bool Messenger::flush_batch(int destination, std::vector<std::byte>& batch) {
  if (closed_) {
    util::log().debug("dropping a message for rank {} sent after shutdown began", destination);
    return false;
  }
  counters_.batch_sent();
  watch_.sent_to(destination);
  const std::uint64_t sequence = links_[static_cast<std::size_t>(destination)].next_send_sequence++;
  if (destination == self_) {
    accept(self_, sequence, std::move(batch));
    return false;
  }
  auto* buffer = new SendBuffer{std::move(batch), {}};
  const Header header{self_, 0, sequence};
  static_assert(sizeof header == sizeof buffer->header);
  std::memcpy(buffer->header, &header, sizeof header);

  ucp_request_param_t param{};
  param.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA;
  param.user_data = buffer;
  param.cb.send = [](void* request, ucs_status_t status, void* user_data) {
    if (status != UCS_OK) util::log().error("control message lost: {}", ucs_status_string(status));
    delete static_cast<SendBuffer*>(user_data);
    ucp_request_free(request);
  };
  ucs_status_ptr_t request =
      ucp_am_send_nbx(endpoint(destination), control_message_id, buffer->header,
                      sizeof buffer->header, buffer->bytes.data(), buffer->bytes.size(), &param);
  if (UCS_PTR_IS_ERR(request)) {
    util::log().error("sending to rank {} failed: {}", destination,
                      ucs_status_string(UCS_PTR_STATUS(request)));
  }
  if (UCS_PTR_IS_PTR(request)) return true;
  delete buffer;
  return false;
}

void Messenger::issue_get(GetOperation& operation) {
  if (closed_) {
    operation.done("the runtime is shutting down");
    return;
  }
  if (auto problem =
          outside_store(operation.source, operation.remote_offset, operation.local.size());
      !problem.empty()) {
    operation.done("get: " + problem);
    return;
  }
  const auto& peer = peers_[operation.source];
  auto* pending = new GetOperation(std::move(operation));
  pending->messenger = this;
  pending->issued = std::chrono::steady_clock::now();
  ucp_request_param_t param{};
  param.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA;
  if (pending->local.data() >= local_store_.data() &&
      pending->local.data() + pending->local.size() <= local_store_.data() + local_store_.size()) {
    param.op_attr_mask |= UCP_OP_ATTR_FIELD_MEMH;
    param.memh = local_memory_;
  }
  param.user_data = pending;
  param.cb.send = [](void* request, ucs_status_t status, void* user_data) {
    std::unique_ptr<GetOperation> done(static_cast<GetOperation*>(user_data));
    done->messenger->counters_.get_finished(done->issued);
    record_transfer(done->source, done->local.size(), done->issued);
    done->done(status == UCS_OK ? std::string() : std::string(ucs_status_string(status)));
    ucp_request_free(request);
  };
  counters_.get_issued(pending->local.size());
  ucs_status_ptr_t request =
      ucp_get_nbx(endpoint(pending->source), pending->local.data(), pending->local.size(),
                  peer.store_base + pending->remote_offset, rkey(pending->source), &param);
  if (UCS_PTR_IS_PTR(request)) return;
  std::unique_ptr<GetOperation> done(pending);
  counters_.get_finished(done->issued);
  record_transfer(done->source, done->local.size(), done->issued);
  done->done(request == nullptr ? std::string() : ucs_status_string(UCS_PTR_STATUS(request)));
}

ucs_status_t Messenger::on_active_message(void* arg, const void* header, std::size_t header_length,
                                          void* data, std::size_t length,
                                          const ucp_am_recv_param_t* param) {
  auto* self = static_cast<Messenger*>(arg);
  Header fields{};
  std::memcpy(&fields, header, std::min(header_length, sizeof fields));
  if (const std::string problem =
          header_problem(header_length, sizeof fields, fields.source, self->self_,
                         static_cast<int>(self->peers_.size()), length);
      !problem.empty()) {
    self->fail_peer(-1, problem);
    return UCS_OK;
  }
  if (self->links_[static_cast<std::size_t>(fields.source)].failed) return UCS_OK;
  self->watch_.heard_from(fields.source);
  if ((param->recv_attr & UCP_AM_RECV_ATTR_FLAG_RNDV) == 0) {
    const auto* bytes = static_cast<const std::byte*>(data);
    self->accept(fields.source, fields.sequence, std::vector<std::byte>(bytes, bytes + length));
    return UCS_OK;
  }
  // A large batch comes by rendezvous: fetch it into a buffer of its own, then accept it.
  struct Receive {
    Messenger* messenger;
    Header fields;
    std::vector<std::byte> bytes;
  };
  auto* receive = new Receive{self, fields, std::vector<std::byte>(length)};
  ucp_request_param_t receive_param{};
  receive_param.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA;
  receive_param.user_data = receive;
  receive_param.cb.recv_am = [](void* request, ucs_status_t status, std::size_t, void* user_data) {
    std::unique_ptr<Receive> done(static_cast<Receive*>(user_data));
    if (status == UCS_OK) {
      done->messenger->accept(done->fields.source, done->fields.sequence, std::move(done->bytes));
    } else {
      util::log().error("receiving from rank {} failed: {}", done->fields.source,
                        ucs_status_string(status));
    }
    ucp_request_free(request);
  };
  ucs_status_ptr_t request =
      ucp_am_recv_data_nbx(self->worker_, data, receive->bytes.data(), length, &receive_param);
  if (!UCS_PTR_IS_PTR(request)) {
    std::unique_ptr<Receive> done(receive);
    if (request == nullptr) self->accept(fields.source, fields.sequence, std::move(done->bytes));
  }
  return UCS_OK;
}

void Messenger::accept(int source, std::uint64_t sequence, std::vector<std::byte> bytes) {
  PeerLink& link = links_[static_cast<std::size_t>(source)];
  if (link.failed) return;
  const std::string problem = link.order.accept(sequence, std::move(bytes),
                                                [this, source](std::span<const std::byte> frame) {
                                                  handler_(source, frame);
                                                  counters_.message_received();
                                                });
  if (!problem.empty()) fail_peer(source, problem);
}

}  // namespace manta::transport
