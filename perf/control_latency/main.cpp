// Round-trip latency of a 1-byte control message between ranks 0 and 1, three ways, in one run:
//   mpi_ping_pong              MPI_Send/MPI_Recv (Open MPI's own shared-memory or network path);
//                              the baseline of Manta's cross_rank_round_trip
//   ucx_am_round_trip_poll     UCX active messages, both sides busy-polling ucp_worker_progress
//   ucx_am_round_trip_wakeup   UCX active messages, the receiver sleeping in epoll on the
//                              worker's event fd (what an idle Manta progress thread does)
// This decided how Manta sends control messages.
//
//   mpirun -np 2 manta_perf_control_latency [--repetitions 5] [--quick] [--output FILE]
#include "../common/results.hpp"
#include "../common/ucx_peer.hpp"

#include <vector>

namespace {

constexpr unsigned ping_id = 1;
volatile int arrived = 0;

ucs_status_t on_ping(void*, const void*, size_t, void*, size_t, const ucp_am_recv_param_t*) {
  arrived = arrived + 1;
  return UCS_OK;
}

void send_ping(const bench::UcxPeer& ucx) {
  ucp_request_param_t param{};
  char byte = 1;
  ucx.wait(ucp_am_send_nbx(ucx.endpoint(), ping_id, nullptr, 0, &byte, 1, &param),
           "ucp_am_send_nbx");
}

void wait_ping(const bench::UcxPeer& ucx, const bench::UcxWakeup* wakeup, int expected) {
  while (arrived < expected) {
    if (ucp_worker_progress(ucx.worker()) != 0 || wakeup == nullptr) continue;
    wakeup->sleep(100);
  }
}

/// Microseconds per round trip of `iterations` MPI ping-pongs.
double mpi_round_trip_us(int rank, int peer, int iterations) {
  char byte = 0;
  MPI_Barrier(MPI_COMM_WORLD);
  const auto start = bench::Clock::now();
  for (int i = 0; i < iterations; ++i) {
    if (rank == 0) {
      MPI_Send(&byte, 1, MPI_BYTE, peer, 7, MPI_COMM_WORLD);
      MPI_Recv(&byte, 1, MPI_BYTE, peer, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(&byte, 1, MPI_BYTE, peer, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(&byte, 1, MPI_BYTE, peer, 7, MPI_COMM_WORLD);
    }
  }
  return bench::seconds_since(start) / iterations * 1e6;
}

/// Microseconds per round trip of `iterations` active-message ping-pongs; the receiver sleeps
/// between messages when `wakeup` is given.
double am_round_trip_us(int rank, const bench::UcxPeer& ucx, const bench::UcxWakeup* wakeup,
                        int iterations) {
  MPI_Barrier(MPI_COMM_WORLD);
  arrived = 0;
  const auto start = bench::Clock::now();
  for (int i = 1; i <= iterations; ++i) {
    if (rank == 0) {
      send_ping(ucx);
      wait_ping(ucx, wakeup, i);
    } else {
      wait_ping(ucx, wakeup, i);
      send_ping(ucx);
    }
  }
  return bench::seconds_since(start) / iterations * 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  CLI::App app("MPI and UCX active-message round trips (mpirun -np 2)");
  bench::Options options;
  bench::add_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    MPI_Finalize();
    return code;
  }
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const int iterations = options.quick ? 1000 : 10000;
  {
    bench::UcxPeer ucx(UCP_FEATURE_AM | UCP_FEATURE_WAKEUP);
    ucp_am_handler_param_t handler{};
    handler.field_mask = UCP_AM_HANDLER_PARAM_FIELD_ID | UCP_AM_HANDLER_PARAM_FIELD_CB;
    handler.id = ping_id;
    handler.cb = on_ping;
    bench::check_ucx(ucp_worker_set_am_recv_handler(ucx.worker(), &handler),
                     "ucp_worker_set_am_recv_handler");
    const bench::UcxWakeup wakeup(ucx.worker());

    mpi_round_trip_us(rank, ucx.peer_rank(), 100);  // warm: connections, first-touch buffers
    am_round_trip_us(rank, ucx, nullptr, 100);
    std::vector<double> mpi, poll, sleep;
    for (int i = 0; i < options.repetitions; ++i) {
      mpi.push_back(mpi_round_trip_us(rank, ucx.peer_rank(), iterations));
      poll.push_back(am_round_trip_us(rank, ucx, nullptr, iterations));
      sleep.push_back(am_round_trip_us(rank, ucx, &wakeup, iterations));
    }
    if (rank == 0) {
      bench::Results results;
      results.record("mpi_ping_pong", "us", "", mpi);
      results.record("ucx_am_round_trip_poll", "us", "", poll);
      results.record("ucx_am_round_trip_wakeup", "us", "", sleep);
      results.write(options.output);
    }
  }
  MPI_Finalize();
  return 0;
}
