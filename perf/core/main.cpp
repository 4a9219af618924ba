// Manta's single-rank benchmarks: Ray's microbenchmark set (python/ray/_private/ray_perf.py)
// and a few of Manta's own, each next to a baseline doing the same work without Manta in the
// same run (the machines are noisy; ratios drift less than absolute figures).
//
//   manta_perf_core [--repetitions 5] [--quick] [--output FILE] [--only NAME,...]
//                   [--variant V] [--versus W] [manta flags]
//
// Measurements marked own_process run only when named: run.sh starts one process for each.
// An A/B of a runtime setting runs the same figures in two processes: one with --variant off,
// the other with --variant on --versus off (and the setting), so that each figure `x_on` is
// compared with `x_off` of the same run.
#include "../common/results.hpp"
#include "bench.hpp"

#include <manta/manta.hpp>

#include <algorithm>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  CLI::App app("Manta core benchmarks (Ray's microbenchmark names)");
  bench::Options options;
  bench::add_options(app, options);
  std::vector<std::string> only;
  app.add_option("--only", only, "measure only these (comma-separated), own-process ones too")
      ->delimiter(',');
  std::string variant;
  app.add_option("--variant", variant, "append _V to the name of every figure measured");
  std::string versus;
  app.add_option("--versus", versus, "compare each figure x with x_W, not with its baseline");
  CLI11_PARSE(app, argc, argv);
  const bench::Scale scale{options.quick};

  std::vector<bench::Measurement> measurements = bench::baseline_measurements(scale);
  for (auto& measurement : bench::manta_measurements(scale)) {
    measurements.push_back(std::move(measurement));
  }
  for (const auto& name : only) {
    if (std::none_of(measurements.begin(), measurements.end(),
                     [&](const bench::Measurement& m) { return m.name == name; })) {
      std::fprintf(stderr, "--only: no measurement named '%s'\n", name.c_str());
      return 2;
    }
  }

  return manta::run(argc, argv, [&] {
    bench::Results results;
    for (const auto& measurement : measurements) {
      const bool selected =
          only.empty() ? !measurement.own_process
                       : std::find(only.begin(), only.end(), measurement.name) != only.end();
      if (!selected) continue;
      const std::string name =
          variant.empty() ? measurement.name : measurement.name + "_" + variant;
      const std::string baseline =
          versus.empty() ? measurement.baseline : measurement.name + "_" + versus;
      results.measure(name, measurement.unit, baseline, options.repetitions, measurement.run);
      if (measurement.peak_rss) {
        results.record(name + "_peak_rss", "MiB", baseline.empty() ? "" : baseline + "_peak_rss",
                       {bench::peak_rss_mib()});
      }
      if (measurement.thread_count) {
        results.record(name + "_threads", "threads", "", {bench::thread_count()});
      }
    }
    results.write(options.output);
  });
}
