/// @file rl/pendulum.hpp
/// @brief Pendulum: Gymnasium's `Pendulum-v1`, same dynamics, constants, rewards, limits and
/// reset distribution (the random stream differs: std::mt19937_64, not NumPy's PCG64).
///
/// A pendulum to swing up and hold upright with a torque u in [-2, 2] (clipped). The
/// observation is (cos θ, sin θ, θ̇), θ = 0 upright; the reward −(θ² + 0.1 θ̇² + 0.001 u²) with θ
/// normalised to [−π, π). It never terminates and is truncated after 200 steps.
#pragma once

#include <manta/rl/environment.hpp>

#include <random>

namespace manta::rl {

class Pendulum final : public Environment {
 public:
  static constexpr double max_speed = 8.0;
  static constexpr double max_torque = 2.0;
  /// Seconds per step.
  static constexpr double dt = 0.05;
  static constexpr double gravity = 10.0;
  static constexpr double mass = 1.0;
  static constexpr double length = 1.0;
  static constexpr int max_episode_steps = 200;

  struct State {
    double theta = 0.0;
    double theta_dot = 0.0;
  };

  std::size_t observation_size() const override { return 3; }
  ActionSpace action_space() const override {
    return {.dimensions = 1,
            .low = -static_cast<float>(max_torque),
            .high = static_cast<float>(max_torque)};
  }
  /// θ uniform in [−π, π], θ̇ uniform in [−1, 1].
  void reset(std::optional<std::uint64_t> seed, std::span<float> observation) override;
  /// @throws std::invalid_argument for a NaN torque
  StepResult step(std::span<const float> action, std::span<float> observation) override;

  const State& state() const noexcept { return state_; }
  /// Puts the simulator in `state` at step `elapsed_steps` of a running episode.
  void set_state(const State& state, int elapsed_steps = 0);

  /// θ wrapped into [−π, π), as the reward sees it.
  static double normalize_angle(double theta);

 private:
  std::mt19937_64 generator_;
  State state_;
  int elapsed_steps_ = 0;
  bool episode_running_ = false;
};

}  // namespace manta::rl
