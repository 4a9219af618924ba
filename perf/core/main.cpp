// Manta core benchmark: runs each measurement several times, keeps the median, and reports it
// next to its baseline from the same run (the machines are noisy; ratios drift less).
//
//   manta_perf_core [--repetitions 5] [--quick] [--output results.json] [manta flags]
#include "bench.hpp"

#include <manta/manta.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Manta core benchmarks (Ray's microbenchmark names)");
  app.allow_extras();
  int repetitions = 5;
  bool quick = false;
  std::string output;
  app.add_option("--repetitions", repetitions, "runs per measurement; the median is reported");
  app.add_flag("--quick", quick, "a smoke run of seconds: 1% of the work, 3 repetitions");
  app.add_option("--output", output, "write the JSON results to this file");
  CLI11_PARSE(app, argc, argv);
  if (quick) repetitions = std::min(repetitions, 3);
  const double scale = quick ? 0.01 : 1.0;

  return manta::run(argc, argv, [&] {
    std::map<std::string, double> medians;
    nlohmann::json results = nlohmann::json::array();
    auto measure_all = [&](const std::vector<bench::Measurement>& measurements) {
      for (const auto& measurement : measurements) {
        std::vector<double> values;
        for (int i = 0; i < repetitions; ++i) values.push_back(measurement.run());
        const double value = median(values);
        medians[measurement.name] = value;
        nlohmann::json entry = {{"name", measurement.name},
                                {"value", value},
                                {"unit", measurement.unit},
                                {"runs", values}};
        if (!measurement.baseline.empty()) {
          const double baseline = medians.at(measurement.baseline);
          entry["baseline"] = measurement.baseline;
          entry["baseline_value"] = baseline;
          entry["ratio"] = value / baseline;
        }
        results.push_back(entry);
        std::printf("%-28s %14.2f %-10s", measurement.name.c_str(), value,
                    measurement.unit.c_str());
        if (entry.contains("ratio")) {
          std::printf("  %.2fx of %s", entry["ratio"].get<double>(), measurement.baseline.c_str());
        }
        std::printf("\n");
        std::fflush(stdout);
      }
    };
    measure_all(bench::baseline_measurements(scale));
    measure_all(bench::manta_measurements(scale));
    if (!output.empty()) std::ofstream(output) << results.dump(2) << "\n";
  });
}
