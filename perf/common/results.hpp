/// @file common/results.hpp
/// @brief What every benchmark program of perf/ shares: its flags, the clock, the median of
/// repeated runs, peak memory, and the JSON list it writes for perf/report to merge.
///
/// A program writes one entry per figure: `name`, `value` (the median of `runs`), `unit`,
/// `baseline` (the name of the figure it is compared with, measured in the same run by this or
/// another program; null for a baseline itself) and `runs`. Whether higher or lower is better
/// follows from the unit (rates end in "/s"); perf/report works it out.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start);

/// The middle value (mean of the two middle ones for an even count). `values` must not be empty.
double median(std::vector<double> values);

/// Throws naming `what` unless `ok`: every benchmark checks its answer, so a fast wrong result
/// never becomes a figure.
void check_answer(bool ok, const std::string& what);

/// Peak resident set size of this process so far (VmHWM), in MiB.
double peak_rss_mib();

/// Threads of this process now (Threads in /proc/self/status).
double thread_count();

/// Flags every benchmark program takes.
struct Options {
  int repetitions = 5;  ///< runs per figure; the median is reported
  bool quick = false;   ///< a smoke run: one repetition, far less work; figures not comparable
  std::string output;   ///< JSON file to write; empty prints only
};

/// Adds --repetitions, --quick and --output to `app`; leaves unknown flags (Manta's own, such as
/// --num-cpus) to the runtime.
void add_options(CLI::App& app, Options& options);

/// @brief The figures one program measured, in the order measured.
class Results {
 public:
  /// Records a figure measured `runs.size()` times; prints it at once (long runs show progress).
  void record(const std::string& name, const std::string& unit, const std::string& baseline,
              const std::vector<double>& runs);
  /// Runs `run` `repetitions` times and records the figures it returns.
  void measure(const std::string& name, const std::string& unit, const std::string& baseline,
               int repetitions, const std::function<double()>& run);
  /// Writes the JSON list to `path` (nothing when empty).
  void write(const std::string& path) const;

 private:
  nlohmann::ordered_json entries_ = nlohmann::ordered_json::array();
};

}  // namespace bench
