// ASHA's decisions on hand-made sequences of results (scores: higher is better): rungs at
// grace_period · η^k, a trial stopped at a rung unless it is in the top 1/η of the scores
// recorded there before it, the first at a rung always going on, and max_t completing a trial.
#include <manta/tune.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

namespace tune = manta::tune;
using tune::Decision;

TEST(AshaScheduler, RungsGrowByTheReductionFactorBelowMaxT) {
  EXPECT_EQ(tune::AshaScheduler({.grace_period = 1, .reduction_factor = 4, .max_t = 100}).rungs(),
            (std::vector<std::int64_t>{1, 4, 16, 64}));
  EXPECT_EQ(tune::AshaScheduler({.grace_period = 2, .reduction_factor = 3, .max_t = 18}).rungs(),
            (std::vector<std::int64_t>{2, 6}));
  EXPECT_EQ(tune::AshaScheduler({.grace_period = 5, .reduction_factor = 2, .max_t = 5}).rungs(),
            (std::vector<std::int64_t>{}));
}

TEST(AshaScheduler, StopsTrialsOutsideTheTopThirdOfTheirRung) {
  tune::AshaScheduler asha({.grace_period = 1, .reduction_factor = 3, .max_t = 9});  // rungs 1, 3
  // Rung 1. The first result there has nothing to beat.
  EXPECT_EQ(asha.on_result(0, 1, 0.5), Decision::go_on);
  // Cutoff: the 2/3 quantile of {0.5} = 0.5.
  EXPECT_EQ(asha.on_result(1, 1, 0.2), Decision::stop);
  // Of {0.2, 0.5}: 0.2 + (2/3)(0.3) = 0.4.
  EXPECT_EQ(asha.on_result(2, 1, 0.9), Decision::go_on);
  // Of {0.2, 0.5, 0.9}: position 4/3, 0.5 + (1/3)(0.4) = 0.633.
  EXPECT_EQ(asha.on_result(3, 1, 0.6), Decision::stop);
  EXPECT_EQ(asha.on_result(4, 1, 0.7), Decision::go_on);
  // Between rungs nothing is decided, however bad the score.
  EXPECT_EQ(asha.on_result(0, 2, -100), Decision::go_on);
  // Rung 3, filled by trials as they get there: no waiting for the rung to fill.
  EXPECT_EQ(asha.on_result(0, 3, 0.6), Decision::go_on);
  EXPECT_EQ(asha.on_result(2, 3, 0.55), Decision::stop);
  EXPECT_EQ(asha.on_result(4, 3, 0.8), Decision::go_on);
  // max_t: complete, whatever the score.
  EXPECT_EQ(asha.on_result(4, 9, -1), Decision::complete);

  EXPECT_EQ(asha.recorded(1),
            (std::map<std::int64_t, double>{{0, 0.5}, {1, 0.2}, {2, 0.9}, {3, 0.6}, {4, 0.7}}));
  EXPECT_EQ(asha.recorded(3), (std::map<std::int64_t, double>{{0, 0.6}, {2, 0.55}, {4, 0.8}}));
}

TEST(AshaScheduler, ATieWithTheCutoffGoesOn) {
  tune::AshaScheduler asha({.grace_period = 1, .reduction_factor = 2, .max_t = 4});
  EXPECT_EQ(asha.on_result(0, 1, 1.0), Decision::go_on);
  EXPECT_EQ(asha.on_result(1, 1, 1.0), Decision::go_on);
  EXPECT_EQ(asha.on_result(2, 1, 0.999), Decision::stop);
}

TEST(AshaScheduler, ATrialIsJudgedOncePerRung) {
  tune::AshaScheduler asha({.grace_period = 2, .reduction_factor = 2, .max_t = 100});
  EXPECT_EQ(asha.on_result(0, 2, 1.0), Decision::go_on);
  EXPECT_EQ(asha.on_result(1, 2, 2.0), Decision::go_on);
  // Trial 0 reports again past rung 2 (below rung 4): it was judged there already.
  EXPECT_EQ(asha.on_result(0, 3, 0.0), Decision::go_on);
  EXPECT_EQ(asha.recorded(2).size(), 2u);
}

TEST(AshaScheduler, BadOptionsAreRefusedNamingTheProblem) {
  using Options = tune::AshaOptions;
  EXPECT_THROW(tune::AshaScheduler(Options{.grace_period = 0}), manta::InvalidOptionError);
  EXPECT_THROW(tune::AshaScheduler(Options{.reduction_factor = 1}), manta::InvalidOptionError);
  try {
    tune::AshaScheduler(Options{.grace_period = 10, .max_t = 5});
    FAIL() << "no error";
  } catch (const manta::InvalidOptionError& error) {
    EXPECT_THAT(error.what(), ::testing::HasSubstr("max_t is 5: needs >= grace_period (10)"));
  }
}

TEST(FifoScheduler, LetsEveryTrialGoOn) {
  tune::FifoScheduler fifo;
  for (int trial = 0; trial < 3; ++trial)
    EXPECT_EQ(fifo.on_result(trial, 1, -1e9), Decision::go_on);
}

}  // namespace
