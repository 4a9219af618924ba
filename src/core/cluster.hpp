/// @file core/cluster.hpp
/// @brief Where a task runs: this rank when it can start it now, otherwise the least loaded of
/// this rank and two sampled others that could ever hold it (power of two choices). The load of
/// another rank is estimated from the tasks this rank sent there and has not heard back about,
/// so choosing costs no messages and O(1) time whatever the number of ranks.
#pragma once

#include "core/executor.hpp"
#include "resources/request.hpp"
#include "util/mutex.hpp"

#include <manta/options.hpp>
#include <manta/placement_group.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace manta::core {

/// @brief Resources this rank counts as taken on a rank by an actor it placed there (a hint for
/// later placements; the host's executor does the exact accounting).
struct Reservation {
  int rank = -1;
  resources::Request request;
  std::vector<resources::DeviceShare> granted;
  bool counted_in_full = false;  ///< false: the rank was over-reserved; only CPUs were counted
};

class Cluster {
 public:
  /// `totals` holds each rank's resources, `self` is this rank; `catalog` names the custom ones.
  Cluster(int self, std::vector<resources::Capacity> totals, resources::Catalog catalog);

  int size() const noexcept { return static_cast<int>(totals_.size()); }
  const resources::Capacity& totals(int rank) const noexcept { return totals_[rank]; }
  const resources::Catalog& catalog() const noexcept { return catalog_; }
  /// The most CPUs one rank has: a larger request can never run.
  resources::Amount largest_rank_cpu() const noexcept { return largest_cpu_; }
  /// Whether some rank's totals hold `request` (O(1) for CPU-only requests, else O(ranks)).
  bool feasible(const resources::Request& request) const noexcept;
  /// What the job has, for errors: the totals and the largest rank.
  std::string describe_totals() const;

  /// The rank to run a task needing `request` (which some rank holds). Thread-safe.
  int choose(const resources::Request& request, const Executor& local) const;
  /// The rank to host an actor holding `request` for its life, as `scheduling` says (spread:
  /// the rank this rank has placed the fewest actors on, from itself on, among those where
  /// `request` is not yet reserved; pack: this rank if it is not reserved here, else the first
  /// rank from a random start where it is not), as far as this rank knows; where it is reserved
  /// everywhere, the next rank whose totals hold it. Reserves it there. Thread-safe.
  Reservation place_actor(const resources::Request& request, Scheduling scheduling);
  /// An actor holding `request` was placed on `rank` by its creator's choice.
  Reservation reserve(int rank, const resources::Request& request);
  /// An actor placed by this rank is gone.
  void unreserve(const Reservation& reservation);
  /// The ranks to reserve placement-group `bundles` on with `strategy` (over ranks: PACK fills
  /// as few as it can, SPREAD as many, STRICT_PACK needs one for all, STRICT_SPREAD one each),
  /// reserved in this rank's view. Ranks whose unreserved resources hold the bundles come
  /// first, then ranks whose totals do (the reservation then waits there).
  /// @throws InfeasibleError when no ranks could ever hold them so, showing what the job has
  std::vector<Reservation> place_bundles(const std::vector<resources::Request>& bundles,
                                         PlacementStrategy strategy);

  /// A task went to `rank` / came back from it.
  void sent(int rank) noexcept { in_flight_[rank].fetch_add(1, std::memory_order_relaxed); }
  void returned(int rank) noexcept { in_flight_[rank].fetch_sub(1, std::memory_order_relaxed); }

 private:
  double load_of(int rank) const noexcept;
  Reservation reserve_locked(int rank, const resources::Request& request) MANTA_REQUIRES(mutex_);

  const int self_;
  const std::vector<resources::Capacity> totals_;
  const resources::Catalog catalog_;
  const resources::Amount largest_cpu_;
  std::unique_ptr<std::atomic<std::int64_t>[]> in_flight_;  ///< tasks sent there, not back yet
  util::Mutex mutex_;
  /// Totals minus actors placed.
  std::vector<resources::Pool> unreserved_ MANTA_GUARDED_BY(mutex_);
  std::vector<std::uint64_t> actors_placed_ MANTA_GUARDED_BY(mutex_);  ///< by this rank, per rank
};

}  // namespace manta::core
