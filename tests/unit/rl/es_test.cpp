#include <manta/rl/adam.hpp>
#include <manta/rl/centered_ranks.hpp>
#include <manta/rl/es_learner.hpp>
#include <manta/rl/noise_table.hpp>
#include <manta/rl/running_mean_std.hpp>

#include <gtest/gtest.h>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>

#include <sstream>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

namespace {

using namespace manta::rl;

TEST(CenteredRanks, MapsRanksOntoMinusHalfToHalf) {
  // Ranks of (3, -1, 10, 0, 5) are (2, 0, 4, 1, 3); divided by n − 1 = 4, minus 0.5.
  const std::vector<float> values = {3.0F, -1.0F, 10.0F, 0.0F, 5.0F};
  const std::vector<float> expected = {0.0F, -0.5F, 0.5F, -0.25F, 0.25F};
  EXPECT_EQ(centered_ranks(values), expected);
}

TEST(CenteredRanks, TiesKeepTheirOrderAndFewerThanTwoIsRefused) {
  const std::vector<float> tied = {1.0F, 1.0F, 0.0F};
  const std::vector<float> expected = {0.0F, 0.5F, -0.5F};
  EXPECT_EQ(centered_ranks(tied), expected);
  const std::vector<float> one = {1.0F};
  EXPECT_THROW(centered_ranks(one), std::invalid_argument);
}

TEST(Adam, FirstTwoStepsOnAKnownGradient) {
  // Step 1: m = 0.1 g, v = 0.001 g², rate = 0.1·√0.001/0.1 = √0.001, so each parameter moves
  // by √0.001 · 0.1 g / (√0.001 |g|) = 0.1 sign(g) (ε aside).
  Adam adam(2, {.stepsize = 0.1F});
  std::vector<float> parameters = {1.0F, -2.0F};
  const std::vector<float> gradient = {4.0F, -0.5F};
  adam.step(parameters, gradient);
  EXPECT_NEAR(parameters[0], 0.9F, 1e-6);
  EXPECT_NEAR(parameters[1], -1.9F, 1e-6);
  // Step 2, same gradient: m = 0.19 g, v = 0.001999 g², rate = 0.1·√0.001999/0.19; the move is
  // again 0.1 sign(g), since m/√v scales with the bias corrections.
  adam.step(parameters, gradient);
  EXPECT_NEAR(parameters[0], 0.8F, 1e-5);
  EXPECT_NEAR(parameters[1], -1.8F, 1e-5);
  EXPECT_EQ(adam.steps(), 2);
  const std::vector<float> wrong = {1.0F};
  EXPECT_THROW(adam.step(parameters, wrong), std::invalid_argument);
}

TEST(RunningMeanStd, MergedHalvesEqualOneRunOverAll) {
  const std::vector<std::vector<float>> observations = {
      {1.0F, 10.0F}, {2.0F, 20.0F}, {4.0F, 20.0F}, {7.0F, 30.0F}, {11.0F, 40.0F}};
  RunningMeanStd all(2);
  RunningMeanStd first(2);
  RunningMeanStd second(2);
  for (std::size_t i = 0; i < observations.size(); ++i) {
    all.update(observations[i]);
    (i < 2 ? first : second).update(observations[i]);
  }
  first.merge(second);
  // Mean of the first feature 25/5 = 5; sample variance (16+9+1+4+36)/4 = 16.5.
  EXPECT_NEAR(all.mean()[0], 5.0F, 1e-6);
  EXPECT_NEAR(all.std()[0], std::sqrt(16.5F), 1e-5);
  EXPECT_NEAR(first.mean()[1], all.mean()[1], 1e-5);
  EXPECT_NEAR(first.std()[0], all.std()[0], 1e-5);
  EXPECT_NEAR(first.std()[1], all.std()[1], 1e-4);
  EXPECT_EQ(first.count(), 5.0);
  EXPECT_THROW(all.update(std::vector<float>{1.0F}), std::invalid_argument);
}

TEST(NoiseTable, SameSeedSameTableAndSlicesStayInside) {
  const auto values = NoiseTable::generate(3, 100000);
  EXPECT_EQ(values, NoiseTable::generate(3, 100000));
  double sum = 0.0;
  double squares = 0.0;
  for (float value : values) {
    sum += value;
    squares += double{value} * value;
  }
  EXPECT_NEAR(sum / values.size(), 0.0, 0.02);
  EXPECT_NEAR(squares / values.size(), 1.0, 0.02);

  const NoiseTable table(values);
  std::mt19937_64 generator(1);
  for (int i = 0; i < 1000; ++i) {
    const std::size_t index = table.sample_index(generator, 99990);
    EXPECT_LE(index, 10U);
    EXPECT_EQ(table.slice(index, 99990).size(), 99990U);
  }
  EXPECT_THROW(table.slice(50000, 50001), std::out_of_range);
  EXPECT_THROW(table.sample_index(generator, 100001), std::invalid_argument);
}

// ES on f(θ) = −|θ − θ*|²: each pair is scored by f at θ ± σε, exactly as episodes would be.
TEST(EsLearner, ClimbsAQuadraticTowardItsOptimum) {
  constexpr std::size_t dimension = 10;
  const std::vector<float> optimum = {1.0F, -1.0F, 0.5F,  2.0F, -0.5F,
                                      0.0F, 1.5F,  -2.0F, 0.3F, 1.0F};
  const auto values = NoiseTable::generate(11, 1 << 16);
  const NoiseTable noise(values);
  EsLearner learner(std::vector<float>(dimension, 0.0F), 1,
                    {.noise_stdev = 0.05F, .adam = {.stepsize = 0.05F}, .l2_coeff = 0.0F});
  auto distance = [&] {
    double squares = 0.0;
    for (std::size_t j = 0; j < dimension; ++j) {
      const double d = learner.parameters()[j] - optimum[j];
      squares += d * d;
    }
    return std::sqrt(squares);
  };
  auto score = [&](std::span<const float> epsilon, float sign) {
    float value = 0.0F;
    for (std::size_t j = 0; j < dimension; ++j) {
      const float d = learner.parameters()[j] + sign * 0.05F * epsilon[j] - optimum[j];
      value -= d * d;
    }
    return value;
  };
  const double start = distance();
  std::mt19937_64 generator(5);
  for (int iteration = 0; iteration < 300; ++iteration) {
    std::vector<std::uint64_t> indices;
    std::vector<float> positive;
    std::vector<float> negative;
    for (int pair = 0; pair < 20; ++pair) {
      indices.push_back(noise.sample_index(generator, dimension));
      const auto epsilon = noise.slice(indices.back(), dimension);
      positive.push_back(score(epsilon, 1.0F));
      negative.push_back(score(epsilon, -1.0F));
    }
    learner.update(noise, indices, positive, negative);
  }
  EXPECT_EQ(learner.iteration(), 300);
  EXPECT_LT(distance(), 0.1 * start) << "from " << start << " to " << distance();
}

// What a checkpoint keeps: a learner saved and loaded mid-run continues exactly as the original.
TEST(EsLearner, ContinuesIdenticallyAfterASaveAndLoad) {
  const auto values = NoiseTable::generate(4, 1000);
  const NoiseTable noise(values);
  EsLearner original(std::vector<float>{0.5F, -0.5F, 1.0F}, 2, {.l2_coeff = 0.01F});
  const std::vector<std::uint64_t> indices = {3, 70};
  const std::vector<float> positive = {1.0F, 4.0F};
  const std::vector<float> negative = {2.0F, 0.0F};
  original.observation_stats().update(std::vector<float>{1.0F, 2.0F});
  original.observation_stats().update(std::vector<float>{3.0F, -2.0F});
  original.update(noise, indices, positive, negative);

  std::stringstream bytes;
  {
    boost::archive::binary_oarchive archive(bytes);
    archive << original;
  }
  EsLearner restored;
  {
    boost::archive::binary_iarchive archive(bytes);
    archive >> restored;
  }
  EXPECT_EQ(restored.iteration(), 1);
  EXPECT_EQ(restored.observation_stats().std(), original.observation_stats().std());
  original.update(noise, indices, negative, positive);
  restored.update(noise, indices, negative, positive);
  EXPECT_EQ(restored.parameters(), original.parameters());  // Adam's moments came back too
}

TEST(EsLearner, RefusesMismatchedReturns) {
  const auto values = NoiseTable::generate(1, 100);
  const NoiseTable noise(values);
  EsLearner learner(std::vector<float>(3, 0.0F), 1, {});
  const std::vector<std::uint64_t> indices = {0, 1};
  const std::vector<float> two = {1.0F, 2.0F};
  const std::vector<float> one = {1.0F};
  EXPECT_THROW(learner.update(noise, indices, two, one), std::invalid_argument);
}

}  // namespace
