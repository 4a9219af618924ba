#include "ucx_peer.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace bench {

void check_ucx(ucs_status_t status, const char* what) {
  if (status == UCS_OK) return;
  std::fprintf(stderr, "%s: %s\n", what, ucs_status_string(status));
  MPI_Abort(MPI_COMM_WORLD, 1);
}

std::vector<char> exchange_with_peer(const std::vector<char>& mine, int peer_rank) {
  int my_size = static_cast<int>(mine.size()), peer_size = 0;
  MPI_Sendrecv(&my_size, 1, MPI_INT, peer_rank, 0, &peer_size, 1, MPI_INT, peer_rank, 0,
               MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  std::vector<char> theirs(static_cast<std::size_t>(peer_size));
  MPI_Sendrecv(mine.data(), my_size, MPI_BYTE, peer_rank, 1, theirs.data(), peer_size, MPI_BYTE,
               peer_rank, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return theirs;
}

UcxPeer::UcxPeer(std::uint64_t features) {
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size != 2) throw std::runtime_error("run under mpirun -np 2");
  peer_rank_ = 1 - rank;

  ucp_params_t params{};
  params.field_mask = UCP_PARAM_FIELD_FEATURES;
  params.features = features;
  check_ucx(ucp_init(&params, nullptr, &context_), "ucp_init");
  ucp_worker_params_t worker_params{};
  worker_params.field_mask = UCP_WORKER_PARAM_FIELD_THREAD_MODE;
  worker_params.thread_mode = UCS_THREAD_MODE_MULTI;  // as Manta's worker
  check_ucx(ucp_worker_create(context_, &worker_params, &worker_), "ucp_worker_create");

  ucp_address_t* address = nullptr;
  std::size_t length = 0;
  check_ucx(ucp_worker_get_address(worker_, &address, &length), "ucp_worker_get_address");
  const auto* bytes = reinterpret_cast<const char*>(address);
  const std::vector<char> peer_address =
      exchange_with_peer(std::vector<char>(bytes, bytes + length), peer_rank_);
  ucp_worker_release_address(worker_, address);

  ucp_ep_params_t ep_params{};
  ep_params.field_mask = UCP_EP_PARAM_FIELD_REMOTE_ADDRESS;
  ep_params.address = reinterpret_cast<const ucp_address_t*>(peer_address.data());
  check_ucx(ucp_ep_create(worker_, &ep_params, &endpoint_), "ucp_ep_create");
}

UcxPeer::~UcxPeer() {
  ucp_request_param_t param{};
  wait(ucp_ep_close_nbx(endpoint_, &param), "ucp_ep_close_nbx");
  MPI_Barrier(MPI_COMM_WORLD);
  ucp_worker_destroy(worker_);
  ucp_cleanup(context_);
}

void UcxPeer::wait(ucs_status_ptr_t request, const char* what) const {
  if (!UCS_PTR_IS_PTR(request)) {
    check_ucx(UCS_PTR_STATUS(request), what);
    return;
  }
  ucs_status_t status;
  while ((status = ucp_request_check_status(request)) == UCS_INPROGRESS) {
    ucp_worker_progress(worker_);
  }
  ucp_request_free(request);
  check_ucx(status, what);
}

UcxWakeup::UcxWakeup(ucp_worker_h worker) : worker_(worker), epoll_(epoll_create1(0)) {
  int efd = -1;
  check_ucx(ucp_worker_get_efd(worker_, &efd), "ucp_worker_get_efd");
  epoll_event event{};
  event.events = EPOLLIN;
  epoll_ctl(epoll_, EPOLL_CTL_ADD, efd, &event);
}

UcxWakeup::~UcxWakeup() { close(epoll_); }

void UcxWakeup::sleep(int timeout_ms) const {
  if (ucp_worker_arm(worker_) == UCS_ERR_BUSY) return;
  epoll_event event;
  epoll_wait(epoll_, &event, 1, timeout_ms);
}

}  // namespace bench
