/// @file rl/es_learner.hpp
/// @brief EsLearner: the learner of Evolution Strategies (Salimans et al. 2017, Ray's ES):
/// antithetic pairs θ ± σε scored by episode returns, centred-rank fitness shaping, Adam with L2
/// decay, and the observation statistics the runners normalise with.
#pragma once

#include <manta/rl/adam.hpp>
#include <manta/rl/noise_table.hpp>
#include <manta/rl/running_mean_std.hpp>

#include <manta/checkpoint.hpp>

#include <boost/serialization/vector.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace manta::rl {

struct EsOptions {
  /// σ: the scale of the perturbations.
  float noise_stdev = 0.02F;
  AdamOptions adam = {};
  /// Weight decay added to the gradient, times θ.
  float l2_coeff = 0.005F;
};

/// @brief What runners need to act: the weights and the observation normalisation, one object
/// `put` once per iteration.
struct PolicyBroadcast {
  std::vector<float> parameters;
  std::vector<float> observation_mean;
  std::vector<float> observation_std;

  template <class Archive>
  void serialize(Archive& archive, unsigned /*version*/) {
    archive& parameters& observation_mean& observation_std;
  }
};

class EsLearner {
 public:
  EsLearner() = default;
  /// @param parameters the starting θ (MlpPolicy::initial_parameters)
  /// @param observation_size features the observation statistics keep
  EsLearner(std::vector<float> parameters, std::size_t observation_size, EsOptions options);

  const std::vector<float>& parameters() const noexcept { return parameters_; }
  const EsOptions& options() const noexcept { return options_; }
  /// Updates applied so far.
  long iteration() const noexcept { return iteration_; }
  /// Merged from the runners' statistics (EsSamples::observation_stats) each iteration.
  RunningMeanStd& observation_stats() noexcept { return observation_stats_; }

  /// The weights and normalisation the runners act with now.
  PolicyBroadcast broadcast() const;

  /// @brief One ES step. Pair i was scored with θ + σε_i (`positive[i]`) and θ − σε_i
  /// (`negative[i]`), ε_i = noise.slice(noise_indices[i], parameters().size()). The 2n returns
  /// become centred ranks; g = Σ (rank⁺_i − rank⁻_i) ε_i / 2n; Adam then descends −g + l2·θ.
  /// @throws std::invalid_argument when the three spans differ in size or hold fewer than 1 pair
  void update(const NoiseTable& noise, std::span<const std::uint64_t> noise_indices,
              std::span<const float> positive, std::span<const float> negative);

  /// In a checkpoint θ is the native HDF5 dataset `parameters` (h5py reads it directly).
  template <class Archive>
  void serialize(Archive& archive, unsigned /*version*/) {
    archive& options_.noise_stdev;
    archive& options_.l2_coeff;
    archive& iteration_;
    archive& manta::h5_array("parameters", parameters_);
    archive& optimizer_;
    archive& observation_stats_;
  }

 private:
  EsOptions options_;
  long iteration_ = 0;
  std::vector<float> parameters_;
  Adam optimizer_;
  RunningMeanStd observation_stats_;
};

}  // namespace manta::rl
