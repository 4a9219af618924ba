#include <manta/rl/pendulum.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace {

using manta::rl::Pendulum;

// From θ = 3, θ̇ = −0.5 with torque 1.5: reward −(3² + 0.1·0.5² + 0.001·1.5²) = −9.02725;
// θ̇' = −0.5 + (3·10/2 · sin 3 + 3·1.5)·0.05 = −0.169160, θ' = 3 + 0.05 θ̇' = 2.991542.
// Then torque 5 is clipped to 2: reward −(2.991542² + 0.1·0.169160² + 0.001·2²).
TEST(Pendulum, TwoStepsFollowGymnasiumsDynamicsAndReward) {
  Pendulum env;
  env.set_state({.theta = 3.0, .theta_dot = -0.5});
  std::array<float, 3> observation{};
  const float first_torque = 1.5F;
  auto result = env.step(std::span(&first_torque, 1), observation);
  EXPECT_NEAR(result.reward, -9.02725, 1e-5);
  EXPECT_NEAR(env.state().theta_dot, -0.16915999395509962, 1e-6);  // 1.5F is exact
  EXPECT_NEAR(env.state().theta, 2.991542000302245, 1e-6);
  EXPECT_FLOAT_EQ(observation[0], static_cast<float>(std::cos(2.991542000302245)));
  EXPECT_FLOAT_EQ(observation[1], static_cast<float>(std::sin(2.991542000302245)));
  EXPECT_FALSE(result.terminated);

  const float too_much = 5.0F;
  result = env.step(std::span(&too_much, 1), observation);
  EXPECT_NEAR(result.reward, -8.956185049927841, 1e-5);
  EXPECT_NEAR(env.state().theta_dot, 0.24295616863559827, 1e-6);
  EXPECT_NEAR(env.state().theta, 3.0036898087340247, 1e-6);
}

TEST(Pendulum, SpeedIsClippedToEight) {
  Pendulum env;
  env.set_state({.theta = std::numbers::pi / 2, .theta_dot = 7.9});
  std::array<float, 3> observation{};
  const float push = 2.0F;
  env.step(std::span(&push, 1), observation);
  EXPECT_EQ(env.state().theta_dot, 8.0);
  EXPECT_FLOAT_EQ(observation[2], 8.0F);
}

TEST(Pendulum, AngleNormalisesToMinusPiPi) {
  EXPECT_NEAR(Pendulum::normalize_angle(4.0), 4.0 - 2 * std::numbers::pi, 1e-12);
  EXPECT_NEAR(Pendulum::normalize_angle(-4.0), 2 * std::numbers::pi - 4.0, 1e-12);
  EXPECT_NEAR(Pendulum::normalize_angle(7.0), 7.0 - 2 * std::numbers::pi, 1e-12);
  EXPECT_NEAR(Pendulum::normalize_angle(std::numbers::pi), -std::numbers::pi, 1e-12);
  EXPECT_NEAR(Pendulum::normalize_angle(0.25), 0.25, 1e-12);
}

TEST(Pendulum, RewardSeesTheNormalisedAngle) {
  // θ = 2π + 0.1 is 0.1 from upright: cost 0.01, not (2π + 0.1)².
  Pendulum env;
  env.set_state({.theta = 2 * std::numbers::pi + 0.1});
  std::array<float, 3> observation{};
  const float none = 0.0F;
  EXPECT_NEAR(env.step(std::span(&none, 1), observation).reward, -0.01, 1e-6);
}

TEST(Pendulum, TruncatesAtTwoHundredStepsAndNeverTerminates) {
  Pendulum env;
  std::array<float, 3> observation{};
  env.reset(3, observation);
  const float torque = 0.3F;
  for (int step = 1; step <= 200; ++step) {
    const auto result = env.step(std::span(&torque, 1), observation);
    EXPECT_FALSE(result.terminated);
    EXPECT_EQ(result.truncated, step == 200) << "step " << step;
  }
}

TEST(Pendulum, ResetDrawsAngleAndSpeedWithinBounds) {
  Pendulum env;
  std::array<float, 3> observation{};
  float fastest = 0.0F;
  for (int episode = 0; episode < 200; ++episode) {
    env.reset(episode == 0 ? std::optional<std::uint64_t>(5) : std::nullopt, observation);
    EXPECT_LE(std::abs(env.state().theta), std::numbers::pi);
    EXPECT_NEAR(observation[0] * observation[0] + observation[1] * observation[1], 1.0F, 1e-6);
    fastest = std::max(fastest, std::abs(observation[2]));
  }
  EXPECT_LE(fastest, 1.0F);
  EXPECT_GT(fastest, 0.9F);
}

TEST(Pendulum, RefusesNaNTorque) {
  Pendulum env;
  std::array<float, 3> observation{};
  env.reset(1, observation);
  const float nan = std::nanf("");
  EXPECT_THROW(env.step(std::span(&nan, 1), observation), std::invalid_argument);
}

}  // namespace
