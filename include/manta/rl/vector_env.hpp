/// @file rl/vector_env.hpp
/// @brief VectorEnv: N copies of an environment stepped by one call, each reset as soon as its
/// episode ends (EnvPool's and Gymnasium's auto-reset), so that a policy acts on a whole batch.
#pragma once

#include <manta/rl/environment.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace manta::rl {

/// @brief An episode that ended in the last step.
struct FinishedEpisode {
  std::size_t env = 0;
  double total_reward = 0.0;
  int length = 0;
  bool truncated = false;
};

/// @brief N environments of one kind, stepped together. Not thread-safe.
///
/// @code
/// manta::rl::VectorEnv envs = manta::rl::make_vector_env("CartPole-v1", 16);
/// envs.reset(42);
/// std::vector<float> actions(envs.size() * envs.action_space().dimensions, 1.0F);
/// envs.step(actions);
/// for (const auto& episode : envs.finished()) std::cout << episode.total_reward << "\n";
/// @endcode
class VectorEnv {
 public:
  /// @throws std::invalid_argument when there are none, or they differ in observation or
  ///         action sizes
  explicit VectorEnv(std::vector<std::unique_ptr<Environment>> environments);

  std::size_t size() const noexcept { return environments_.size(); }
  std::size_t observation_size() const noexcept { return observation_size_; }
  const ActionSpace& action_space() const noexcept { return action_space_; }

  /// @brief Resets every copy, copy i with seed `seed + i`; later resets continue their streams.
  void reset(std::uint64_t seed);

  /// @brief Steps copy i with row i of `actions` (size() × action dimensions, row-major). A copy
  /// whose episode ends is reset at once: its observation row is then the first of the next
  /// episode, and the episode is listed in finished() until the next step.
  /// @throws std::invalid_argument for a span of the wrong size or an invalid action;
  ///         std::logic_error before reset
  void step(std::span<const float> actions);

  /// The current observations: size() rows of observation_size() floats.
  std::span<const float> observations() const noexcept { return observations_; }
  /// The rewards of the last step, one per copy.
  std::span<const float> rewards() const noexcept { return rewards_; }
  /// The episodes that ended in the last step.
  std::span<const FinishedEpisode> finished() const noexcept { return finished_; }

 private:
  std::vector<std::unique_ptr<Environment>> environments_;
  std::size_t observation_size_;
  ActionSpace action_space_;
  std::vector<float> observations_;
  std::vector<float> rewards_;
  /// Reward and steps of each copy's running episode: raised by step, zeroed by its reset.
  std::vector<double> episode_rewards_;
  std::vector<int> episode_lengths_;
  std::vector<FinishedEpisode> finished_;
  bool was_reset_ = false;
};

}  // namespace manta::rl
