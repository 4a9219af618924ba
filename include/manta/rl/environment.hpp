/// @file rl/environment.hpp
/// @brief Environment: the interface a simulator implements so that Manta's RL layer can step
/// it, vectorise it (VectorEnv) and train a policy on it.
///
/// An environment is one copy of a simulator. Observations and actions are spans of floats; a
/// discrete action is one float holding the index of the choice. An episode ends when the task
/// ends (`terminated`, no reward can follow) or is cut by a time limit (`truncated`); after
/// either, the next call is `reset`. A user's simulator in ~30 lines:
///
/// @code
/// #include <manta/rl/environment.hpp>
/// #include <random>
///
/// // A point on a line that must reach 0: action in [-1, 1] moves it, reward -|x|.
/// class ReachZero final : public manta::rl::Environment {
///  public:
///   std::size_t observation_size() const override { return 1; }
///   manta::rl::ActionSpace action_space() const override {
///     return {.dimensions = 1, .low = -1.0F, .high = 1.0F};
///   }
///   void reset(std::optional<std::uint64_t> seed, std::span<float> observation) override {
///     if (seed) generator_.seed(*seed);
///     x_ = std::uniform_real_distribution<float>(-5.0F, 5.0F)(generator_);
///     steps_ = 0;
///     observation[0] = x_;
///   }
///   manta::rl::StepResult step(std::span<const float> action,
///                              std::span<float> observation) override {
///     x_ += std::clamp(action[0], -1.0F, 1.0F);
///     observation[0] = x_;
///     ++steps_;
///     return {.reward = -std::abs(x_), .terminated = std::abs(x_) < 0.01F,
///             .truncated = steps_ >= 100};
///   }
///
///  private:
///   std::mt19937_64 generator_;
///   float x_ = 0.0F;
///   int steps_ = 0;
/// };
///
/// // Eight copies stepped per call, each reset as its episode ends:
/// std::vector<std::unique_ptr<manta::rl::Environment>> copies;
/// for (int i = 0; i < 8; ++i) copies.push_back(std::make_unique<ReachZero>());
/// manta::rl::VectorEnv envs(std::move(copies));
/// @endcode
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace manta::rl {

/// @brief The actions an environment takes: `choices` > 0 makes them discrete (one float holding
/// an index in [0, choices)), otherwise `dimensions` floats in [low, high].
struct ActionSpace {
  std::size_t dimensions = 1;
  std::size_t choices = 0;
  float low = -1.0F;
  float high = 1.0F;

  bool discrete() const noexcept { return choices > 0; }
};

/// @brief What one step did.
struct StepResult {
  float reward = 0.0F;
  /// The task ended (the pole fell, the goal was reached): no reward can follow.
  bool terminated = false;
  /// A time limit cut the episode: the state could have gone on.
  bool truncated = false;
};

/// @brief One copy of a simulator. Not thread-safe: one thread steps a copy at a time.
class Environment {
 public:
  virtual ~Environment() = default;

  /// Floats in each observation.
  virtual std::size_t observation_size() const = 0;
  /// The actions step takes.
  virtual ActionSpace action_space() const = 0;

  /// @brief Starts an episode and writes its first observation.
  /// @param[in] seed reseeds the environment's generator (Gymnasium's `reset(seed=...)`);
  ///            nothing continues its stream, so that an episode after a seeded one is new
  /// @param[out] observation observation_size() floats
  virtual void reset(std::optional<std::uint64_t> seed, std::span<float> observation) = 0;

  /// @brief Advances the simulator by one action and writes the observation it reaches.
  /// @param[in] action action_space().dimensions floats
  /// @param[out] observation observation_size() floats
  /// @throws std::invalid_argument for an action outside the action space or spans of the
  ///         wrong size; std::logic_error when the episode has ended and reset was not called
  virtual StepResult step(std::span<const float> action, std::span<float> observation) = 0;
};

}  // namespace manta::rl
