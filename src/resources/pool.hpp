/// @file resources/pool.hpp
/// @brief The resources of one rank (or of one placement-group bundle on it), counted exactly.
#pragma once

#include "resources/request.hpp"

#include <span>
#include <vector>

namespace manta::resources {

/// @brief Total and free amounts; acquire when work starts, release when it ends. Not
/// thread-safe: the scheduler locks.
///
/// A worker blocked in `get` gives its CPUs back (only its CPUs: GPUs and the rest stay with the
/// task) and takes them again on waking even when that overcommits the pool for a moment, as Ray
/// does, so that nested waits cannot deadlock a full pool.
class Pool {
 public:
  explicit Pool(Capacity total);

  /// Takes what `request` asks for if it is free now; fills `granted` with the GPU shares taken
  /// (the fullest device that still fits a fraction, so fractions pack onto few devices).
  bool try_acquire(const Request& request, std::vector<DeviceShare>& granted);
  /// The fast path of try_acquire for Request::cpu_only().
  bool try_acquire_cpu(Amount cpu) noexcept {
    // No CPU asked, none needed, even while blocked workers overcommit the pool.
    if (cpu > 0 && cpu > available_.cpu) return false;
    available_.cpu -= cpu;
    return true;
  }
  void release(const Request& request, std::span<const DeviceShare> granted);
  void release_cpu(Amount cpu) noexcept { available_.cpu += cpu; }
  /// Takes CPUs back even if that overcommits the pool (a blocked worker waking up).
  void acquire_cpu_overcommitted(Amount cpu) noexcept { available_.cpu -= cpu; }

  const Capacity& total() const noexcept { return total_; }
  const Capacity& available() const noexcept { return available_; }

 private:
  DeviceShare* device(int ordinal);

  Capacity total_;
  Capacity available_;
};

}  // namespace manta::resources
