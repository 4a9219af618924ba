#include "transport/messenger.hpp"

#include "transport/status.hpp"
#include "util/log.hpp"
#include "util/spin.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>

namespace manta::transport {
namespace {

constexpr unsigned control_message_id = 1;

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
      endpoints_(peers_.size(), nullptr),
      rkeys_(peers_.size(), nullptr),
      next_send_sequence_(peers_.size(), 0),
      orders_(peers_.size()),
      failed_(peers_.size(), false),
      mapped_(new std::atomic<std::uintptr_t>[peers_.size()]) {
  for (std::size_t i = 0; i < peers_.size(); ++i) mapped_[i] = 0;
  ucp_am_handler_param_t am{};
  am.field_mask = UCP_AM_HANDLER_PARAM_FIELD_ID | UCP_AM_HANDLER_PARAM_FIELD_CB |
                  UCP_AM_HANDLER_PARAM_FIELD_ARG;
  am.id = control_message_id;
  am.cb = &Messenger::on_active_message;
  am.arg = this;
  MANTA_CHECK_UCX(ucp_worker_set_am_recv_handler(worker_, &am));

  int ucx_fd = -1;
  MANTA_CHECK_UCX(ucp_worker_get_efd(worker_, &ucx_fd));
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (wake_fd_ < 0 || epoll_fd_ < 0)
    util::fail_call("eventfd/epoll_create1", __FILE__, __LINE__, std::strerror(errno));
  for (int fd : {ucx_fd, wake_fd_}) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
      util::fail_call("epoll_ctl", __FILE__, __LINE__, std::strerror(errno));
    }
  }
}

void Messenger::watch_ring(std::chrono::duration<double> timeout) {
  const int size = static_cast<int>(peers_.size());
  if (size < 2 || timeout <= std::chrono::duration<double>::zero()) return;
  watched_ = (self_ + 1) % size;
  watcher_ = (self_ + size - 1) % size;
  peer_timeout_ = std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout);
  heartbeat_interval_ = peer_timeout_ / 5;
}

void Messenger::fail_peer(int peer, const std::string& problem) {
  if (peer >= 0) {
    if (failed_[static_cast<std::size_t>(peer)]) return;
    failed_[static_cast<std::size_t>(peer)] = true;
  }
  on_failure_(peer, problem);
}

void Messenger::start() {
  last_heard_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] { progress_loop(); });
}

void Messenger::stop() {
  stopping_.store(true);
  wake();
  if (thread_.joinable()) thread_.join();
}

Messenger::~Messenger() {
  stop();
  for (ucp_rkey_h key : rkeys_) {
    if (key != nullptr) ucp_rkey_destroy(key);
  }
  close(epoll_fd_);
  close(wake_fd_);
}

void Messenger::wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = write(wake_fd_, &one, sizeof one);
}

void Messenger::send(int destination, std::vector<std::byte> message) {
  messages_sent_.fetch_add(1, std::memory_order_relaxed);
  if (destination != self_ && !on_progress_thread()) {
    // While the progress thread sleeps, this thread sends at once and spares it a wake-up: on a
    // VM that wake-up costs as much as the message itself. Never ahead of a queued message, and
    // never beside the awake progress thread (the UCX worker's lock spins, and a preempted
    // holder stalls the other for a whole scheduler tick).
    std::unique_lock sending(send_mutex_, std::try_to_lock);
    bool nothing_queued = false;
    if (sending.owns_lock()) {
      std::lock_guard lock(queue_mutex_);
      nothing_queued = outgoing_.empty();
    }
    if (nothing_queued) {
      std::vector<std::byte> batch;
      append_frame(batch, message);
      if (flush_batch(destination, batch)) wake();  // UCX needs the worker progressed to finish
      return;
    }
  }
  {
    std::lock_guard lock(queue_mutex_);
    outgoing_.emplace_back(destination, std::move(message));
  }
  if (sleeping_.load()) wake();
}

void Messenger::get(int source, std::uint64_t remote_offset, std::span<std::byte> local,
                    GetDone done) {
  {
    std::lock_guard lock(queue_mutex_);
    gets_.push_back({source, remote_offset, local, std::move(done)});
  }
  if (sleeping_.load()) wake();
}

void Messenger::run_chore(Chore chore) {
  std::promise<void> finished;
  auto result = finished.get_future();
  {
    std::lock_guard lock(queue_mutex_);
    chores_.push_back([&] {
      try {
        chore();
        finished.set_value();
      } catch (...) {
        finished.set_exception(std::current_exception());
      }
    });
  }
  wake();
  result.get();
}

