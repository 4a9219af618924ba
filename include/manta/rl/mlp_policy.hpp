/// @file rl/mlp_policy.hpp
/// @brief MlpPolicy: a small multilayer perceptron (tanh hidden layers) mapping a batch of
/// observations to actions, its weights one flat vector of floats (what ES perturbs and what a
/// farm broadcasts). Discrete actions take the largest logit; continuous ones squash the output
/// through tanh into [low, high].
#pragma once

#include <manta/rl/environment.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace manta::rl {

class MlpPolicy {
 public:
  /// @throws std::invalid_argument for an observation size of 0 or a hidden layer of 0 units
  MlpPolicy(std::size_t observation_size, ActionSpace actions,
            std::vector<std::size_t> hidden_sizes = {32, 32});

  std::size_t observation_size() const noexcept { return sizes_.front(); }
  const ActionSpace& action_space() const noexcept { return actions_; }
  /// Weights and biases of every layer, in the order act reads them.
  std::size_t parameter_count() const noexcept { return parameter_count_; }

  /// @brief Weights drawn as Ray's normc initialiser does (each unit's incoming weights a
  /// random direction of norm 1, the last layer's of norm 0.01), biases 0.
  std::vector<float> initial_parameters(std::uint64_t seed) const;

  /// @brief Actions for a batch of observations.
  /// @param[in] parameters parameter_count() floats
  /// @param[in] observations batch rows of observation_size() floats (already normalised)
  /// @param[out] actions batch rows of action_space().dimensions floats
  /// @throws std::invalid_argument when the spans' sizes disagree
  void act(std::span<const float> parameters, std::span<const float> observations,
           std::span<float> actions) const;

 private:
  ActionSpace actions_;
  /// Units per layer, from the observation to the output.
  std::vector<std::size_t> sizes_;
  std::size_t parameter_count_ = 0;
};

}  // namespace manta::rl
