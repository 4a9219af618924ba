// The controller actor and the trial task, registered with the runtime.
#include "tune/trial_controller.hpp"

#include <thread>

namespace manta::tune {
namespace {

/// Sends each result to the controller and waits for its decision: one actor round trip. It
/// polls rather than blocks in `get`: a blocked task gives its CPUs back, and another trial would
/// start on them, so ranks would run more trials than their CPUs hold.
class ControllerReporter final : public Reporter {
 public:
  ControllerReporter(const ActorHandle<TrialController>& controller, std::int64_t trial)
      : controller_(controller), trial_(trial) {}

 protected:
  bool on_report(std::int64_t iteration, const Metrics& metrics) override {
    const auto decision =
        controller_.call(&TrialController::report).remote(trial_, iteration, metrics);
    while (!decision.ready()) std::this_thread::yield();
    return get(decision);
  }

 private:
  const ActorHandle<TrialController>& controller_;
  std::int64_t trial_;
};

}  // namespace

void run_trial(const std::string& trainable, std::int64_t trial, const Config& config,
               const ActorHandle<TrialController>& controller) {
  const Trainable train = find_trainable(trainable);
  controller.call(&TrialController::started).remote(trial);
  ControllerReporter reporter(controller, trial);
  try {
    train(config, reporter);
  } catch (const TrialStopped&) {
    // The scheduler's decision, already recorded by the experiment.
  }
}

}  // namespace manta::tune

MANTA_ACTOR(manta::tune::TrialController, started, report);
MANTA_REMOTE(manta::tune::run_trial);
