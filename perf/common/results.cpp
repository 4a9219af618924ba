#include "results.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace bench {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
  if (values.empty()) throw std::invalid_argument("median of no values");
  std::sort(values.begin(), values.end());
  const auto middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

void check_answer(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("benchmark answer wrong: " + what);
}

namespace {

/// The number after `field` in /proc/self/status.
double status_field(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == field) {
      double value = 0;
      status >> value;
      return value;
    }
    status.ignore(1 << 16, '\n');
  }
  throw std::runtime_error("no " + field + " in /proc/self/status");
}

}  // namespace

double peak_rss_mib() { return status_field("VmHWM:") / 1024; }

double thread_count() { return status_field("Threads:"); }

void add_options(CLI::App& app, Options& options) {
  app.allow_extras();
  app.add_option("--repetitions", options.repetitions, "runs per figure; the median is reported")
      ->check(CLI::PositiveNumber);
  app.add_flag("--quick", options.quick, "smoke run: one repetition, little work");
  app.add_option("--output", options.output, "write the JSON results to this file");
  app.callback([&options] {
    if (options.quick) options.repetitions = 1;
  });
}

void Results::record(const std::string& name, const std::string& unit, const std::string& baseline,
                     const std::vector<double>& runs) {
  const double value = median(runs);
  entries_.push_back(
      {{"name", name},
       {"value", value},
       {"unit", unit},
       {"baseline", baseline.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(baseline)},
       {"runs", runs}});
  std::printf("%-36s %16.3f %-10s %s\n", name.c_str(), value, unit.c_str(),
              baseline.empty() ? "" : ("vs " + baseline).c_str());
  std::fflush(stdout);
}

void Results::measure(const std::string& name, const std::string& unit, const std::string& baseline,
                      int repetitions, const std::function<double()>& run) {
  std::vector<double> runs;
  for (int i = 0; i < repetitions; ++i) runs.push_back(run());
  record(name, unit, baseline, runs);
}

void Results::write(const std::string& path) const {
  if (path.empty()) return;
  std::ofstream file(path);
  file << entries_.dump(2) << "\n";
  if (!file) throw std::runtime_error("cannot write " + path);
}

}  // namespace bench
