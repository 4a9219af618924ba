// core::JobState on several ranks in one process, joined by a transport::Loopback: a gather
// asks every rank, runs recorded with WorkStats::Run on a rank's thread come back in its
// answer, and a rank that does not answer is named when the gather gives up.
#include "core/job_state.hpp"
#include "core/executor.hpp"
#include "core/message_router.hpp"
#include "transport/loopback.hpp"

#include <manta/error.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using manta::core::Executor;
using manta::core::JobState;
using manta::core::MessageRouter;
using manta::core::WorkStats;
using ::testing::HasSubstr;
namespace transport = manta::transport;
namespace timeline = manta::util::timeline;

constexpr int ranks = 3;

/// One rank: what the runtime gives JobState. `answers`: false leaves StateRequest without a
/// handler, as a rank that never answers.
struct Rank {
  Rank(int rank, transport::Loopback& network, bool answers)
      : router({ranks, 0}, [](int, const std::string&) {}),
        executor(manta::resources::Capacity{.cpu = manta::resources::units_per_unit}, 2,
                 std::chrono::microseconds(0)) {
    if (answers) {
      state.emplace(rank, ranks, "host" + std::to_string(rank), network.sender(rank), executor,
                    router);
    }
    network.attach(rank, [this](int source, std::span<const std::byte> message) {
      router.route(source, message);
    });
  }
  ~Rank() { executor.stop(); }

  MessageRouter router;
  Executor executor;
  std::optional<JobState> state;
};

class JobStateOnRanks : public ::testing::Test {
 protected:
  void start(int silent_rank) {
    for (int rank = 0; rank < ranks; ++rank) {
      job.push_back(std::make_unique<Rank>(rank, network, rank != silent_rank));
    }
  }
  ~JobStateOnRanks() override { network.stop(); }
  JobState& on(int rank) { return *job[static_cast<std::size_t>(rank)]->state; }

  transport::Loopback network{ranks};
  std::vector<std::unique_ptr<Rank>> job;
};

TEST_F(JobStateOnRanks, EveryRankAnswersWithWhatItsThreadsRun) {
  start(-1);
  {
    // Runs on rank 1: one ended (failed), one still running on another thread.
    WorkStats::Run failed(on(1).stats(), timeline::Kind::task, "simulate");
    failed.failed();
  }
  std::atomic<bool> release{false};
  std::atomic<bool> started{false};
  std::thread runner([&] {
    WorkStats::Run running(on(1).stats(), timeline::Kind::actor_call, "Learner.update");
    started = true;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  const auto states = on(2).gather(std::chrono::seconds(10));
  release = true;
  runner.join();
  ASSERT_EQ(states.size(), static_cast<std::size_t>(ranks));
  for (int rank = 0; rank < ranks; ++rank) {
    EXPECT_EQ(states[static_cast<std::size_t>(rank)].summary.rank, rank);
    EXPECT_EQ(states[static_cast<std::size_t>(rank)].summary.hostname,
              "host" + std::to_string(rank));
  }
  const auto& one = states[1];
  ASSERT_EQ(one.running.size(), 1U);
  EXPECT_EQ(one.running[0].name, "Learner.update");
  EXPECT_TRUE(one.running[0].actor_call);
  EXPECT_EQ(one.running[0].rank, 1);
  EXPECT_EQ(one.summary.running, 1U);
  ASSERT_EQ(one.functions.size(), 2U);
  for (const auto& function : one.functions) {
    if (function.name == "simulate") {
      EXPECT_EQ(function.failed, 1U);
      EXPECT_EQ(function.running, 0U);
      EXPECT_FALSE(function.actor_method);
    } else {
      EXPECT_EQ(function.name, "Learner.update");
      EXPECT_EQ(function.running, 1U);
      EXPECT_TRUE(function.actor_method);
    }
  }
  EXPECT_TRUE(states[0].functions.empty());
  EXPECT_TRUE(states[2].running.empty());
}

TEST_F(JobStateOnRanks, NestedRunsAreListedWithTheirDepth) {
  start(-1);
  WorkStats::Run outer(on(0).stats(), timeline::Kind::task, "outer");
  {
    WorkStats::Run inner(on(0).stats(), timeline::Kind::task, "inner");
    const auto running = on(0).local().running;
    ASSERT_EQ(running.size(), 2U);
    EXPECT_EQ(running[0].name, "outer");
    EXPECT_EQ(running[0].depth, 0);
    EXPECT_EQ(running[1].name, "inner");
    EXPECT_EQ(running[1].depth, 1);
    EXPECT_EQ(running[0].thread, running[1].thread);
  }
  const auto running = on(0).local().running;
  ASSERT_EQ(running.size(), 1U);
  EXPECT_EQ(running[0].name, "outer");
}

TEST_F(JobStateOnRanks, ARankThatDoesNotAnswerIsNamed) {
  start(1);
  try {
    on(0).gather(std::chrono::milliseconds(300));
    ADD_FAILURE() << "the gather returned without rank 1";
  } catch (const manta::GetTimeoutError& error) {
    EXPECT_THAT(error.what(), HasSubstr("rank 1 of 3 did not answer within 0.3 s"));
  }
  // The next gather is not confused by the late or missing answers of the last one.
  EXPECT_THROW(on(2).gather(std::chrono::milliseconds(100)), manta::GetTimeoutError);
}

}  // namespace
