#include <manta/rl/cartpole.hpp>

#include "rl/span_checks.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace manta::rl {

namespace {
void write_observation(const CartPole::State& state, std::span<float> observation) {
  observation[0] = static_cast<float>(state.x);
  observation[1] = static_cast<float>(state.x_dot);
  observation[2] = static_cast<float>(state.theta);
  observation[3] = static_cast<float>(state.theta_dot);
}
}  // namespace

void CartPole::reset(std::optional<std::uint64_t> seed, std::span<float> observation) {
  check_span_size("CartPole::reset", "the observation", observation, observation_size());
  if (seed) generator_.seed(*seed);
  std::uniform_real_distribution<double> uniform(-0.05, 0.05);
  state_ = {.x = uniform(generator_),
            .x_dot = uniform(generator_),
            .theta = uniform(generator_),
            .theta_dot = uniform(generator_)};
  elapsed_steps_ = 0;
  episode_running_ = true;
  write_observation(state_, observation);
}

StepResult CartPole::step(std::span<const float> action, std::span<float> observation) {
  check_span_size("CartPole::step", "the action", action, 1);
  check_span_size("CartPole::step", "the observation", observation, observation_size());
  if (action[0] != 0.0F && action[0] != 1.0F) {
    throw std::invalid_argument("CartPole::step: the action is " + std::to_string(action[0]) +
                                ", expected 0 (push left) or 1 (push right)");
  }
  if (!episode_running_) {
    throw std::logic_error("CartPole::step: the episode has ended; call reset first");
  }
  const double applied = action[0] == 1.0F ? force : -force;
  const double cos_theta = std::cos(state_.theta);
  const double sin_theta = std::sin(state_.theta);
  const double temp =
      (applied + pole_mass_length * state_.theta_dot * state_.theta_dot * sin_theta) / total_mass;
  const double theta_acc =
      (gravity * sin_theta - cos_theta * temp) /
      (pole_half_length * (4.0 / 3.0 - pole_mass * cos_theta * cos_theta / total_mass));
  const double x_acc = temp - pole_mass_length * theta_acc * cos_theta / total_mass;
  // Gymnasium's "euler": positions move with the velocities from before this step.
  state_.x += tau * state_.x_dot;
  state_.x_dot += tau * x_acc;
  state_.theta += tau * state_.theta_dot;
  state_.theta_dot += tau * theta_acc;
  ++elapsed_steps_;
  write_observation(state_, observation);

  const bool terminated = state_.x < -position_limit || state_.x > position_limit ||
                          state_.theta < -angle_limit || state_.theta > angle_limit;
  const bool truncated = elapsed_steps_ >= max_episode_steps;
  episode_running_ = !terminated && !truncated;
  // The step that makes the pole fall still earns its 1, as in Gymnasium.
  return {.reward = 1.0F, .terminated = terminated, .truncated = truncated};
}

void CartPole::set_state(const State& state, int elapsed_steps) {
  state_ = state;
  elapsed_steps_ = elapsed_steps;
  episode_running_ = true;
}

}  // namespace manta::rl
