/// @file tune/trial_controller.hpp
/// @brief The remote side of a sweep: the actor trials report to, on the driver's rank, and
/// the task that runs one trial on whichever rank has its resources.
#pragma once

#include "tune/experiment.hpp"

#include <manta/tune.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace manta::tune {

/// @brief The experiment as an actor, so that trials on any rank reach it. Its calls run one
/// at a time on the driver's rank; it holds no CPU, so reports never queue behind trials.
class TrialController {
 public:
  explicit TrialController(std::shared_ptr<Experiment> experiment)
      : experiment_(std::move(experiment)) {}

  void started(std::int64_t trial) { experiment_->started(trial); }

  /// @brief Experiment::report: whether the trial goes on.
  bool report(std::int64_t trial, std::int64_t iteration, const Metrics& metrics) {
    return experiment_->report(trial, iteration, metrics);
  }

 private:
  std::shared_ptr<Experiment> experiment_;
};

/// @brief Runs trial `trial`: the trainable registered as `trainable` on `config`, reporting
/// to `controller`. Returns when the trainable returns or the scheduler stopped it; an
/// exception from the trainable fails the task.
void run_trial(const std::string& trainable, std::int64_t trial, const Config& config,
               const ActorHandle<TrialController>& controller);

}  // namespace manta::tune
