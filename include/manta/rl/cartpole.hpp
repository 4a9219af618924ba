/// @file rl/cartpole.hpp
/// @brief CartPole: Gymnasium's `CartPole-v1`, same dynamics, constants, rewards, limits and
/// reset distribution (the random stream differs: std::mt19937_64, not NumPy's PCG64).
///
/// A pole hinged on a cart; action 0 pushes the cart left with 10 N, 1 pushes it right. The
/// observation is (x, ẋ, θ, θ̇). Every step earns 1; the episode terminates when |x| > 2.4 or
/// |θ| > 12°, and is truncated after 500 steps. Solved at a mean return of 475.
#pragma once

#include <manta/rl/environment.hpp>

#include <numbers>
#include <random>

namespace manta::rl {

class CartPole final : public Environment {
 public:
  static constexpr double gravity = 9.8;
  static constexpr double cart_mass = 1.0;
  static constexpr double pole_mass = 0.1;
  static constexpr double total_mass = cart_mass + pole_mass;
  /// Half the pole's length.
  static constexpr double pole_half_length = 0.5;
  static constexpr double pole_mass_length = pole_mass * pole_half_length;
  static constexpr double force = 10.0;
  /// Seconds per step, integrated with explicit Euler.
  static constexpr double tau = 0.02;
  static constexpr double angle_limit = 12.0 * 2.0 * std::numbers::pi / 360.0;
  static constexpr double position_limit = 2.4;
  static constexpr int max_episode_steps = 500;
  static constexpr float solved_return = 475.0F;

  /// The simulator's state, in double as Gymnasium keeps it; observations are its floats.
  struct State {
    double x = 0.0;
    double x_dot = 0.0;
    double theta = 0.0;
    double theta_dot = 0.0;
  };

  std::size_t observation_size() const override { return 4; }
  ActionSpace action_space() const override {
    return {.dimensions = 1, .choices = 2, .low = 0.0F, .high = 1.0F};
  }
  /// Each state variable uniform in [-0.05, 0.05].
  void reset(std::optional<std::uint64_t> seed, std::span<float> observation) override;
  /// @throws std::invalid_argument unless the action is 0 or 1
  StepResult step(std::span<const float> action, std::span<float> observation) override;

  const State& state() const noexcept { return state_; }
  /// Puts the simulator in `state` at step `elapsed_steps` of a running episode (for tests and
  /// replays).
  void set_state(const State& state, int elapsed_steps = 0);

 private:
  std::mt19937_64 generator_;
  State state_;
  int elapsed_steps_ = 0;
  bool episode_running_ = false;
};

}  // namespace manta::rl