const std::byte* Messenger::map_peer_store(int peer) {
  constexpr std::uintptr_t unmappable = 1;
  if (const std::uintptr_t known = mapped_[peer].load(); known != 0) {
    return known == unmappable ? nullptr : reinterpret_cast<const std::byte*>(known);
  }
  std::uintptr_t address = unmappable;
  const auto map = [&] {
    std::lock_guard sending(send_mutex_);
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
  mapped_[peer].store(address);
  return address == unmappable ? nullptr : reinterpret_cast<const std::byte*>(address);
}

void Messenger::close_endpoints() {
  run_chore([this] {
    closed_ = true;
    for (ucp_rkey_h& key : rkeys_) {
      if (key != nullptr) ucp_rkey_destroy(key);
      key = nullptr;
    }
    std::vector<void*> closing;
    ucp_request_param_t param{};
    param.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
    param.flags = 0;  // flush what is in flight, then close
    for (ucp_ep_h& ep : endpoints_) {
      if (ep == nullptr) continue;
      ucs_status_ptr_t request = ucp_ep_close_nbx(ep, &param);
      if (UCS_PTR_IS_PTR(request)) closing.push_back(request);
      ep = nullptr;
    }
    for (void* request : closing) {
      while (ucp_request_check_status(request) == UCS_INPROGRESS) ucp_worker_progress(worker_);
      ucp_request_free(request);
    }
  });
}

TransportStats Messenger::stats() const noexcept {
  return {.messages_sent = messages_sent_.load(),
          .messages_received = messages_received_.load(),
          .batches_sent = batches_sent_.load(),
          .gets = gets_done_.load(),
          .get_bytes = get_bytes_.load(),
          .get_nanoseconds = get_nanoseconds_.load(),
          .mapped_reads = mapped_reads_.load(),
          .mapped_bytes = mapped_bytes_.load()};
}

ucp_ep_h Messenger::endpoint(int peer) {
  if (endpoints_[peer] == nullptr) {
    ucp_ep_params_t params{};
    params.field_mask = UCP_EP_PARAM_FIELD_REMOTE_ADDRESS;
    params.address = reinterpret_cast<const ucp_address_t*>(peers_[peer].worker_address.data());
    MANTA_CHECK_UCX(ucp_ep_create(worker_, &params, &endpoints_[peer]));
  }
  return endpoints_[peer];
}

ucp_rkey_h Messenger::rkey(int peer) {
  if (rkeys_[peer] == nullptr) {
    MANTA_CHECK_UCX(
        ucp_ep_rkey_unpack(endpoint(peer), peers_[peer].store_rkey.data(), &rkeys_[peer]));
  }
  return rkeys_[peer];
}

void Messenger::progress_loop() {
  const auto work = [this] {
    const bool progressed = ucp_worker_progress(worker_) != 0;
    return issue_queued() || progressed;
  };
  progress_thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  std::unique_lock awake(send_mutex_);
  while (!stopping_.load()) {
    if (watched_ >= 0) watch(std::chrono::steady_clock::now());
    // Keeps polling while there is work, and for spin_ after the last piece: long enough to
    // catch the reply of a round trip, short enough not to steal a core.
    if (util::spin_until(work, spin_)) continue;

    sleeping_.store(true);
    bool queued = false;
    {
      std::lock_guard lock(queue_mutex_);
      queued = !outgoing_.empty() || !gets_.empty() || !chores_.empty();
    }
    if (!queued && !stopping_.load() && ucp_worker_arm(worker_) == UCS_OK) {
      awake.unlock();
      epoll_event events[2];
      epoll_wait(epoll_fd_, events, 2, 100);
      std::uint64_t count = 0;
      [[maybe_unused]] const auto drained = read(wake_fd_, &count, sizeof count);
      awake.lock();
    }
    sleeping_.store(false);
  }
}

void Messenger::watch(std::chrono::steady_clock::time_point now) {
  if (closed_) return;  // the job is ending: every rank is between the same two barriers
  if (now - last_sent_to_watcher_ >= heartbeat_interval_) {
    std::vector<std::byte> heartbeat;  // an empty batch: it carries its sequence number only
    flush_batch(watcher_, heartbeat);
  }
  if (batches_from_watched_ != batches_seen_) {
    batches_seen_ = batches_from_watched_;
    last_heard_ = now;
  } else if (!failed_[static_cast<std::size_t>(watched_)] && now - last_heard_ > peer_timeout_) {
    const auto silent = std::chrono::duration_cast<std::chrono::seconds>(now - last_heard_);
    const auto timeout = std::chrono::duration<double>(peer_timeout_).count();
    fail_peer(watched_, "has sent nothing for " + std::to_string(silent.count()) +
                            " s (peer timeout " + std::to_string(std::lround(timeout)) +
                            " s): it is stopped, wedged or unreachable");
  }
}

bool Messenger::issue_queued() {
  std::vector<std::pair<int, std::vector<std::byte>>> outgoing;
  std::vector<GetOperation> gets;
  std::vector<Chore> chores;
  {
    std::lock_guard lock(queue_mutex_);
    outgoing.swap(outgoing_);
    gets.swap(gets_);
    chores.swap(chores_);
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
  batches_sent_.fetch_add(1, std::memory_order_relaxed);
  if (destination == watcher_) last_sent_to_watcher_ = std::chrono::steady_clock::now();
  const std::uint64_t sequence = next_send_sequence_[destination]++;
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
    done->messenger->count_get_time(done->issued);
    done->done(status == UCS_OK ? std::string() : std::string(ucs_status_string(status)));
    ucp_request_free(request);
  };
  gets_done_.fetch_add(1, std::memory_order_relaxed);
  get_bytes_.fetch_add(pending->local.size(), std::memory_order_relaxed);
  ucs_status_ptr_t request =
      ucp_get_nbx(endpoint(pending->source), pending->local.data(), pending->local.size(),
                  peer.store_base + pending->remote_offset, rkey(pending->source), &param);
  if (UCS_PTR_IS_PTR(request)) return;
  std::unique_ptr<GetOperation> done(pending);
  count_get_time(done->issued);
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
  if (self->failed_[static_cast<std::size_t>(fields.source)]) return UCS_OK;
  if (fields.source == self->watched_) ++self->batches_from_watched_;
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
  if (failed_[static_cast<std::size_t>(source)]) return;
  const std::string problem = orders_[static_cast<std::size_t>(source)].accept(
      sequence, std::move(bytes), [this, source](std::span<const std::byte> frame) {
        handler_(source, frame);
        messages_received_.fetch_add(1, std::memory_order_relaxed);
      });
  if (!problem.empty()) fail_peer(source, problem);
}

}  // namespace manta::transport
