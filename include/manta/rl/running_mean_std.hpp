/// @file rl/running_mean_std.hpp
/// @brief RunningMeanStd: per-feature mean and standard deviation of every observation seen, to
/// normalise observations (Ray ES's MeanStdFilter). Runners gather their own and the learner
/// merges them (Chan et al.'s parallel variance), so no observation travels.
#pragma once

#include <manta/checkpoint.hpp>

#include <boost/serialization/vector.hpp>

#include <cstddef>
#include <span>
#include <vector>

namespace manta::rl {

class RunningMeanStd {
 public:
  RunningMeanStd() = default;
  explicit RunningMeanStd(std::size_t size) : mean_(size, 0.0), squares_(size, 0.0) {}

  std::size_t size() const noexcept { return mean_.size(); }
  /// Observations folded in so far.
  double count() const noexcept { return count_; }

  /// @brief Folds in one observation of size() floats.
  /// @throws std::invalid_argument for another size
  void update(std::span<const float> observation);
  /// @brief Folds in everything `other` saw, as if each observation had been updated here.
  /// @throws std::invalid_argument for another size
  void merge(const RunningMeanStd& other);

  std::vector<float> mean() const;
  /// The standard deviations, 1 for a feature seen fewer than twice (nothing to scale by yet).
  std::vector<float> std() const;

  template <class Archive>
  void serialize(Archive& archive, unsigned /*version*/) {
    archive& count_;
    archive& manta::h5_array("observation_mean", mean_);
    archive& manta::h5_array("observation_m2", squares_);
  }

 private:
  double count_ = 0.0;
  std::vector<double> mean_;
  /// Sum of squared differences from the mean (Welford's M2), per feature.
  std::vector<double> squares_;
};

}  // namespace manta::rl
