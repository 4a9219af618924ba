#include <manta/rl/vector_env.hpp>

#include "rl/span_checks.hpp"

#include <stdexcept>
#include <string>

namespace manta::rl {

namespace {
void check_same_sizes(const std::vector<std::unique_ptr<Environment>>& environments) {
  if (environments.empty()) throw std::invalid_argument("VectorEnv: no environments given");
  const Environment& first = *environments.front();
  for (std::size_t i = 0; i < environments.size(); ++i) {
    if (!environments[i]) {
      throw std::invalid_argument("VectorEnv: environment " + std::to_string(i) + " is null");
    }
    const ActionSpace actions = environments[i]->action_space();
    if (environments[i]->observation_size() != first.observation_size() ||
        actions.dimensions != first.action_space().dimensions ||
        actions.choices != first.action_space().choices) {
      throw std::invalid_argument("VectorEnv: environment " + std::to_string(i) +
                                  " differs from environment 0 in observation or action sizes");
    }
  }
}
}  // namespace

VectorEnv::VectorEnv(std::vector<std::unique_ptr<Environment>> environments)
    : environments_((check_same_sizes(environments), std::move(environments))),
      observation_size_(environments_.front()->observation_size()),
      action_space_(environments_.front()->action_space()),
      observations_(environments_.size() * observation_size_),
      rewards_(environments_.size()),
      episode_rewards_(environments_.size()),
      episode_lengths_(environments_.size()) {}

void VectorEnv::reset(std::uint64_t seed) {
  const std::span<float> all(observations_);
  for (std::size_t i = 0; i < size(); ++i) {
    environments_[i]->reset(seed + i, all.subspan(i * observation_size_, observation_size_));
    episode_rewards_[i] = 0.0;
    episode_lengths_[i] = 0;
  }
  finished_.clear();
  was_reset_ = true;
}

void VectorEnv::step(std::span<const float> actions) {
  if (!was_reset_) throw std::logic_error("VectorEnv::step: call reset first");
  const std::size_t dimensions = action_space_.dimensions;
  check_span_size("VectorEnv::step", "the actions", actions, size() * dimensions);
  const std::span<float> all(observations_);
  finished_.clear();
  for (std::size_t i = 0; i < size(); ++i) {
    const std::span<float> observation = all.subspan(i * observation_size_, observation_size_);
    const StepResult result =
        environments_[i]->step(actions.subspan(i * dimensions, dimensions), observation);
    rewards_[i] = result.reward;
    episode_rewards_[i] += result.reward;
    ++episode_lengths_[i];
    if (result.terminated || result.truncated) {
      finished_.push_back({.env = i,
                           .total_reward = episode_rewards_[i],
                           .length = episode_lengths_[i],
                           .truncated = result.truncated && !result.terminated});
      environments_[i]->reset(std::nullopt, observation);
      episode_rewards_[i] = 0.0;
      episode_lengths_[i] = 0;
    }
  }
}

}  // namespace manta::rl
