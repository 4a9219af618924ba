// Sweeps end to end on one rank: the seed's 5×5 grid and its best config, results as CSV, the
// status line, ASHA stopping bad trials early, max_concurrent_trials, and the errors a sweep
// reports: an infeasible trial at once, a trial that throws or lacks the metric as that
// trial's error, an unregistered trainable.
#include <manta/tune.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace {

namespace tune = manta::tune;
using ::testing::HasSubstr;

/// The seed chapter's objective, reported over 10 steps.
void seed_objective(const tune::Config& config, tune::Reporter& reporter) {
  const double x = config.get<double>("x"), y = config.get<double>("y");
  for (int step = 0; step < 10; ++step)
    reporter.report({{"score", std::sqrt((x * x + y * y) / 2)}});
}
MANTA_TRAINABLE(seed_objective);

/// Trials that improve with iterations, from a start set by x: the best x stays best.
void improving(const tune::Config& config, tune::Reporter& reporter) {
  const double x = config.get<double>("x");
  for (int step = 1; step <= 27; ++step) reporter.report({{"loss", x + 1.0 / step}});
}
MANTA_TRAINABLE(improving);

std::atomic<int> running_now{0};
std::atomic<int> most_running{0};

/// Counts how many of its kind run at once.
void counted(const tune::Config&, tune::Reporter& reporter) {
  const int now = ++running_now;
  int most = most_running.load();
  while (now > most && !most_running.compare_exchange_weak(most, now)) {
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  reporter.report({{"score", 1}});
  --running_now;
}
MANTA_TRAINABLE(counted);

/// Fails for x = 1; reports no "score" for x = 2.
void faulty(const tune::Config& config, tune::Reporter& reporter) {
  const auto x = config.get<std::int64_t>("x");
  if (x == 1) throw std::runtime_error("diverged at x = 1");
  reporter.report({{x == 2 ? "loss" : "score", double(x)}});
}
MANTA_TRAINABLE(faulty);

std::atomic<int> resumed_runs{0};

/// The seed objective, counting its runs.
void counted_objective(const tune::Config& config, tune::Reporter& reporter) {
  ++resumed_runs;
  seed_objective(config, reporter);
}
MANTA_TRAINABLE(counted_objective);

void never_registered(const tune::Config&, tune::Reporter&) {}

class Tuner : public ::testing::Test {
 protected:
  manta::Runtime runtime_{
      manta::RuntimeOptions{.num_cpus = 4, .object_store_memory = std::size_t{256} << 20}};
};

tune::SearchSpace seed_space() {
  const std::vector<tune::Value> points = {-1.0, -0.5, 0.0, 0.5, 1.0};
  return {{"x", tune::grid(points)}, {"y", tune::grid(points)}};
}

TEST_F(Tuner, SeedGridFindsTheOrigin) {
  std::ostringstream status;
  tune::Tuner tuner(seed_objective, seed_space(),
                    {.metric = "score", .mode = tune::Mode::min, .status_stream = &status});
  const tune::ResultGrid results = tuner.fit();
  ASSERT_EQ(results.trials().size(), 25u);
  EXPECT_EQ(results.count(tune::TrialState::terminated), 25);
  for (const auto& trial : results.trials()) EXPECT_EQ(trial.iterations, 10);
  EXPECT_EQ(results.best().config, (tune::Config{{"x", 0.0}, {"y", 0.0}}));
  EXPECT_EQ(results.best().metrics.at("score"), 0.0);
  EXPECT_THAT(status.str(), HasSubstr("0 running, 0 pending, 25 terminated, 0 stopped, 0 error"));
  EXPECT_THAT(status.str(), HasSubstr("best score 0 at {x: 0, y: 0} (trial 12)"));
  EXPECT_THAT(status.str(), HasSubstr("250 results"));

  const auto file = std::filesystem::temp_directory_path() / "manta_tune_test_results.csv";
  results.write_csv(file);
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::filesystem::remove(file);
  ASSERT_EQ(lines.size(), 26u);
  EXPECT_EQ(lines[0], "trial_id,state,iterations,x,y,score,error");
  EXPECT_EQ(lines[13], "12,terminated,10,0,0,0,");
}

TEST_F(Tuner, MaximisingPicksTheLargest) {
  tune::Tuner tuner(seed_objective, seed_space(), {.metric = "score", .mode = tune::Mode::max});
  const auto best = tuner.fit().best();
  EXPECT_EQ(std::abs(best.config.get<double>("x")), 1.0);
  EXPECT_EQ(std::abs(best.config.get<double>("y")), 1.0);
}

TEST_F(Tuner, AshaStopsBadTrialsEarlyAndKeepsTheBest) {
  auto asha = std::make_shared<tune::AshaScheduler>(
      tune::AshaOptions{.grace_period = 1, .reduction_factor = 3, .max_t = 27});
  // One trial at a time: each rung sees the trials in config order, so the run is repeatable.
  tune::Tuner tuner(improving, {{"x", tune::uniform(0, 1)}},
                    {.metric = "loss",
                     .num_samples = 27,
                     .seed = 5,
                     .scheduler = asha,
                     .max_concurrent_trials = 1});
  const auto results = tuner.fit();
  std::int64_t steps = 0;
  for (const auto& trial : results.trials()) steps += trial.iterations;
  EXPECT_GT(results.count(tune::TrialState::stopped), 13);  // more than half stopped early
  EXPECT_LT(steps, 27 * 27 / 2);
  double smallest_x = 1;
  for (const auto& trial : results.trials())
    smallest_x = std::min(smallest_x, trial.config.get<double>("x"));
  EXPECT_EQ(results.best().config.get<double>("x"), smallest_x);
  EXPECT_EQ(results.best().iterations, 27);
  EXPECT_EQ(results.best().state, tune::TrialState::terminated);
}

TEST_F(Tuner, MaxConcurrentTrialsBoundsTrialsRunningAtOnce) {
  running_now = 0;
  most_running = 0;
  tune::Tuner tuner(counted, {{"x", tune::grid({0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0})}},
                    {.metric = "score", .max_concurrent_trials = 2});
  EXPECT_EQ(tuner.fit().count(tune::TrialState::terminated), 8);
  EXPECT_LE(most_running.load(), 2);
  EXPECT_GE(most_running.load(), 1);
}

TEST_F(Tuner, ATrialThatCanNeverFitFailsTheSweepAtOnce) {
  tune::Tuner tuner(seed_objective, seed_space(),
                    {.metric = "score", .resources_per_trial = {.num_cpus = 64}});
  EXPECT_THROW(tuner.fit(), manta::InfeasibleError);
}

TEST_F(Tuner, FailingTrialsAreReportedAndTheOthersRun) {
  tune::Tuner tuner(
      faulty,
      {{"x", tune::grid({std::int64_t{0}, std::int64_t{1}, std::int64_t{2}, std::int64_t{3}})}},
      {.metric = "score", .mode = tune::Mode::max});
  const auto results = tuner.fit();
  EXPECT_EQ(results.trials()[0].state, tune::TrialState::terminated);
  EXPECT_EQ(results.trials()[1].state, tune::TrialState::error);
  EXPECT_THAT(results.trials()[1].error, HasSubstr("diverged at x = 1"));
  EXPECT_EQ(results.trials()[2].state, tune::TrialState::error);
  EXPECT_THAT(
      results.trials()[2].error,
      HasSubstr("trial 2 reported no 'score', the experiment's metric (it reported: loss)"));
  EXPECT_EQ(results.best().id, 3);
}

/// A fresh directory for one test's experiment.
std::filesystem::path experiment_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("manta_tune_test_" + name);
  std::filesystem::remove_all(dir);
  return dir;
}

