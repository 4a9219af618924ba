/// @file resources/cpu_pool.hpp
/// @brief CPU slots of one rank, counted exactly: amounts are fixed point (1/10000 CPU), so
/// fractional requests add up and give back without rounding drift.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace manta::resources {

inline constexpr std::int64_t units_per_cpu = 10000;

/// `cpus` in fixed-point units. @throws manta::InvalidOptionError for negative, NaN or huge values,
/// naming `what` and `name` ("num_cpus of task" 'f'); the message is built only then, so the
/// task hot path allocates nothing here.
std::int64_t cpu_units(double cpus, std::string_view what, std::string_view name = {});
/// "1.5" for 15000 units.
std::string format_cpus(std::int64_t units);

/// @brief Total and available CPU units of a rank. Not thread-safe: the scheduler locks.
///
/// `available` drops when a task starts (acquire) and rises when it ends (release). A worker
/// blocked in `get` gives its units back and takes them again on waking even when that
/// overcommits the rank for a moment (available < 0), as Ray does, so that nested waits cannot
/// deadlock a full pool.
class CpuPool {
 public:
  explicit CpuPool(std::int64_t total_units) : total_(total_units), available_(total_units) {}

  /// Takes `units` if they are available now.
  bool try_acquire(std::int64_t units) noexcept {
    if (units > available_) return false;
    available_ -= units;
    return true;
  }
  /// Takes `units` even if that overcommits the rank (a blocked worker waking up).
  void acquire_overcommitted(std::int64_t units) noexcept { available_ -= units; }
  void release(std::int64_t units) noexcept { available_ += units; }

  std::int64_t total() const noexcept { return total_; }
  std::int64_t available() const noexcept { return available_; }

 private:
  std::int64_t total_;
  std::int64_t available_;
};

}  // namespace manta::resources
