/// @file tune/asha_scheduler.hpp
/// @brief Asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel
/// Hyperparameter Tuning", MLSys 2020), as Ray Tune's ASHAScheduler.
///
/// Rungs sit at iterations grace_period · η^k below max_t. A trial reaching a rung is compared
/// with the results other trials recorded at that rung so far: it goes on only if its score is
/// at least the (1 − 1/η) quantile of them (it is in their top 1/η), else it stops there. The
/// first trial at a rung always goes on. No trial waits for others: decisions are taken as
/// results arrive, so adding workers scales linearly. A trial reaching max_t is complete.
///
/// @code
/// auto asha = std::make_shared<manta::tune::AshaScheduler>(
///     manta::tune::AshaOptions{.grace_period = 1, .reduction_factor = 3, .max_t = 27});
/// tuner_options.scheduler = asha;
/// @endcode
#pragma once
#include "../detail/public_header.hpp"

#include "scheduler.hpp"

#include <cstdint>
#include <map>
#include <vector>

namespace manta::tune {

/// @brief ASHA's parameters (Ray's names). Checked by AshaScheduler's constructor.
struct AshaOptions {
  /// Iterations every trial runs before it can be stopped: the lowest rung, at least 1.
  std::int64_t grace_period = 1;
  /// η: a trial goes on past a rung when it is in the top 1/η there; more than 1.
  double reduction_factor = 4;
  /// Iterations after which a trial is complete (Decision::complete); at least grace_period.
  std::int64_t max_t = 100;
};

/// @brief ASHA's stopping rule over rungs. Not thread-safe (the experiment serialises calls).
class AshaScheduler final : public Scheduler {
 public:
  /// @throws InvalidOptionError for grace_period < 1, reduction_factor <= 1 or max_t <
  /// grace_period
  explicit AshaScheduler(AshaOptions options = {});

  Decision on_result(std::int64_t trial, std::int64_t iteration, double score) override;
  std::string describe() const override;

  /// @brief The iterations of the rungs, lowest first: grace_period · η^k < max_t.
  const std::vector<std::int64_t>& rungs() const noexcept { return rungs_; }

  /// @brief The scores recorded at rung `milestone` so far, by trial.
  const std::map<std::int64_t, double>& recorded(std::int64_t milestone) const;

 private:
  AshaOptions options_;
  std::vector<std::int64_t> rungs_;
  /// Rung milestone → the score each trial had when it reached it; one entry per trial per
  /// rung, added when the trial first reports at or past the milestone, never removed.
  std::map<std::int64_t, std::map<std::int64_t, double>> recorded_;
};

}  // namespace manta::tune