/// The lines of `file`.
std::vector<std::string> lines_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// Each trial's id, state, iterations and metrics.
std::vector<std::string> outcomes(const tune::ResultGrid& results) {
  std::vector<std::string> text;
  for (const auto& trial : results.trials()) {
    text.push_back(std::to_string(trial.id) + " " + to_string(trial.state) + " " +
                   std::to_string(trial.iterations) + " " +
                   tune::to_string(tune::Value{trial.metrics.at("score")}));
  }
  return text;
}

// An interruption is the record cut after some trials' ends, mid-line (the process killed while
// it wrote): the resumed sweep runs only the trials that had not ended, and ends as an
// uninterrupted one does, ASHA's decisions included (the ended trials' results are replayed).
TEST_F(Tuner, ResumeRunsOnlyTheTrialsThatHadNotEndedAndEndsTheSame) {
  const auto dir = experiment_dir("resume");
  auto options = [&](bool resume) {
    return tune::TuneOptions{.metric = "score",
                             .scheduler = std::make_shared<tune::AshaScheduler>(tune::AshaOptions{
                                 .grace_period = 1, .reduction_factor = 3, .max_t = 10}),
                             .max_concurrent_trials = 1,
                             .experiment_dir = dir,
                             .resume = resume};
  };
  resumed_runs = 0;
  const auto uninterrupted =
      outcomes(tune::Tuner(counted_objective, seed_space(), options(false)).fit());
  ASSERT_EQ(resumed_runs.load(), 25);

  const auto file = dir / "experiment.jsonl";
  const auto lines = lines_of(file);
  std::size_t ends = 0, cut = 0;
  while (ends < 9 && cut < lines.size()) ends += lines[cut++].find("\"end\":") != std::string::npos;
  ASSERT_EQ(ends, 9u);
  {
    std::ofstream out(file, std::ios::trunc);
    for (std::size_t i = 0; i < cut; ++i) out << lines[i] << '\n';
    out << lines[cut].substr(0, lines[cut].size() / 2);
  }
  EXPECT_THROW(tune::Tuner(counted_objective, seed_space(), options(false)).fit(),
               manta::InvalidOptionError);

  resumed_runs = 0;
  const auto resumed = tune::Tuner(counted_objective, seed_space(), options(true)).fit();
  EXPECT_EQ(resumed_runs.load(), 25 - 9);
  EXPECT_EQ(outcomes(resumed), uninterrupted);
  EXPECT_EQ(resumed.best().config, (tune::Config{{"x", 0.0}, {"y", 0.0}}));

  // Resumed once more, nothing is left to run.
  resumed_runs = 0;
  EXPECT_EQ(outcomes(tune::Tuner(counted_objective, seed_space(), options(true)).fit()),
            uninterrupted);
  EXPECT_EQ(resumed_runs.load(), 0);
  std::filesystem::remove_all(dir);
}

