/// @file tune/tuner.hpp
/// @brief A hyperparameter sweep: run a trainable once per config of a search space, as Manta
/// tasks spread over the job's ranks, with a scheduler stopping trials early (Ray Tune's Tuner).
///
/// Each trial is one task running the trainable (with TuneOptions::resources_per_trial); each
/// report is a call to the experiment's controller, an actor on the driver's rank that asks the
/// scheduler and answers go on or stop. A trial is thus stopped between two reports, without a
/// thread of its own or a rung-wide barrier; a report costs one actor round trip.
///
/// @code
/// MANTA_TRAINABLE(train);
/// int main(int argc, char** argv) {
///   return manta::run(argc, argv, [] {
///     namespace tune = manta::tune;
///     tune::Tuner tuner(train, {{"x", tune::grid({-1.0, 0.0, 1.0})}},
///                       {.metric = "score", .mode = tune::Mode::min});
///     std::cout << to_string(tuner.fit().best().config) << "\n";   // {x: 0}
///   });
/// }
/// @endcode
#pragma once
#include "../detail/public_header.hpp"

#include "../options.hpp"
#include "scheduler.hpp"
#include "search_space.hpp"
#include "trainable.hpp"
#include "trial_result.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>

namespace manta::tune {

/// @brief How a sweep runs. Set by designated initialisers; fields are only added at the end.
struct TuneOptions {
  /// The metric trials report and are ranked by; each report must hold it.
  std::string metric = {};
  Mode mode = Mode::min;
  /// Rounds over the search space's grid (Ray's num_samples), at least 1.
  std::int64_t num_samples = 1;
  /// Seeds the random draws of the search space.
  std::uint64_t seed = 0;
  /// Decides which trials go on after each result; null: a FifoScheduler.
  std::shared_ptr<Scheduler> scheduler = {};
  /// What each trial's task holds while it runs (CPUs, GPUs, memory, custom resources, a
  /// placement-group bundle); its name is set to "trial-<id>". A request no rank can ever hold
  /// fails fit() at once with InfeasibleError.
  TaskOptions resources_per_trial = {};
  /// Trials submitted at once; 0: all of them (they then wait in Manta's queues for resources).
  std::int64_t max_concurrent_trials = 0;
  /// Time between status lines on `status_stream`; zero or negative: only the final line.
  std::chrono::milliseconds status_interval = std::chrono::seconds(1);
  /// Where status lines go; null: nowhere.
  std::ostream* status_stream = nullptr;
  /// Where the experiment's record goes (`experiment.jsonl`: every result and every trial's
  /// end, appended and flushed as they happen); empty: nowhere. Created if missing.
  std::filesystem::path experiment_dir = {};
  /// Carry on the experiment recorded in experiment_dir (Ray's Tuner.restore): trials that had
  /// ended (terminated, stopped or failed) keep their results and do not run again, and their
  /// results are replayed into the scheduler; the others run from the start. Without it, an
  /// experiment_dir that already holds a record is refused.
  bool resume = false;
};

/// @brief A sweep of one trainable over one search space.
class Tuner {
 public:
  /// @throws NotRegisteredError when `trainable` was not registered with MANTA_TRAINABLE
  /// @throws InvalidOptionError for an empty metric, num_samples < 1 or
  /// max_concurrent_trials < 0
  Tuner(Trainable trainable, SearchSpace space, TuneOptions options);

  /// @brief Runs every trial and returns when all have ended. Call from the driver (or any
  /// task) of a running job; trials that fail do not fail the sweep.
  /// @return every trial, in config order
  /// @throws InfeasibleError when no rank can ever hold resources_per_trial
  /// @throws InvalidOptionError when experiment_dir holds a record and resume is off, or holds
  /// another experiment's (trainable, metric, configs)
  ResultGrid fit();

 private:
  std::string trainable_;
  SearchSpace space_;
  TuneOptions options_;
};

}  // namespace manta::tune
