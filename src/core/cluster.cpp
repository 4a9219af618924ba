#include "core/cluster.hpp"

#include <manta/error.hpp>

#include <algorithm>
#include <limits>
#include <random>

namespace manta::core {
namespace {

resources::Amount largest_cpu_of(const std::vector<resources::Capacity>& totals) {
  resources::Amount largest = 0;
  for (const auto& capacity : totals) largest = std::max(largest, capacity.cpu);
  return largest;
}

/// What an actor takes from the unreserved view: the same amounts, without placement-group
/// accounting (bundles reserve on their rank themselves).
resources::Request without_bundle(resources::Request request) {
  request.bundle = -1;
  return request;
}

}  // namespace

Cluster::Cluster(int self, std::vector<resources::Capacity> totals, resources::Catalog catalog)
    : self_(self),
      totals_(std::move(totals)),
      catalog_(std::move(catalog)),
      largest_cpu_(largest_cpu_of(totals_)),
      in_flight_(new std::atomic<std::int64_t>[totals_.size()]),
      actors_placed_(totals_.size(), 0) {
  for (std::size_t i = 0; i < totals_.size(); ++i) in_flight_[i] = 0;
  unreserved_.reserve(totals_.size());
  for (const auto& capacity : totals_) unreserved_.emplace_back(capacity);
}

bool Cluster::feasible(const resources::Request& request) const noexcept {
  if (request.cpu_only()) return request.cpu <= largest_cpu_;
  return std::any_of(totals_.begin(), totals_.end(),
                     [&](const resources::Capacity& capacity) { return capacity.holds(request); });
}

std::string Cluster::describe_totals() const {
  resources::Capacity sum;
  sum.custom.resize(catalog_.size());
  for (const auto& capacity : totals_) {
    sum.cpu += capacity.cpu;
    sum.memory += capacity.memory;
    for (std::size_t i = 0; i < capacity.custom.size(); ++i) sum.custom[i] += capacity.custom[i];
    sum.devices.insert(sum.devices.end(), capacity.devices.begin(), capacity.devices.end());
  }
  std::string text =
      "the " + std::to_string(size()) + " ranks have " + resources::describe(sum, catalog_);
  if (size() > 1)
    text +=
        "; rank " + std::to_string(self_) + " has " + resources::describe(totals_[self_], catalog_);
  return text;
}

Reservation Cluster::reserve_locked(int rank, const resources::Request& request) {
  Reservation reservation{rank, without_bundle(request), {}, false};
  reservation.counted_in_full =
      unreserved_[rank].try_acquire(reservation.request, reservation.granted);
  // Over-reserved: count the CPUs anyway, so later actors look elsewhere first.
  if (!reservation.counted_in_full) unreserved_[rank].acquire_cpu_overcommitted(request.cpu);
  return reservation;
}

Reservation Cluster::place_actor(const resources::Request& request, Scheduling scheduling) {
  const auto actor = without_bundle(request);
  util::LockGuard lock(mutex_);
  const auto unreserved_holds = [&](int rank) MANTA_REQUIRES(mutex_) {
    return unreserved_[rank].available().holds(actor);
  };
  int chosen = -1;
  if (scheduling == Scheduling::spread) {
    for (int i = 0; i < size(); ++i) {
      const int rank = (self_ + i) % size();
      if (unreserved_holds(rank) && (chosen < 0 || actors_placed_[rank] < actors_placed_[chosen])) {
        chosen = rank;
      }
    }
  } else if (unreserved_holds(self_)) {
    chosen = self_;
  }
  if (chosen < 0) {
    thread_local std::minstd_rand random(std::random_device{}());
    const int start = std::uniform_int_distribution<int>(0, size() - 1)(random);
    for (int i = 0; i < size() && chosen < 0; ++i) {
      if (unreserved_holds((start + i) % size())) chosen = (start + i) % size();
    }
    // Everything is taken: wait for resources where the actor can ever fit.
    for (int rank = self_; chosen < 0; rank = (rank + 1) % size()) {
      if (totals_[rank].holds(actor)) chosen = rank;
    }
  }
  ++actors_placed_[static_cast<std::size_t>(chosen)];
  return reserve_locked(chosen, actor);
}

Reservation Cluster::reserve(int rank, const resources::Request& request) {
  util::LockGuard lock(mutex_);
  return reserve_locked(rank, request);
}

void Cluster::unreserve(const Reservation& reservation) {
  util::LockGuard lock(mutex_);
  auto& pool = unreserved_[reservation.rank];
  if (reservation.counted_in_full) {
    pool.release(reservation.request, reservation.granted);
  } else {
    pool.release_cpu(reservation.request.cpu);
  }
}

namespace {

/// Whether `pool` holds all of `bundles` at once (acquired in turn from a copy).
bool holds_all(resources::Pool pool, const std::vector<resources::Request>& bundles) {
  std::vector<resources::DeviceShare> granted;
  for (const auto& bundle : bundles) {
    if (!pool.try_acquire(bundle, granted)) return false;
  }
  return true;
}

const char* strategy_name(PlacementStrategy strategy) {
  switch (strategy) {
    case PlacementStrategy::pack:
      return "PACK";
    case PlacementStrategy::spread:
      return "SPREAD";
    case PlacementStrategy::strict_pack:
      return "STRICT_PACK";
    case PlacementStrategy::strict_spread:
      return "STRICT_SPREAD";
  }
  return "?";
}

}  // namespace

std::vector<Reservation> Cluster::place_bundles(const std::vector<resources::Request>& bundles,
                                                PlacementStrategy strategy) {
  util::LockGuard lock(mutex_);
  // Views to try in turn: what is not yet reserved (as far as this rank knows), then totals.
  std::vector<resources::Pool> totals;
  for (const auto& capacity : totals_) totals.emplace_back(capacity);
  const std::vector<std::vector<resources::Pool>*> views{&unreserved_, &totals};
  const auto ranks_from_here = [&] {
    std::vector<int> order;
    for (int i = 0; i < size(); ++i) order.push_back((self_ + i) % size());
    return order;
  }();
  std::vector<int> chosen(bundles.size(), -1);

  const bool pack =
      strategy == PlacementStrategy::pack || strategy == PlacementStrategy::strict_pack;
  if (pack) {
    for (const auto* view : views) {
      for (const int rank : ranks_from_here) {
        if (chosen[0] < 0 && holds_all((*view)[rank], bundles)) chosen.assign(bundles.size(), rank);
      }
    }
  }
  if (chosen[0] < 0 && strategy != PlacementStrategy::strict_pack) {
    // One bundle at a time, each acquired from a copy of the view it went to.
    std::vector<std::vector<resources::Pool>> simulated{unreserved_, totals};
    std::vector<int> used(size(), 0);
    const bool strict = strategy == PlacementStrategy::strict_spread;
    int current = self_;
    for (std::size_t i = 0; i < bundles.size(); ++i) {
      std::vector<resources::DeviceShare> granted;
      const auto take = [&](int rank, std::size_t view) {
        if (chosen[i] >= 0 || (strict && used[rank] > 0)) return;
        if (!simulated[view][rank].try_acquire(bundles[i], granted)) return;
        if (view == 0) simulated[1][rank].try_acquire(bundles[i], granted);
        chosen[i] = rank;
      };
      for (std::size_t view = 0; view < simulated.size() && chosen[i] < 0; ++view) {
        if (pack) take(current, view);
        // Spreading: ranks holding fewest of this group's bundles first.
        for (int round = 0; chosen[i] < 0 && round <= static_cast<int>(bundles.size()); ++round) {
          for (const int rank : ranks_from_here) {
            if (pack || used[rank] == round) take(rank, view);
          }
        }
      }
      if (chosen[i] < 0) break;
      current = chosen[i];
      ++used[chosen[i]];
    }
  }
  if (std::find(chosen.begin(), chosen.end(), -1) != chosen.end()) {
    std::string asked;
    for (std::size_t i = 0; i < bundles.size(); ++i) {
      asked += (i ? "; " : "") + std::string("{") + resources::describe(bundles[i], catalog_) + "}";
    }
    throw InfeasibleError("placement group of " + std::to_string(bundles.size()) + " bundles (" +
                          strategy_name(strategy) + ": " + asked +
                          ") could never be placed: " + describe_totals() +
                          (strategy == PlacementStrategy::strict_pack
                               ? " (STRICT_PACK needs one rank that holds them all)"
                           : strategy == PlacementStrategy::strict_spread
                               ? " (STRICT_SPREAD needs a different rank for each)"
                               : ""));
  }
  std::vector<Reservation> reservations;
  for (std::size_t i = 0; i < bundles.size(); ++i) {
    reservations.push_back(reserve_locked(chosen[i], bundles[i]));
  }
  return reservations;
}

double Cluster::load_of(int rank) const noexcept {
  const double cpus =
      std::max(1.0, static_cast<double>(totals_[rank].cpu) / resources::units_per_unit);
  return (static_cast<double>(in_flight_[rank].load(std::memory_order_relaxed)) + 1) / cpus;
}

int Cluster::choose(const resources::Request& request, const Executor& local) const {
  const bool fits_here = totals_[self_].holds(request);
  if (size() == 1 || (fits_here && request.cpu_only() && local.can_start_now(request.cpu))) {
    return self_;
  }
  thread_local std::minstd_rand random(std::random_device{}());
  std::uniform_int_distribution<int> other(0, size() - 2);
  int best = self_;
  double best_load =
      fits_here
          ? (local.load_in_cpus() + 1) /
                std::max(1.0, static_cast<double>(totals_[self_].cpu) / resources::units_per_unit)
          : std::numeric_limits<double>::infinity();
  for (int sample = 0; sample < 2; ++sample) {
    int rank = other(random);
    if (rank >= self_) ++rank;  // any rank but this one
    if (!totals_[rank].holds(request)) continue;
    if (const double load = load_of(rank); load < best_load) {
      best = rank;
      best_load = load;
    }
  }
  if (best == self_ && !fits_here) {
    // Neither sample could take it: the first rank that can (one exists, checked at submission).
    for (int rank = 0; rank < size(); ++rank) {
      if (totals_[rank].holds(request)) return rank;
    }
  }
  return best;
}

}  // namespace manta::core
