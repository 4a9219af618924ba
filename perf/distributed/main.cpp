// Cross-rank figures, run under `mpirun -np 2`: the round trip of a task sent to rank 1 next to
// one run here, and 100 MB produced on rank 1 and read on rank 0, by one RMA get and in place
// through the mapped store, next to memcpy of the same size in the same run. Medians of
// --repetitions runs; JSON on stdout (and in --output).
//
//   mpirun -np 2 manta_perf_distributed [--repetitions 5] [--quick] [--output results.json]
#include <manta/manta.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int echo(int x) { return x; }
MANTA_REMOTE(echo);

std::vector<std::uint8_t> block_of(std::int64_t bytes) {
  return std::vector<std::uint8_t>(static_cast<std::size_t>(bytes), 7);
}
MANTA_REMOTE(block_of);

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

/// Microseconds per synchronous task on `rank`.
double round_trip_us(int rank, int count) {
  const auto caller = manta::task(echo).options({.rank = rank});
  manta::get(caller.remote(0));  // warm: endpoints, threads
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) manta::get(caller.remote(i));
  return seconds_since(start) / count * 1e6;
}

/// GB/s of the RMA get that brings `bytes` produced on rank 1 into this rank's store, from the
/// runtime's own count of the get's time (issue to completion).
double get_gbps(std::int64_t bytes) {
  const auto before = manta::transfer_stats();
  auto ref = manta::task(block_of).options({.rank = 1}).remote(bytes);
  const auto view = manta::get_view(ref);
  const auto after = manta::transfer_stats();
  if (view.size() != static_cast<std::size_t>(bytes) || view.back() != 7 ||
      after.gets != before.gets + 1) {
    throw std::runtime_error("the object did not arrive by one get");
  }
  return static_cast<double>(after.get_bytes - before.get_bytes) /
         static_cast<double>(after.get_nanoseconds - before.get_nanoseconds);
}

/// GB/s of memcpy of `bytes` between buffers touched before, as the store's pages are.
double memcpy_gbps(std::int64_t bytes) {
  static std::vector<char> source(static_cast<std::size_t>(bytes), 1);
  static std::vector<char> target(static_cast<std::size_t>(bytes), 2);
  const auto start = Clock::now();
  std::memcpy(target.data(), source.data(), source.size());
  return static_cast<double>(bytes) / seconds_since(start) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Manta cross-rank benchmarks");
  app.allow_extras();
  int repetitions = 5;
  bool quick = false;
  std::string output;
  app.add_option("--repetitions", repetitions);
  app.add_flag("--quick", quick);
  app.add_option("--output", output);
  CLI11_PARSE(app, argc, argv);
  manta::RuntimeOptions options = manta::parse_options(argc, argv);
  options.map_peer_stores = false;  // measure the get that crosses nodes, here on one node
  return manta::run(options, [&] {
    if (manta::world_size() < 2) throw std::runtime_error("run under mpirun -np 2");
    nlohmann::json results = nlohmann::json::array();
    const auto record = [&](const std::string& name, const std::string& unit,
                            std::vector<double> values, const std::string& baseline,
                            std::vector<double> baseline_values) {
      const double value = median(values), base = median(baseline_values);
      results.push_back({{"name", name},
                         {"value", value},
                         {"unit", unit},
                         {"baseline", baseline},
                         {"baseline_value", base},
                         {"ratio", value / base},
                         {"runs", values}});
    };
    const int count = quick ? 200 : 5000;
    const std::int64_t bytes = quick ? 10'000'000 : 100'000'000;
    std::vector<double> local, remote, get, copy;
    get_gbps(bytes);  // warm: endpoints, rkeys, store pages on both sides
    for (int i = 0; i < repetitions; ++i) {
      local.push_back(round_trip_us(0, count));
      remote.push_back(round_trip_us(1, count));
      get.push_back(get_gbps(bytes));
      copy.push_back(memcpy_gbps(bytes));
    }
    record("cross_rank_round_trip", "us", remote, "same_rank_round_trip", local);
    record(quick ? "cross_rank_get_10mb" : "cross_rank_get_100mb", "GB/s", get,
           quick ? "memcpy_10mb" : "memcpy_100mb", copy);
    std::cout << results.dump(2) << "\n";
    if (!output.empty()) std::ofstream(output) << results.dump(2) << "\n";
  });
}
