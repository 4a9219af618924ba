// A sweep's state on the driver's rank, and its status line.
#include "tune/experiment.hpp"

#include <cstdio>

namespace manta::tune {

Experiment::Experiment(const std::vector<Config>& configs, std::string metric, Mode mode,
                       std::shared_ptr<Scheduler> scheduler, std::string request,
                       std::unique_ptr<ExperimentLog> log,
                       const std::map<std::int64_t, RecoveredTrial>& recovered)
    : metric_(std::move(metric)),
      mode_(mode),
      request_(std::move(request)),
      scheduler_(std::move(scheduler)),
      log_(std::move(log)) {
  trials_.reserve(configs.size());
  for (std::size_t id = 0; id < configs.size(); ++id) {
    trials_.push_back({.id = std::int64_t(id), .config = configs[id]});
  }
  std::lock_guard lock(mutex_);
  for (const auto& [id, trial] : recovered) {
    trials_.at(std::size_t(id)) = trial.trial;
    for (const auto& [iteration, metrics] : trial.results) {
      const auto value = metrics.find(metric_);
      if (value != metrics.end()) judge_locked(id, iteration, value->second);
    }
  }
}

Decision Experiment::judge_locked(std::int64_t trial, std::int64_t iteration, double value) {
  if (better_locked(value)) {
    best_ = trial;
    best_value_ = value;
  }
  return scheduler_->on_result(trial, iteration, mode_ == Mode::max ? value : -value);
}

void Experiment::started(std::int64_t trial) {
  std::lock_guard lock(mutex_);
  auto& record = trials_.at(std::size_t(trial));
  if (record.state == TrialState::pending) record.state = TrialState::running;
}

bool Experiment::report(std::int64_t trial, std::int64_t iteration, const Metrics& metrics) {
  const auto value = metrics.find(metric_);
  if (value == metrics.end()) {
    std::string reported;
    for (const auto& [name, number] : metrics) reported += (reported.empty() ? "" : ", ") + name;
    throw InvalidOptionError("trial " + std::to_string(trial) + " reported no '" + metric_ +
                             "', the experiment's metric (it reported: " +
                             (reported.empty() ? "nothing" : reported) + ")");
  }
  std::lock_guard lock(mutex_);
  auto& record = trials_.at(std::size_t(trial));
  record.state = TrialState::running;
  record.iterations = iteration;
  record.metrics = metrics;
  ++results_;
  if (log_) log_->result(trial, iteration, metrics);
  const Decision decision = judge_locked(trial, iteration, value->second);
  if (decision == Decision::stop) record.state = TrialState::stopped;
  if (decision == Decision::complete) record.state = TrialState::terminated;
  return decision == Decision::go_on;
}

void Experiment::finished(std::int64_t trial) {
  std::lock_guard lock(mutex_);
  auto& record = trials_.at(std::size_t(trial));
  if (record.state != TrialState::stopped) record.state = TrialState::terminated;
  if (log_) log_->ended(record);
}

void Experiment::failed(std::int64_t trial, const std::string& error) {
  std::lock_guard lock(mutex_);
  auto& record = trials_.at(std::size_t(trial));
  record.state = TrialState::error;
  record.error = error;
  if (log_) log_->ended(record);
}

bool Experiment::better_locked(double value) const {
  if (!best_) return true;
  return mode_ == Mode::min ? value < best_value_ : value > best_value_;
}

std::string Experiment::status_line() const {
  std::lock_guard lock(mutex_);
  std::int64_t counts[5] = {};
  for (const auto& trial : trials_) ++counts[int(trial.state)];
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  char elapsed[64];
  std::snprintf(elapsed, sizeof elapsed, "%.1f s", seconds);
  std::string line = "== Status == " + std::string(elapsed) + ", " + scheduler_->describe() + " |";
  for (auto state : {TrialState::running, TrialState::pending, TrialState::terminated,
                     TrialState::stopped, TrialState::error}) {
    line += std::string(state == TrialState::running ? " " : ", ") +
            std::to_string(counts[int(state)]) + " " + to_string(state);
    if (state == TrialState::pending && counts[int(state)] > 0) {
      line += " (each waits for " + request_ + ")";
    }
  }
  if (best_) {
    line += " | best " + metric_ + " " + to_string(Value{best_value_}) + " at " +
            to_string(trials_[std::size_t(*best_)].config) + " (trial " + std::to_string(*best_) +
            ")";
  }
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.0f/s", seconds > 0 ? double(results_) / seconds : 0.0);
  return line + " | " + std::to_string(results_) + " results, " + rate;
}

std::vector<TrialResult> Experiment::trials() const {
  std::lock_guard lock(mutex_);
  return trials_;
}

}  // namespace manta::tune
