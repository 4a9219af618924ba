#include "core/cluster.hpp"

#include "resources/cpu_pool.hpp"

#include <algorithm>
#include <limits>
#include <random>

namespace manta::core {

Cluster::Cluster(int self, std::vector<std::int64_t> units)
    : self_(self),
      units_(std::move(units)),
      largest_(*std::max_element(units_.begin(), units_.end())),
      in_flight_(new std::atomic<std::int64_t>[units_.size()]),
      reserved_(new std::atomic<std::int64_t>[units_.size()]) {
  for (std::size_t i = 0; i < units_.size(); ++i) in_flight_[i] = reserved_[i] = 0;
}

int Cluster::place_actor(std::int64_t units) {
  const auto fits = [&](int rank) {
    return units_[rank] - reserved_[rank].load(std::memory_order_relaxed) >= units;
  };
  int chosen = -1;
  if (fits(self_)) {
    chosen = self_;
  } else {
    thread_local std::minstd_rand random(std::random_device{}());
    const int start = std::uniform_int_distribution<int>(0, size() - 1)(random);
    for (int i = 0; i < size() && chosen < 0; ++i) {
      if (fits((start + i) % size())) chosen = (start + i) % size();
    }
    // Everything is taken: wait for units where the actor can ever fit.
    for (int rank = self_; chosen < 0; rank = (rank + 1) % size()) {
      if (units_[rank] >= units) chosen = rank;
    }
  }
  reserved_[chosen].fetch_add(units, std::memory_order_relaxed);
  return chosen;
}

double Cluster::load_of(int rank) const noexcept {
  const double cpus = static_cast<double>(units_[rank]) / resources::units_per_cpu;
  return (static_cast<double>(in_flight_[rank].load(std::memory_order_relaxed)) + 1) / cpus;
}

int Cluster::choose(std::int64_t units, const Executor& local) const {
  const bool fits_here = units <= units_[self_];
  if (size() == 1 || (fits_here && local.can_start_now(units))) return self_;

  thread_local std::minstd_rand random(std::random_device{}());
  std::uniform_int_distribution<int> other(0, size() - 2);
  int best = self_;
  double best_load = fits_here ? (local.load_in_cpus() + 1) /
                                     (static_cast<double>(units_[self_]) / resources::units_per_cpu)
                               : std::numeric_limits<double>::infinity();
  for (int sample = 0; sample < 2; ++sample) {
    int rank = other(random);
    if (rank >= self_) ++rank;  // any rank but this one
    if (units_[rank] < units) continue;
    if (const double load = load_of(rank); load < best_load) {
      best = rank;
      best_load = load;
    }
  }
  if (best == self_ && !fits_here) {
    // Neither sample could take it: the first rank that can (one exists, checked at submission).
    for (int rank = 0; rank < size(); ++rank) {
      if (units_[rank] >= units) return rank;
    }
  }
  return best;
}

}  // namespace manta::core
