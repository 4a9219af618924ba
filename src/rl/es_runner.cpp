#include <manta/rl/es_runner.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace manta::rl {

namespace {
constexpr float observation_clip = 10.0F;
constexpr int no_episode = -1;

/// An action every environment of the space accepts, for slots with no episode left to play.
float idle_action(const ActionSpace& actions) {
  return actions.discrete() ? 0.0F : 0.5F * (actions.low + actions.high);
}
}  // namespace

EsRunner::EsRunner(VectorEnv envs, MlpPolicy policy, std::uint64_t seed)
    : envs_(std::move(envs)), policy_(std::move(policy)), generator_(seed) {
  if (envs_.observation_size() != policy_.observation_size() ||
      envs_.action_space().dimensions != policy_.action_space().dimensions) {
    throw std::invalid_argument(
        "EsRunner: the policy's observation or action sizes differ "
        "from the environments'");
  }
}

void EsRunner::check(const PolicyBroadcast& policy) const {
  if (policy.parameters.size() != policy_.parameter_count() ||
      policy.observation_mean.size() != envs_.observation_size() ||
      policy.observation_std.size() != envs_.observation_size()) {
    throw std::invalid_argument(
        "EsRunner: the broadcast holds " + std::to_string(policy.parameters.size()) +
        " parameters and normalisation of " + std::to_string(policy.observation_mean.size()) +
        " features; the policy has " + std::to_string(policy_.parameter_count()) + " and " +
        std::to_string(envs_.observation_size()));
  }
}

void EsRunner::normalize(const PolicyBroadcast& policy, std::size_t row,
                         std::span<float> out) const {
  const std::size_t size = envs_.observation_size();
  const auto raw = envs_.observations().subspan(row * size, size);
  for (std::size_t i = 0; i < size; ++i) {
    const float scaled =
        (raw[i] - policy.observation_mean[i]) / (policy.observation_std[i] + 1e-8F);
    out[i] = std::clamp(scaled, -observation_clip, observation_clip);
  }
}

EsSamples EsRunner::sample(const NoiseTable& noise, const PolicyBroadcast& policy,
                           float noise_stdev, std::size_t pairs) {
  check(policy);
  const std::size_t slots = envs_.size();
  const std::size_t dims = envs_.action_space().dimensions;
  const std::size_t parameters = policy_.parameter_count();
  EsSamples samples{.noise_indices = {},
                    .positive_returns = std::vector<float>(pairs),
                    .negative_returns = std::vector<float>(pairs),
                    .observation_stats = RunningMeanStd(envs_.observation_size())};
  samples.noise_indices.reserve(pairs);

  // Episode e plays pair e / 2, with +σε when e is even and −σε when odd.
  std::vector<int> slot_episode(slots, no_episode);
  std::vector<std::vector<float>> slot_parameters(slots, std::vector<float>(parameters));
  std::size_t next_episode = 0;
  auto start_next = [&](std::size_t slot) {
    if (next_episode == 2 * pairs) {
      slot_episode[slot] = no_episode;
      return;
    }
    const std::size_t pair = next_episode / 2;
    const bool positive = next_episode % 2 == 0;
    if (positive) samples.noise_indices.push_back(noise.sample_index(generator_, parameters));
    const auto epsilon = noise.slice(samples.noise_indices[pair], parameters);
    const float sign = positive ? noise_stdev : -noise_stdev;
    for (std::size_t j = 0; j < parameters; ++j) {
      slot_parameters[slot][j] = policy.parameters[j] + sign * epsilon[j];
    }
    slot_episode[slot] = static_cast<int>(next_episode++);
  };

  envs_.reset(generator_());
  for (std::size_t slot = 0; slot < slots; ++slot) start_next(slot);
  std::vector<float> actions(slots * dims, idle_action(envs_.action_space()));
  std::vector<float> observation(envs_.observation_size());
  const std::size_t size = envs_.observation_size();
  while (std::any_of(slot_episode.begin(), slot_episode.end(),
                     [](int episode) { return episode != no_episode; })) {
    for (std::size_t slot = 0; slot < slots; ++slot) {
      const std::span<float> action(actions.data() + slot * dims, dims);
      if (slot_episode[slot] == no_episode) {
        std::fill(action.begin(), action.end(), idle_action(envs_.action_space()));
        continue;
      }
      samples.observation_stats.update(envs_.observations().subspan(slot * size, size));
      normalize(policy, slot, observation);
      policy_.act(slot_parameters[slot], observation, action);
      ++samples.env_steps;
    }
    envs_.step(actions);
    for (const FinishedEpisode& episode : envs_.finished()) {
      const int played = slot_episode[episode.env];
      if (played == no_episode) continue;
      const auto pair = static_cast<std::size_t>(played) / 2;
      auto& returns = played % 2 == 0 ? samples.positive_returns : samples.negative_returns;
      returns[pair] = static_cast<float>(episode.total_reward);
      start_next(episode.env);
    }
  }
  return samples;
}

std::vector<float> EsRunner::evaluate(const PolicyBroadcast& policy, std::size_t episodes) {
  check(policy);
  const std::size_t slots = envs_.size();
  const std::size_t size = envs_.observation_size();
  // Slot i plays a fixed share, so that short episodes are not favoured by finishing first.
  std::vector<std::size_t> remaining(slots, episodes / slots);
  for (std::size_t slot = 0; slot < episodes % slots; ++slot) ++remaining[slot];
  std::vector<float> returns;
  returns.reserve(episodes);
  std::vector<float> observations(slots * size);
  std::vector<float> actions(slots * envs_.action_space().dimensions);
  envs_.reset(generator_());
  while (returns.size() < episodes) {
    for (std::size_t slot = 0; slot < slots; ++slot) {
      normalize(policy, slot, std::span(observations).subspan(slot * size, size));
    }
    policy_.act(policy.parameters, observations, actions);  // the whole batch at once
    envs_.step(actions);
    for (const FinishedEpisode& episode : envs_.finished()) {
      if (remaining[episode.env] == 0) continue;
      --remaining[episode.env];
      returns.push_back(static_cast<float>(episode.total_reward));
    }
  }
  return returns;
}

}  // namespace manta::rl
