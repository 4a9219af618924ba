// What each implementation file of the core benchmark provides: a list of measurements, each
// returning the figure of one repetition; main.cpp repeats them and keeps the median.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace bench {

/// The work of Ray's small tasks and calls: next to nothing, so the runtime's cost shows.
inline int small_value(int x) { return x + 1; }

/// The Ray Core tutorial's retrieval (apps/tutorial): an item of a small database, after
/// item / 10 seconds, as if the database were slow.
inline std::pair<int, std::string> retrieve(int item) {
  static const std::vector<std::string> database = {"Learning", "Ray", "Flexible", "Distributed",
                                                    "Python",   "for", "Machine",  "Learning"};
  std::this_thread::sleep_for(std::chrono::duration<double>(item / 10.));
  return {item, database.at(static_cast<std::size_t>(item))};
}
/// Items the tutorial retrieves: eight, the slowest taking 0.7 s.
constexpr int tutorial_items = 8;

/// The nested-task benchmark's recursion: fib(25) makes 242,785 calls (or tasks).
constexpr int fib_argument = 25;
constexpr int fib_calls = 242'785;
constexpr int fib_value = 75'025;

/// Keeps the compiler from optimising away work whose result is `pointer` (as Google
/// Benchmark's DoNotOptimize does).
inline void escape(const void* pointer) { asm volatile("" : : "g"(pointer) : "memory"); }

struct Measurement {
  std::string name;      ///< snake_case; Ray's benchmark names where they exist
  std::string unit;      ///< "tasks/s", "GB/s", "s", "MiB", ...: rates ("/s") are better higher
  std::string baseline;  ///< the figure it is compared with (baseline.cpp), or empty
  std::function<double()> run;
  /// Measured only when named by --only, in a process of its own: peak memory is then its own,
  /// and the runtime can be started with the flags it needs (the tutorial's --num-cpus 8).
  bool own_process = false;
  /// Also report the process's peak RSS after it, as `<name>_peak_rss` in MiB, compared with
  /// `<baseline>_peak_rss`. Only for own_process measurements.
  bool peak_rss = false;
  /// Also report the process's thread count after it, as `<name>_threads`. Only for
  /// own_process measurements.
  bool thread_count = false;
};

/// Sizes of the work: full runs, or the tiny ones of a smoke run.
struct Scale {
  bool quick = false;
  /// `full` items, or a hundredth of them (at least `least`) in a smoke run.
  int count(int full, int least = 10) const { return quick ? std::max(least, full / 100) : full; }
};

/// Bytes of the large objects (put, memcpy): 100 MB, as in the targets.
constexpr std::size_t large_bytes = 100'000'000;
/// Tasks of Ray's batch benchmarks (tasks and get batch, wait 1k refs).
constexpr int batch_size = 1000;

/// Manta's figures (manta.cpp).
std::vector<Measurement> manta_measurements(Scale scale);
/// Their baselines, the same work without Manta (baseline.cpp).
std::vector<Measurement> baseline_measurements(Scale scale);

}  // namespace bench
