/// @file rl/es_runner.hpp
/// @brief EsRunner: the sampling side of Evolution Strategies, one per env-runner actor. It
/// holds a VectorEnv and a policy; each slot of the VectorEnv plays one perturbed episode after
/// another (auto-reset hands it the next), and unperturbed evaluation acts on the whole batch
/// with one policy call per step.
#pragma once

#include <manta/rl/es_learner.hpp>
#include <manta/rl/mlp_policy.hpp>
#include <manta/rl/noise_table.hpp>
#include <manta/rl/running_mean_std.hpp>
#include <manta/rl/vector_env.hpp>

#include <boost/serialization/vector.hpp>

#include <cstdint>
#include <random>
#include <vector>

namespace manta::rl {

/// @brief The returns of antithetic pairs and what the runner saw meanwhile.
struct EsSamples {
  std::vector<std::uint64_t> noise_indices;
  std::vector<float> positive_returns;
  std::vector<float> negative_returns;
  std::uint64_t env_steps = 0;
  /// The raw observations of these episodes, for the learner's normalisation.
  RunningMeanStd observation_stats;

  template <class Archive>
  void serialize(Archive& archive, unsigned /*version*/) {
    archive& noise_indices& positive_returns& negative_returns& env_steps& observation_stats;
  }
};

class EsRunner {
 public:
  /// @param seed seeds the environments and the choice of noise indices
  EsRunner(VectorEnv envs, MlpPolicy policy, std::uint64_t seed);

  /// @brief Plays `pairs` antithetic pairs, each an episode with θ + σε and one with θ − σε.
  /// @throws std::invalid_argument when the broadcast does not fit the policy
  EsSamples sample(const NoiseTable& noise, const PolicyBroadcast& policy, float noise_stdev,
                   std::size_t pairs);

  /// @brief Returns of `episodes` episodes of the unperturbed policy.
  std::vector<float> evaluate(const PolicyBroadcast& policy, std::size_t episodes);

 private:
  void check(const PolicyBroadcast& policy) const;
  /// Normalises observation row `row` of the VectorEnv into `out` (clipped to ±10, as Ray's
  /// MeanStdFilter does).
  void normalize(const PolicyBroadcast& policy, std::size_t row, std::span<float> out) const;

  VectorEnv envs_;
  MlpPolicy policy_;
  std::mt19937_64 generator_;
};

}  // namespace manta::rl
