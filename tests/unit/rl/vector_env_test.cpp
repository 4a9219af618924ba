#include <manta/rl/cartpole.hpp>
#include <manta/rl/make_environment.hpp>
#include <manta/rl/vector_env.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace {

using manta::rl::make_vector_env;
using manta::rl::VectorEnv;

TEST(VectorEnv, CopyIIsSeededWithSeedPlusI) {
  VectorEnv envs = make_vector_env("CartPole-v1", 3);
  envs.reset(10);
  manta::rl::CartPole single;
  std::vector<float> observation(4);
  for (std::size_t i = 0; i < 3; ++i) {
    single.reset(10 + i, observation);
    const auto row = envs.observations().subspan(i * 4, 4);
    EXPECT_EQ(std::vector<float>(row.begin(), row.end()), observation) << "copy " << i;
  }
}

TEST(VectorEnv, StepsEveryCopyAsASingleEnvironmentWould) {
  VectorEnv envs = make_vector_env("cartpole", 2);
  envs.reset(3);
  manta::rl::CartPole second;
  std::vector<float> observation(4);
  second.reset(4, observation);
  const std::vector<float> actions = {0.0F, 1.0F};
  envs.step(actions);
  second.step(std::span(&actions[1], 1), observation);
  const auto row = envs.observations().subspan(4, 4);
  EXPECT_EQ(std::vector<float>(row.begin(), row.end()), observation);
  EXPECT_EQ(envs.rewards()[0], 1.0F);
  EXPECT_EQ(envs.rewards()[1], 1.0F);
}

TEST(VectorEnv, ResetsAFinishedCopyAtOnceAndReportsItsEpisode) {
  VectorEnv envs = make_vector_env("CartPole-v1", 2);
  envs.reset(0);
  // Always pushing right tips the pole over in a few dozen steps.
  const std::vector<float> right(2, 1.0F);
  int steps = 0;
  while (envs.finished().empty()) {
    envs.step(right);
    ++steps;
    ASSERT_LT(steps, 500) << "pushing one way never ended an episode";
  }
  const manta::rl::FinishedEpisode episode =
      envs.finished().front();  // a copy: step clears the list
  EXPECT_EQ(episode.length, steps);
  EXPECT_EQ(episode.total_reward, steps);  // 1 per step, the last one included
  EXPECT_FALSE(episode.truncated);
  // The copy restarted: its observation is a fresh draw, within the reset interval.
  for (float value : envs.observations().subspan(episode.env * 4, 4)) {
    EXPECT_LE(std::abs(value), 0.05F);
  }
  envs.step(right);
  for (const auto& later : envs.finished()) EXPECT_NE(later.env, episode.env);
}

TEST(VectorEnv, PendulumEpisodesAreTruncatedAtTwoHundred) {
  VectorEnv envs = make_vector_env("Pendulum-v1", 4);
  envs.reset(1);
  const std::vector<float> torques(4, 0.5F);
  for (int step = 1; step <= 200; ++step) {
    envs.step(torques);
    EXPECT_EQ(envs.finished().size(), step == 200 ? 4U : 0U) << "step " << step;
  }
  for (const auto& episode : envs.finished()) {
    EXPECT_EQ(episode.length, 200);
    EXPECT_TRUE(episode.truncated);
    EXPECT_LT(episode.total_reward, 0.0);
  }
}

TEST(VectorEnv, SameSeedSameTrajectories) {
  auto run = [](std::uint64_t seed) {
    VectorEnv envs = make_vector_env("CartPole-v1", 4);
    envs.reset(seed);
    std::vector<float> trace;
    const std::vector<float> actions = {0.0F, 1.0F, 1.0F, 0.0F};
    for (int step = 0; step < 100; ++step) {
      envs.step(actions);  // episodes end and restart along the way
      trace.insert(trace.end(), envs.observations().begin(), envs.observations().end());
    }
    return trace;
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

TEST(VectorEnv, RefusesBadInput) {
  EXPECT_THROW(make_vector_env("CartPole-v0", 2), std::invalid_argument);
  EXPECT_THROW(make_vector_env("cartpole", 0), std::invalid_argument);
  VectorEnv envs = make_vector_env("cartpole", 2);
  const std::vector<float> one_action = {1.0F};
  EXPECT_THROW(envs.step(one_action), std::logic_error);  // before reset
  envs.reset(1);
  EXPECT_THROW(envs.step(one_action), std::invalid_argument);
  std::vector<std::unique_ptr<manta::rl::Environment>> mixed;
  mixed.push_back(manta::rl::make_environment("cartpole"));
  mixed.push_back(manta::rl::make_environment("pendulum"));
  EXPECT_THROW(VectorEnv(std::move(mixed)), std::invalid_argument);
}

}  // namespace
