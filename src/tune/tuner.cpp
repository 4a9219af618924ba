// The driver loop of a sweep: submit trials (at most max_concurrent_trials at once), collect
// them as they end, print status lines.
#include "tune/experiment.hpp"
#include "tune/trial_controller.hpp"

#include <ostream>

namespace manta::tune {
namespace {

/// What each trial's task holds, as status lines show it: "CPU 1, GPU 0.5, sim 1".
std::string describe_request(const TaskOptions& options) {
  std::string text = "CPU " + to_string(Value{options.num_cpus});
  if (options.num_gpus > 0) text += ", GPU " + to_string(Value{options.num_gpus});
  if (options.memory > 0) text += ", memory " + std::to_string(options.memory);
  for (const auto& [name, amount] : options.resources)
    text += ", " + name + " " + to_string(Value{amount});
  return text;
}

struct RunningTrial {
  std::int64_t id;
  ObjectRef<void> done;
};

}  // namespace

Tuner::Tuner(Trainable trainable, SearchSpace space, TuneOptions options)
    : trainable_(trainable_name(trainable)),
      space_(std::move(space)),
      options_(std::move(options)) {
  if (options_.metric.empty()) {
    throw InvalidOptionError("TuneOptions::metric is empty: name the metric trials report");
  }
  if (options_.num_samples < 1) {
    throw InvalidOptionError("TuneOptions::num_samples is " + std::to_string(options_.num_samples) +
                             ": needs >= 1");
  }
  if (options_.max_concurrent_trials < 0) {
    throw InvalidOptionError("TuneOptions::max_concurrent_trials is " +
                             std::to_string(options_.max_concurrent_trials) +
                             ": needs >= 0 (0: no limit)");
  }
}

ResultGrid Tuner::fit() {
  const std::vector<Config> configs = generate_configs(space_, options_.num_samples, options_.seed);
  auto scheduler = options_.scheduler ? options_.scheduler : std::make_shared<FifoScheduler>();
  std::unique_ptr<ExperimentLog> log;
  std::map<std::int64_t, RecoveredTrial> recovered;
  if (!options_.experiment_dir.empty()) {
    const ExperimentHeader header{trainable_, options_.metric, std::int64_t(configs.size())};
    const auto file = ExperimentLog::file_in(options_.experiment_dir);
    if (std::filesystem::exists(file) && std::filesystem::file_size(file) > 0) {
      if (!options_.resume) {
        throw InvalidOptionError(options_.experiment_dir.string() +
                                 " already holds an experiment: resume it (TuneOptions::resume) "
                                 "or choose another directory");
      }
      recovered = read_experiment_log(file, header, configs);
    }
    log = std::make_unique<ExperimentLog>(file, header);
  }
  auto experiment = std::make_shared<Experiment>(configs, options_.metric, options_.mode, scheduler,
                                                 describe_request(options_.resources_per_trial),
                                                 std::move(log), recovered);
  auto controller = actor<TrialController>().options({.rank = manta::rank()}).remote(experiment);
  const std::size_t limit = options_.max_concurrent_trials > 0
                                ? std::size_t(options_.max_concurrent_trials)
                                : configs.size();
  auto print_status = [&] {
    if (options_.status_stream) *options_.status_stream << experiment->status_line() << std::endl;
  };
  const auto interval = options_.status_interval;
  auto next_status = std::chrono::steady_clock::now() + interval;

  std::vector<RunningTrial> running;
  std::size_t next = 0;
  while (next < configs.size() || !running.empty()) {
    for (; next < configs.size() && running.size() < limit; ++next) {
      if (recovered.contains(std::int64_t(next))) continue;
      TaskOptions per_trial = options_.resources_per_trial;
      per_trial.name = "trial-" + std::to_string(next);
      running.push_back(
          {std::int64_t(next), task(run_trial).options(per_trial).remote(
                                   trainable_, std::int64_t(next), configs[next], controller)});
    }
    if (running.empty()) continue;  // every trial left had ended in an earlier run
    std::vector<ObjectRef<void>> refs;
    for (const auto& trial : running) refs.push_back(trial.done);
    WaitOptions wait_options{.num_returns = 1};
    if (interval.count() > 0) {
      wait_options.timeout = std::max(next_status - std::chrono::steady_clock::now(),
                                      std::chrono::steady_clock::duration::zero());
    }
    wait(std::move(refs), wait_options);
    std::erase_if(running, [&](const RunningTrial& trial) {
      if (!trial.done.ready()) return false;
      try {
        get(trial.done);
        experiment->finished(trial.id);
      } catch (const Error& error) {
        experiment->failed(trial.id, error.what());
      }
      return true;
    });
    if (interval.count() > 0 && std::chrono::steady_clock::now() >= next_status) {
      print_status();
      next_status = std::chrono::steady_clock::now() + interval;
    }
  }
  print_status();
  return ResultGrid(experiment->trials(), options_.metric, options_.mode);
}

}  // namespace manta::tune
