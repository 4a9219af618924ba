/// @file tune/experiment.hpp
/// @brief The state of one sweep on the driver's rank: each trial's state, config and last
/// result, the scheduler's decisions, and the status line. Trials reach it through the
/// TrialController actor; the driver loop reads it directly.
#pragma once

#include "tune/experiment_log.hpp"

#include <manta/tune.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace manta::tune {

/// @brief Thread-safe: the controller's calls and the driver loop take mutex_.
class Experiment {
 public:
  /// @param [in] request  what each trial waits for while pending, as status lines say
  /// @param [in] log  where results and ends are appended; null: nowhere
  /// @param [in] recovered  trials that ended in an earlier run: they keep their records, and
  /// their results are replayed into the scheduler (so ASHA's rungs hold them again)
  Experiment(const std::vector<Config>& configs, std::string metric, Mode mode,
             std::shared_ptr<Scheduler> scheduler, std::string request,
             std::unique_ptr<ExperimentLog> log = nullptr,
             const std::map<std::int64_t, RecoveredTrial>& recovered = {});

  /// @brief The trial's task began: pending → running (a trial already ended stays ended).
  void started(std::int64_t trial);

  /// @brief One result of a trial; returns whether the scheduler lets it go on. A trial the
  /// scheduler stops is `stopped` from here on; one it completes, `terminated`.
  /// @throws InvalidOptionError when `metrics` lacks the experiment's metric
  bool report(std::int64_t trial, std::int64_t iteration, const Metrics& metrics);

  /// @brief The trial's task returned: `terminated` unless the scheduler had stopped it.
  void finished(std::int64_t trial);

  /// @brief The trial's task failed with `error`.
  void failed(std::int64_t trial, const std::string& error);

  /// @brief "== Status == 2.1 s, fifo | 4 running, 17 pending (each waits for CPU 1), ... |
  /// best score 0 at {x: 0, y: 0} (trial 12) | 250 results, 119/s".
  std::string status_line() const;

  /// @brief Every trial, in id order.
  std::vector<TrialResult> trials() const;

 private:
  /// Whether `value` is better than the best so far (none yet: any value is).
  bool better_locked(double value) const;
  /// Records a result for the best so far and asks the scheduler about it.
  Decision judge_locked(std::int64_t trial, std::int64_t iteration, double value);

  const std::string metric_;
  const Mode mode_;
  const std::string request_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  mutable std::mutex mutex_;
  std::shared_ptr<Scheduler> scheduler_;  // guarded by mutex_: schedulers are not thread-safe
  std::vector<TrialResult> trials_;       // guarded by mutex_
  std::int64_t results_ = 0;              // guarded by mutex_; reports received, never lowered
  std::optional<std::int64_t> best_;      // guarded by mutex_; the trial of the best result
  double best_value_ = 0;                 // guarded by mutex_; that result's metric
  std::unique_ptr<ExperimentLog> log_;    // guarded by mutex_
};

}  // namespace manta::tune
