/// @file tune/scheduler.hpp
/// @brief The interface of trial schedulers: after each result, whether its trial goes on.
///
/// The experiment calls a scheduler from one thread at a time, so implementations need no lock.
/// Scores are oriented so that higher is better: the experiment negates the metric when its
/// mode is Mode::min.
#pragma once
#include "../detail/public_header.hpp"

#include <cstdint>
#include <string>

namespace manta::tune {

/// @brief Whether the experiment's metric is minimised or maximised.
enum class Mode { min, max };

/// @brief What a scheduler decides about a trial after one of its results.
enum class Decision {
  go_on,     ///< the trial runs on
  stop,      ///< the trial ends here, stopped early (TrialState::stopped)
  complete,  ///< the trial has had its budget (ASHA's max_t): it ends as TrialState::terminated
};

/// @brief Decides, result by result, which trials go on (Ray Tune's TrialScheduler).
class Scheduler {
 public:
  virtual ~Scheduler() = default;

  /// @brief One result of trial `trial` at `iteration` (1, 2, ...), with `score` (higher is
  /// better); returns whether the trial goes on.
  virtual Decision on_result(std::int64_t trial, std::int64_t iteration, double score) = 0;

  /// @brief The scheduler as text, for status lines: "asha(grace 1, eta 3, max_t 10)".
  virtual std::string describe() const = 0;
};

}  // namespace manta::tune
