#include <manta/rl/pendulum.hpp>

#include "rl/span_checks.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace manta::rl {

namespace {
void write_observation(const Pendulum::State& state, std::span<float> observation) {
  observation[0] = static_cast<float>(std::cos(state.theta));
  observation[1] = static_cast<float>(std::sin(state.theta));
  observation[2] = static_cast<float>(state.theta_dot);
}
}  // namespace

double Pendulum::normalize_angle(double theta) {
  // Python's ((θ + π) % 2π) − π: the remainder takes the divisor's sign.
  constexpr double two_pi = 2.0 * std::numbers::pi;
  double wrapped = std::fmod(theta + std::numbers::pi, two_pi);
  if (wrapped < 0.0) wrapped += two_pi;
  return wrapped - std::numbers::pi;
}

void Pendulum::reset(std::optional<std::uint64_t> seed, std::span<float> observation) {
  check_span_size("Pendulum::reset", "the observation", observation, observation_size());
  if (seed) generator_.seed(*seed);
  state_ = {.theta = std::uniform_real_distribution<double>(-std::numbers::pi,
                                                            std::numbers::pi)(generator_),
            .theta_dot = std::uniform_real_distribution<double>(-1.0, 1.0)(generator_)};
  elapsed_steps_ = 0;
  episode_running_ = true;
  write_observation(state_, observation);
}

StepResult Pendulum::step(std::span<const float> action, std::span<float> observation) {
  check_span_size("Pendulum::step", "the action", action, 1);
  check_span_size("Pendulum::step", "the observation", observation, observation_size());
  if (std::isnan(action[0])) throw std::invalid_argument("Pendulum::step: the torque is NaN");
  if (!episode_running_) {
    throw std::logic_error("Pendulum::step: the episode has ended; call reset first");
  }
  const double torque = std::clamp(static_cast<double>(action[0]), -max_torque, max_torque);
  const double theta = normalize_angle(state_.theta);
  const double cost =
      theta * theta + 0.1 * state_.theta_dot * state_.theta_dot + 0.001 * torque * torque;
  double theta_dot = state_.theta_dot + (3.0 * gravity / (2.0 * length) * std::sin(state_.theta) +
                                         3.0 / (mass * length * length) * torque) *
                                            dt;
  theta_dot = std::clamp(theta_dot, -max_speed, max_speed);
  state_.theta += theta_dot * dt;
  state_.theta_dot = theta_dot;
  ++elapsed_steps_;
  write_observation(state_, observation);
  const bool truncated = elapsed_steps_ >= max_episode_steps;
  episode_running_ = !truncated;
  return {.reward = static_cast<float>(-cost), .terminated = false, .truncated = truncated};
}

void Pendulum::set_state(const State& state, int elapsed_steps) {
  state_ = state;
  elapsed_steps_ = elapsed_steps;
  episode_running_ = true;
}

}  // namespace manta::rl
