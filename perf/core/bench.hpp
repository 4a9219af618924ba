// What each implementation file of the core benchmark provides: a measurement returns the
// figure for one repetition; main.cpp repeats it and keeps the median.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace bench {

struct Measurement {
  std::string name;      ///< snake_case, Ray's benchmark names where they exist
  std::string unit;      ///< "tasks/s", "us", "GB/s", "bytes"
  std::string baseline;  ///< name of the baseline measured in the same run, or empty
  std::function<double()> run;
};

/// Manta's own figures (manta.cpp). `scale` multiplies the work per repetition (1 = full).
std::vector<Measurement> manta_measurements(double scale);
/// Baselines (baseline.cpp): memcpy bandwidth for the same sizes.
std::vector<Measurement> baseline_measurements(double scale);

}  // namespace bench