TEST_F(Tuner, ResumeRefusesAnotherExperiment) {
  const auto dir = experiment_dir("other");
  tune::Tuner(seed_objective, seed_space(), {.metric = "score", .experiment_dir = dir}).fit();
  try {
    tune::Tuner(seed_objective, {{"x", tune::grid({0.0})}},
                {.metric = "score", .experiment_dir = dir, .resume = true})
        .fit();
    FAIL() << "no error";
  } catch (const manta::InvalidOptionError& error) {
    EXPECT_THAT(error.what(), HasSubstr("its trial count was 25, this sweep's is 1"));
  }
  std::filesystem::remove_all(dir);
}

TEST(TunerOptions, RefusesWhatCannotRun) {
  EXPECT_THROW(tune::Tuner(never_registered, {}, {.metric = "score"}), manta::NotRegisteredError);
  EXPECT_THROW(tune::Tuner(seed_objective, {}, {}), manta::InvalidOptionError);
  EXPECT_THROW(tune::Tuner(seed_objective, {}, {.metric = "score", .num_samples = 0}),
               manta::InvalidOptionError);
  EXPECT_THROW(tune::Tuner(seed_objective, {}, {.metric = "score", .max_concurrent_trials = -1}),
               manta::InvalidOptionError);
}

}  // namespace
