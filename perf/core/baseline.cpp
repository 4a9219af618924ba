// Baselines for the same sizes as manta.cpp: what the machine itself does.
#include "bench.hpp"

#include <chrono>
#include <cstring>
#include <memory>

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// memcpy of `bytes` into memory touched before (the store reuses warm pages the same way).
double memcpy_gbps(std::size_t bytes) {
  static std::unique_ptr<char[]> source, target;
  static std::size_t prepared = 0;
  if (prepared < bytes) {
    source.reset(new char[bytes]);
    target.reset(new char[bytes]);
    std::memset(source.get(), 1, bytes);
    std::memset(target.get(), 0, bytes);
    prepared = bytes;
  }
  const auto start = Clock::now();
  std::memcpy(target.get(), source.get(), bytes);
  return static_cast<double>(bytes) / seconds_since(start) / 1e9;
}

}  // namespace

std::vector<Measurement> baseline_measurements(double scale) {
  const auto large = static_cast<std::size_t>(100e6 * scale);
  return {
      {"memcpy_100mb", "GB/s", "", [=] { return memcpy_gbps(large); }},
  };
}

}  // namespace bench
