/// @file tune/trial_result.hpp
/// @brief What a sweep knows of each trial: its state, config and last metrics; and the results
/// of a whole sweep, with its best trial (Ray Tune's ResultGrid).
///
/// @code
/// manta::tune::ResultGrid results = tuner.fit();
/// const manta::tune::TrialResult& best = results.best();
/// std::cout << to_string(best.config) << " " << best.metrics.at("score") << "\n";
/// results.write_csv("results.csv");
/// @endcode
#pragma once
#include "../detail/public_header.hpp"

#include "config.hpp"
#include "reporter.hpp"
#include "scheduler.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace manta::tune {

/// @brief Where a trial is in its life. pending → running → one of the three ends.
enum class TrialState {
  pending,     ///< submitted, waiting for its resources (or for a max_concurrent_trials slot)
  running,     ///< its trainable runs
  terminated,  ///< its trainable returned, or the scheduler said it had its budget
  stopped,     ///< the scheduler stopped it early (ASHA at a rung)
  error,       ///< its trainable threw, or its task failed; TrialResult::error says why
};

/// @brief The state's name: "pending", "running", "terminated", "stopped", "error".
const char* to_string(TrialState state) noexcept;

/// @brief One trial as the experiment recorded it.
struct TrialResult {
  std::int64_t id = 0;  ///< its index among the sweep's configs (generate_configs' order)
  Config config = {};
  TrialState state = TrialState::pending;
  std::int64_t iterations = 0;  ///< results it reported
  Metrics metrics = {};         ///< its last result; empty before the first
  std::string error = {};       ///< why it failed, for TrialState::error
};

/// @brief The trials of a finished sweep, in id order, and the metric they were ranked by.
class ResultGrid {
 public:
  ResultGrid(std::vector<TrialResult> trials, std::string metric, Mode mode)
      : trials_(std::move(trials)), metric_(std::move(metric)), mode_(mode) {}

  const std::vector<TrialResult>& trials() const noexcept { return trials_; }

  /// @brief The trial whose last result has the best metric (the lowest for Mode::min), earliest
  /// id on ties; trials that reported nothing do not count.
  /// @throws InvalidOptionError when no trial reported a result
  const TrialResult& best() const;

  /// @brief Trials in `state`.
  std::int64_t count(TrialState state) const;

  /// @brief Writes one line per trial: trial_id, state, iterations, each config parameter, each
  /// metric (the union over trials, empty where a trial lacks it), error. Values are quoted
  /// when they hold a comma, quote or newline.
  /// @throws InvalidOptionError when the file cannot be written
  void write_csv(const std::filesystem::path& file) const;

 private:
  std::vector<TrialResult> trials_;
  std::string metric_;
  Mode mode_;
};

}  // namespace manta::tune
