// Cross-rank figures, under `mpirun -np 2`: the round trip of a task sent to rank 1, and objects
// of 1 MB and 100 MB produced on rank 1 and brought to rank 0 by the runtime's RMA get (peer
// stores are not mapped, so the get that crosses nodes is measured here on one node). Their
// baselines come from the raw programs of the same run: mpi_ping_pong (control_latency) and
// ucx_get_1mb / ucx_get_100mb (ucx_get).
//
//   mpirun -np 2 manta_perf_distributed [--repetitions 5] [--quick] [--output FILE]
#include "../common/results.hpp"

#include <manta/manta.hpp>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace {

int echo(int x) { return x; }
MANTA_REMOTE(echo);

std::vector<std::uint8_t> block_of(std::int64_t bytes) {
  return std::vector<std::uint8_t>(static_cast<std::size_t>(bytes), 7);
}
MANTA_REMOTE(block_of);

constexpr std::int64_t one_mb = 1'000'000;
constexpr std::int64_t hundred_mb = 100'000'000;

/// Microseconds per synchronous task on rank 1.
double round_trip_us(int count) {
  const auto caller = manta::task(echo).options({.rank = 1});
  const auto start = bench::Clock::now();
  long sum = 0;
  for (int i = 0; i < count; ++i) sum += manta::get(caller.remote(1));
  const double micros = bench::seconds_since(start) / count * 1e6;
  bench::check_answer(sum == count, "cross_rank_round_trip");
  return micros;
}

/// GB/s of the RMA gets that bring `count` objects of `bytes`, produced on rank 1 one after the
/// other, into this rank's store: the runtime's own count of each get's time, from issue to
/// completion, as ucx_get times its gets.
double get_gbps(std::int64_t bytes, int count) {
  const auto before = manta::transfer_stats();
  for (int i = 0; i < count; ++i) {
    const auto ref = manta::task(block_of).options({.rank = 1}).remote(bytes);
    const auto view = manta::get_view(ref);
    bench::check_answer(view.size() == static_cast<std::size_t>(bytes) && view.back() == 7,
                        "the object's bytes");
  }
  const auto after = manta::transfer_stats();
  bench::check_answer(after.gets == before.gets + static_cast<std::uint64_t>(count),
                      "one get per object");
  return static_cast<double>(after.get_bytes - before.get_bytes) /
         static_cast<double>(after.get_nanoseconds - before.get_nanoseconds);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Manta cross-rank benchmarks (mpirun -np 2)");
  bench::Options options;
  bench::add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  manta::RuntimeOptions runtime_options = manta::parse_options(argc, argv);
  runtime_options.map_peer_stores = false;  // measure the get that crosses nodes
  return manta::run(runtime_options, [&] {
    if (manta::world_size() != 2) throw std::runtime_error("run under mpirun -np 2");
    const int round_trips = options.quick ? 200 : 5000;
    const int mb_objects = options.quick ? 5 : 20;
    get_gbps(hundred_mb, 1);  // warm: endpoints, rkeys, store pages on both sides
    round_trip_us(10);
    std::vector<double> round_trip, mb, large;
    for (int i = 0; i < options.repetitions; ++i) {
      round_trip.push_back(round_trip_us(round_trips));
      mb.push_back(get_gbps(one_mb, mb_objects));
      large.push_back(get_gbps(hundred_mb, 1));
    }
    bench::Results results;
    results.record("cross_rank_round_trip", "us", "mpi_ping_pong", round_trip);
    results.record("cross_rank_get_1mb", "GB/s", "ucx_get_1mb", mb);
    results.record("cross_rank_get_100mb", "GB/s", "ucx_get_100mb", large);
    results.write(options.output);
  });
}
