#include <manta/rl/running_mean_std.hpp>

#include "rl/span_checks.hpp"

#include <cmath>

namespace manta::rl {

void RunningMeanStd::update(std::span<const float> observation) {
  check_span_size("RunningMeanStd::update", "the observation", observation, size());
  count_ += 1.0;
  for (std::size_t i = 0; i < size(); ++i) {
    const double delta = observation[i] - mean_[i];
    mean_[i] += delta / count_;
    squares_[i] += delta * (observation[i] - mean_[i]);
  }
}

void RunningMeanStd::merge(const RunningMeanStd& other) {
  check_span_size("RunningMeanStd::merge", "the other statistics", std::span(other.mean_), size());
  if (other.count_ == 0.0) return;
  const double total = count_ + other.count_;
  for (std::size_t i = 0; i < size(); ++i) {
    const double delta = other.mean_[i] - mean_[i];
    mean_[i] += delta * other.count_ / total;
    squares_[i] += other.squares_[i] + delta * delta * count_ * other.count_ / total;
  }
  count_ = total;
}

std::vector<float> RunningMeanStd::mean() const { return {mean_.begin(), mean_.end()}; }

std::vector<float> RunningMeanStd::std() const {
  std::vector<float> deviations(size(), 1.0F);
  if (count_ < 2.0) return deviations;
  for (std::size_t i = 0; i < size(); ++i) {
    deviations[i] = static_cast<float>(std::sqrt(squares_[i] / (count_ - 1.0)));
  }
  return deviations;
}

}  // namespace manta::rl
