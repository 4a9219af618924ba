// Round-trip latency of a small control message between ranks 0 and 1, four ways, in one run:
//   mpi        MPI_Send/MPI_Recv ping-pong (Open MPI's own shared-memory or network path)
//   ucx_am_poll     UCX active messages, both sides busy-polling ucp_worker_progress
//   ucx_am_wakeup   UCX active messages, the receiver sleeping in epoll on the worker's event fd
//                   (what an idle Manta progress thread does: no CPU burned while waiting)
// This decides how Manta sends control messages. Run: mpirun -np 2 manta_perf_control_latency
#include <mpi.h>
#include <sys/epoll.h>
#include <ucp/api/ucp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

void check(ucs_status_t status, const char* what) {
  if (status != UCS_OK) {
    std::fprintf(stderr, "%s: %s\n", what, ucs_status_string(status));
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
}

constexpr unsigned ping_id = 1;
volatile int arrived = 0;

ucs_status_t on_ping(void*, const void*, size_t, void*, size_t, const ucp_am_recv_param_t*) {
  arrived = arrived + 1;
  return UCS_OK;
}

struct Ucx {
  ucp_context_h context;
  ucp_worker_h worker;
  ucp_ep_h peer;
  int efd = -1;
  int epoll = -1;
};

Ucx start_ucx(int peer_rank) {
  Ucx ucx;
  ucp_params_t params{};
  params.field_mask = UCP_PARAM_FIELD_FEATURES;
  params.features = UCP_FEATURE_AM | UCP_FEATURE_RMA | UCP_FEATURE_WAKEUP;
  check(ucp_init(&params, nullptr, &ucx.context), "ucp_init");
  ucp_worker_params_t worker_params{};
  worker_params.field_mask = UCP_WORKER_PARAM_FIELD_THREAD_MODE;
  worker_params.thread_mode = UCS_THREAD_MODE_MULTI;
  check(ucp_worker_create(ucx.context, &worker_params, &ucx.worker), "ucp_worker_create");

  ucp_address_t* address;
  size_t length;
  check(ucp_worker_get_address(ucx.worker, &address, &length), "ucp_worker_get_address");
  int my_length = static_cast<int>(length), peer_length = 0;
  MPI_Sendrecv(&my_length, 1, MPI_INT, peer_rank, 0, &peer_length, 1, MPI_INT, peer_rank, 0,
               MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  std::vector<char> peer_address(peer_length);
  MPI_Sendrecv(address, my_length, MPI_BYTE, peer_rank, 1, peer_address.data(), peer_length,
               MPI_BYTE, peer_rank, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  ucp_worker_release_address(ucx.worker, address);

  ucp_ep_params_t ep_params{};
  ep_params.field_mask = UCP_EP_PARAM_FIELD_REMOTE_ADDRESS;
  ep_params.address = reinterpret_cast<ucp_address_t*>(peer_address.data());
  check(ucp_ep_create(ucx.worker, &ep_params, &ucx.peer), "ucp_ep_create");

  ucp_am_handler_param_t handler{};
  handler.field_mask = UCP_AM_HANDLER_PARAM_FIELD_ID | UCP_AM_HANDLER_PARAM_FIELD_CB;
  handler.id = ping_id;
  handler.cb = on_ping;
  check(ucp_worker_set_am_recv_handler(ucx.worker, &handler), "set_am_recv_handler");

  check(ucp_worker_get_efd(ucx.worker, &ucx.efd), "ucp_worker_get_efd");
  ucx.epoll = epoll_create1(0);
  epoll_event event{};
  event.events = EPOLLIN;
  epoll_ctl(ucx.epoll, EPOLL_CTL_ADD, ucx.efd, &event);
  return ucx;
}

void send_ping(Ucx& ucx) {
  ucp_request_param_t param{};
  char byte = 1;
  ucs_status_ptr_t request = ucp_am_send_nbx(ucx.peer, ping_id, nullptr, 0, &byte, 1, &param);
  if (UCS_PTR_IS_PTR(request)) {
    while (ucp_request_check_status(request) == UCS_INPROGRESS) ucp_worker_progress(ucx.worker);
    ucp_request_free(request);
  }
}

void wait_ping(Ucx& ucx, int expected, bool sleep) {
  while (arrived < expected) {
    if (ucp_worker_progress(ucx.worker) != 0 || !sleep) continue;
    if (ucp_worker_arm(ucx.worker) == UCS_ERR_BUSY) continue;
    epoll_event event;
    epoll_wait(ucx.epoll, &event, 1, 100);
  }
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size != 2) {
    if (rank == 0) std::fprintf(stderr, "run with exactly 2 ranks\n");
    MPI_Finalize();
    return 1;
  }
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int peer = 1 - rank;
  using Clock = std::chrono::steady_clock;

  // MPI
  std::vector<double> samples;
  char byte = 0;
  for (int round = 0; round < 5; ++round) {
    MPI_Barrier(MPI_COMM_WORLD);
    const auto start = Clock::now();
    for (int i = 0; i < iterations; ++i) {
      if (rank == 0) {
        MPI_Send(&byte, 1, MPI_BYTE, peer, 7, MPI_COMM_WORLD);
        MPI_Recv(&byte, 1, MPI_BYTE, peer, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      } else {
        MPI_Recv(&byte, 1, MPI_BYTE, peer, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send(&byte, 1, MPI_BYTE, peer, 7, MPI_COMM_WORLD);
      }
    }
    samples.push_back(std::chrono::duration<double>(Clock::now() - start).count() / iterations);
  }
  const double mpi_us = median(samples) * 1e6;

  Ucx ucx = start_ucx(peer);
  double am_us[2];
  for (int sleep = 0; sleep < 2; ++sleep) {
    samples.clear();
    for (int round = 0; round < 5; ++round) {
      MPI_Barrier(MPI_COMM_WORLD);
      arrived = 0;
      const auto start = Clock::now();
      for (int i = 1; i <= iterations; ++i) {
        if (rank == 0) {
          send_ping(ucx);
          wait_ping(ucx, i, sleep);
        } else {
          wait_ping(ucx, i, sleep);
          send_ping(ucx);
        }
      }
      samples.push_back(std::chrono::duration<double>(Clock::now() - start).count() / iterations);
    }
    am_us[sleep] = median(samples) * 1e6;
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    std::printf(
        "[{\"name\": \"control_round_trip_mpi\", \"value\": %.3f, \"unit\": \"us\"},\n"
        " {\"name\": \"control_round_trip_ucx_am_poll\", \"value\": %.3f, \"unit\": \"us\"},\n"
        " {\"name\": \"control_round_trip_ucx_am_wakeup\", \"value\": %.3f, \"unit\": \"us\"}]\n",
        mpi_us, am_us[0], am_us[1]);
  }
  ucp_request_param_t close_param{};
  close_param.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
  close_param.flags = UCP_EP_CLOSE_FLAG_FORCE;
  ucs_status_ptr_t closing = ucp_ep_close_nbx(ucx.peer, &close_param);
  if (UCS_PTR_IS_PTR(closing)) {
    while (ucp_request_check_status(closing) == UCS_INPROGRESS) ucp_worker_progress(ucx.worker);
    ucp_request_free(closing);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  ucp_worker_destroy(ucx.worker);
  ucp_cleanup(ucx.context);
  MPI_Finalize();
  return 0;
}
