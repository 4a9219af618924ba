#include <manta/rl/cartpole.hpp>
#include <manta/rl/es_runner.hpp>
#include <manta/rl/make_environment.hpp>
#include <manta/rl/mlp_policy.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace {

using namespace manta::rl;

TEST(MlpPolicy, CountsParametersAndActsInTheActionSpace) {
  const MlpPolicy discrete(4, CartPole().action_space(), {8});
  EXPECT_EQ(discrete.parameter_count(), 8U * 4 + 8 + 2 * 8 + 2);
  const auto parameters = discrete.initial_parameters(1);
  const std::vector<float> observations = {0.1F, 0.2F, -0.3F, 0.0F, 1.0F, -1.0F, 0.5F, 2.0F};
  std::vector<float> actions(2, -1.0F);
  discrete.act(parameters, observations, actions);
  for (float action : actions) EXPECT_TRUE(action == 0.0F || action == 1.0F);

  const MlpPolicy continuous(3, {.dimensions = 1, .low = -2.0F, .high = 2.0F}, {4, 4});
  std::vector<float> weights(continuous.parameter_count(), 0.0F);
  weights.back() = 100.0F;  // the output bias saturates tanh: the action is at the top
  std::vector<float> torque(1);
  continuous.act(weights, std::vector<float>{0.0F, 1.0F, 0.0F}, torque);
  EXPECT_NEAR(torque[0], 2.0F, 1e-5);
  EXPECT_THROW(continuous.act(weights, std::vector<float>{0.0F, 1.0F}, torque),
               std::invalid_argument);
}

TEST(MlpPolicy, ALinearPolicyByHand) {
  // No hidden layer: logits = W x + b, W = [[1, 0], [0, 1]], b = (0, 0.5): picks the larger.
  const MlpPolicy policy(2, {.dimensions = 1, .choices = 2}, {});
  const std::vector<float> parameters = {1.0F, 0.0F, 0.0F, 1.0F, 0.0F, 0.5F};
  std::vector<float> actions(3);
  policy.act(parameters, std::vector<float>{1.0F, 0.0F, 0.0F, 1.0F, 0.9F, 0.5F}, actions);
  EXPECT_EQ(actions, (std::vector<float>{0.0F, 1.0F, 1.0F}));
}

PolicyBroadcast broadcast_of(const MlpPolicy& policy, std::uint64_t seed) {
  return {.parameters = policy.initial_parameters(seed),
          .observation_mean = std::vector<float>(4, 0.0F),
          .observation_std = std::vector<float>(4, 1.0F)};
}

TEST(EsRunner, PlaysEveryPairAndIsReproducible) {
  const auto values = NoiseTable::generate(2, 1 << 16);
  const NoiseTable noise(values);
  auto make = [] {
    return EsRunner(make_vector_env("CartPole-v1", 3), MlpPolicy(4, CartPole().action_space()), 9);
  };
  const MlpPolicy policy(4, CartPole().action_space());
  const PolicyBroadcast weights = broadcast_of(policy, 4);
  EsRunner runner = make();
  const EsSamples samples = runner.sample(noise, weights, 0.5F, 5);
  ASSERT_EQ(samples.noise_indices.size(), 5U);
  double total = 0.0;
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_GE(samples.positive_returns[i], 1.0F);  // every CartPole episode earns at least 1
    EXPECT_LE(samples.positive_returns[i], 500.0F);
    EXPECT_GE(samples.negative_returns[i], 1.0F);
    total += samples.positive_returns[i] + samples.negative_returns[i];
  }
  EXPECT_EQ(samples.env_steps, static_cast<std::uint64_t>(total));  // 1 reward per step
  EXPECT_EQ(samples.observation_stats.count(), total);

  EsRunner again = make();
  const EsSamples repeated = again.sample(noise, weights, 0.5F, 5);
  EXPECT_EQ(repeated.noise_indices, samples.noise_indices);
  EXPECT_EQ(repeated.positive_returns, samples.positive_returns);
}

TEST(EsRunner, EvaluatesTheRequestedNumberOfEpisodes) {
  EsRunner runner(make_vector_env("CartPole-v1", 4), MlpPolicy(4, CartPole().action_space()), 1);
  const MlpPolicy policy(4, CartPole().action_space());
  const auto returns = runner.evaluate(broadcast_of(policy, 2), 10);
  EXPECT_EQ(returns.size(), 10U);
  for (float value : returns) EXPECT_TRUE(value >= 1.0F && value <= 500.0F);
  PolicyBroadcast wrong = broadcast_of(policy, 2);
  wrong.parameters.pop_back();
  EXPECT_THROW(runner.evaluate(wrong, 1), std::invalid_argument);
}

}  // namespace
