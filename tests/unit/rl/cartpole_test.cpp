#include <manta/rl/cartpole.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace {

using manta::rl::CartPole;

// Three Euler steps from (x, ẋ, θ, θ̇) = (0.01, -0.02, 0.03, 0.04), pushing right, left, right.
// Step 1 by hand: temp = (10 + 0.05·0.04²·sin 0.03)/1.1 = 9.090911; θ̈ = (9.8 sin 0.03 − cos 0.03
// · temp)/(0.5 (4/3 − 0.1 cos² 0.03/1.1)) = −14.153436; ẍ = temp − 0.05 θ̈ cos 0.03/1.1 = 9.733960;
// then x = 0.01 + 0.02·(−0.02), ẋ = −0.02 + 0.02 ẍ, θ = 0.03 + 0.02·0.04, θ̇ = 0.04 + 0.02 θ̈.
TEST(CartPole, ThreeStepsFollowGymnasiumsEulerDynamics) {
  CartPole env;
  env.set_state({.x = 0.01, .x_dot = -0.02, .theta = 0.03, .theta_dot = 0.04});
  const std::array<float, 3> actions = {1.0F, 0.0F, 1.0F};
  const std::array<CartPole::State, 3> expected = {{
      {0.009600000, 0.174679196, 0.030800000, -0.243068718},
      {0.013093584, -0.020868849, 0.025938626, 0.059168000},
      {0.012676207, 0.173871775, 0.027121986, -0.225219573},
  }};
  std::array<float, 4> observation{};
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const auto result = env.step(std::span(&actions[i], 1), observation);
    EXPECT_EQ(result.reward, 1.0F);
    EXPECT_FALSE(result.terminated);
    EXPECT_FALSE(result.truncated);
    EXPECT_NEAR(env.state().x, expected[i].x, 1e-9) << "step " << i;
    EXPECT_NEAR(env.state().x_dot, expected[i].x_dot, 1e-9) << "step " << i;
    EXPECT_NEAR(env.state().theta, expected[i].theta, 1e-9) << "step " << i;
    EXPECT_NEAR(env.state().theta_dot, expected[i].theta_dot, 1e-9) << "step " << i;
    EXPECT_FLOAT_EQ(observation[1], static_cast<float>(expected[i].x_dot));
    EXPECT_FLOAT_EQ(observation[3], static_cast<float>(expected[i].theta_dot));
  }
}

TEST(CartPole, TerminatesPastTwelveDegrees) {
  const double limit = 12.0 * std::numbers::pi / 180.0;
  std::array<float, 4> observation{};
  const float push_right = 1.0F;
  CartPole env;
  // θ moves by τ·θ̇ = 0.02·0.1 = 0.002 in one step: from just inside to just past the limit.
  env.set_state({.theta = limit - 0.001, .theta_dot = 0.1});
  auto result = env.step(std::span(&push_right, 1), observation);
  EXPECT_TRUE(result.terminated);
  EXPECT_EQ(result.reward, 1.0F);

  env.set_state({.theta = limit - 0.003, .theta_dot = 0.1});
  result = env.step(std::span(&push_right, 1), observation);
  EXPECT_FALSE(result.terminated);
}

TEST(CartPole, TerminatesPastTwoPointFourMetres) {
  std::array<float, 4> observation{};
  const float push_left = 0.0F;
  CartPole env;
  env.set_state({.x = -2.399, .x_dot = -0.1});  // x moves by −0.002
  EXPECT_TRUE(env.step(std::span(&push_left, 1), observation).terminated);
  env.set_state({.x = 2.399, .x_dot = -0.1});
  EXPECT_FALSE(env.step(std::span(&push_left, 1), observation).terminated);
}

TEST(CartPole, TruncatesAtFiveHundredSteps) {
  std::array<float, 4> observation{};
  CartPole env;
  env.set_state({}, 498);
  // Balanced at rest, pushing right then left keeps it far from both limits.
  const float right = 1.0F;
  const float left = 0.0F;
  EXPECT_FALSE(env.step(std::span(&right, 1), observation).truncated);
  const auto last = env.step(std::span(&left, 1), observation);
  EXPECT_TRUE(last.truncated);
  EXPECT_FALSE(last.terminated);
  EXPECT_THROW(env.step(std::span(&left, 1), observation), std::logic_error);
}

TEST(CartPole, ResetDrawsEachVariableWithinFiveHundredths) {
  CartPole env;
  std::array<float, 4> observation{};
  double largest = 0.0;
  for (int episode = 0; episode < 200; ++episode) {
    env.reset(episode == 0 ? std::optional<std::uint64_t>(7) : std::nullopt, observation);
    for (float value : observation) largest = std::max(largest, std::abs(double{value}));
  }
  EXPECT_LE(largest, 0.05);
  EXPECT_GT(largest, 0.04);  // the draws spread over the interval, not a constant
}

TEST(CartPole, SameSeedSameEpisode) {
  CartPole first;
  CartPole second;
  std::array<float, 4> a{};
  std::array<float, 4> b{};
  first.reset(123, a);
  second.reset(123, b);
  EXPECT_EQ(a, b);
  second.reset(124, b);
  EXPECT_NE(a, b);
}

TEST(CartPole, RefusesActionsOtherThanZeroOrOne) {
  CartPole env;
  std::array<float, 4> observation{};
  env.reset(1, observation);
  const float half = 0.5F;
  try {
    env.step(std::span(&half, 1), observation);
    FAIL() << "an action of 0.5 was taken";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("0.5"), std::string::npos) << error.what();
  }
  std::array<float, 3> short_observation{};
  const float right = 1.0F;
  EXPECT_THROW(env.step(std::span(&right, 1), short_observation), std::invalid_argument);
}

}  // namespace
