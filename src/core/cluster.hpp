/// @file core/cluster.hpp
/// @brief Where a task runs: this rank when it can start it now, otherwise the least loaded of
/// this rank and two sampled others (power of two choices). The load of another rank is
/// estimated from the tasks this rank sent there and has not heard back about, so choosing costs
/// no messages and O(1) time whatever the number of ranks.
#pragma once

#include "core/executor.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace manta::core {

class Cluster {
 public:
  /// `units` holds each rank's CPU units, `self` is this rank.
  Cluster(int self, std::vector<std::int64_t> units);

  int size() const noexcept { return static_cast<int>(units_.size()); }
  /// The most CPU units one rank has: a larger request can never run.
  std::int64_t largest_rank_units() const noexcept { return largest_; }
  std::int64_t rank_units(int rank) const noexcept { return units_[rank]; }

  /// The rank to run a task needing `units` (which some rank has). Thread-safe.
  int choose(std::int64_t units, const Executor& local) const;
  /// The rank to host an actor holding `units` for its life: this rank if they are not yet
  /// reserved here, else the first rank (from a random start) where they are not, as far as
  /// this rank knows; reserves them there. Thread-safe.
  int place_actor(std::int64_t units);
  /// An actor holding `units` was placed on `rank` by its creator's choice.
  void reserve(int rank, std::int64_t units) noexcept {
    reserved_[rank].fetch_add(units, std::memory_order_relaxed);
  }
  /// An actor placed on `rank` by this rank is gone.
  void unreserve(int rank, std::int64_t units) noexcept {
    reserved_[rank].fetch_sub(units, std::memory_order_relaxed);
  }

  /// A task went to `rank` / came back from it.
  void sent(int rank) noexcept { in_flight_[rank].fetch_add(1, std::memory_order_relaxed); }
  void returned(int rank) noexcept { in_flight_[rank].fetch_sub(1, std::memory_order_relaxed); }

 private:
  double load_of(int rank) const noexcept;

  const int self_;
  const std::vector<std::int64_t> units_;
  const std::int64_t largest_;
  std::unique_ptr<std::atomic<std::int64_t>[]> in_flight_;  ///< tasks sent there, not back yet
  std::unique_ptr<std::atomic<std::int64_t>[]> reserved_;   ///< units of actors placed there
};

}  // namespace manta::core
