// The state API on one rank: list_tasks (what runs now, where, for how long), list_actors
// (phase, restarts, calls) and summary (counts and durations per function and method).
#include "../../support/eventually.hpp"
#include "test_support.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace manta_test;

Gate state_gate;

int state_gated(int x) {
  state_gate.pass();
  return x;
}
MANTA_REMOTE(state_gated);

int state_fast(int x) { return x + 1; }
MANTA_REMOTE(state_fast);

int state_sleeps(int milliseconds) {
  std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
  return milliseconds;
}
MANTA_REMOTE(state_sleeps);

int state_throws(int x) { throw std::runtime_error("state_throws " + std::to_string(x)); }
MANTA_REMOTE(state_throws);

/// What a task sees of itself and the rank while it runs.
std::vector<std::string> state_seen_from_a_task(int) {
  std::vector<std::string> names;
  for (const auto& task : manta::list_tasks()) names.push_back(task.name);
  return names;
}
MANTA_REMOTE(state_seen_from_a_task);

class StateCounter {
 public:
  int add(int amount) { return total_ += amount; }
  int crash() { throw manta::ActorFatalError("the counter lost its memory"); }
  int leave() { manta::exit_actor(); }
  int wait_at_gate() {
    state_gate.pass();
    return 1;
  }

 private:
  int total_ = 0;
};
MANTA_ACTOR(StateCounter, add, crash, leave, wait_at_gate);

const manta::FunctionSummary* find_function(const manta::JobSummary& job, const std::string& name) {
  const auto found = std::find_if(job.functions.begin(), job.functions.end(),
                                  [&](const auto& function) { return function.name == name; });
  return found == job.functions.end() ? nullptr : &*found;
}

std::vector<manta::RunningTask> running_named(const std::string& name) {
  std::vector<manta::RunningTask> running;
  for (const auto& task : manta::list_tasks()) {
    if (task.name == name) running.push_back(task);
  }
  return running;
}

class State : public ::testing::Test {
 protected:
  void SetUp() override { state_gate.close(); }

  manta::Runtime runtime_{runtime_options(4)};
  GateOpener opener_{state_gate};
};

TEST_F(State, RunningTasksAreListedWithTheirRankThreadAndAge) {
  std::vector<manta::ObjectRef<int>> refs;
  for (int i = 0; i < 3; ++i) refs.push_back(manta::task(state_gated).remote(i));
  ASSERT_TRUE(eventually([] { return running_named("state_gated").size() == 3; }));
  std::this_thread::sleep_for(50ms);
  const auto running = running_named("state_gated");
  ASSERT_EQ(running.size(), 3U);
  std::vector<std::string> threads;
  for (const auto& task : running) {
    EXPECT_EQ(task.rank, expected_rank());
    EXPECT_FALSE(task.actor_call);
    EXPECT_EQ(task.depth, 0);
    EXPECT_GE(task.running_seconds, 0.05);
    EXPECT_LT(task.running_seconds, 60);
    EXPECT_EQ(task.thread.rfind("worker ", 0), 0U) << task.thread;
    threads.push_back(task.thread);
  }
  std::sort(threads.begin(), threads.end());
  EXPECT_EQ(std::unique(threads.begin(), threads.end()), threads.end()) << "one thread each";

  const auto job = manta::summary();
  ASSERT_EQ(job.ranks.size(), 1U);
  EXPECT_EQ(job.ranks[0].running, 3U);
  const auto* gated = find_function(job, "state_gated");
  ASSERT_NE(gated, nullptr);
  EXPECT_EQ(gated->running, 3U);
  EXPECT_EQ(gated->finished, 0U);

  state_gate.open();
  EXPECT_EQ(manta::get(refs), (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(eventually([] { return running_named("state_gated").empty(); }));
}

TEST_F(State, QueuedWorkIsCountedPerRank) {
  // 4 CPU slots: 4 gated tasks hold them, the other 3 wait in the queue.
  std::vector<manta::ObjectRef<int>> refs;
  for (int i = 0; i < 7; ++i) refs.push_back(manta::task(state_gated).remote(i));
  ASSERT_TRUE(eventually([] { return running_named("state_gated").size() == 4; }));
  const auto job = manta::summary();
  ASSERT_EQ(job.ranks.size(), 1U);
  EXPECT_EQ(job.ranks[0].queued, 3U);
  EXPECT_EQ(job.ranks[0].running, 4U);
  EXPECT_FALSE(job.ranks[0].hostname.empty());
  state_gate.open();
  manta::get(refs);
  EXPECT_TRUE(eventually([] { return manta::summary().ranks[0].queued == 0; }));
}

TEST_F(State, SummaryCountsFinishedFailedAndRetriedRunsAndTheirDurations) {
  std::vector<manta::ObjectRef<int>> fast;
  for (int i = 0; i < 20; ++i) fast.push_back(manta::task(state_fast).remote(i));
  manta::get(fast);
  EXPECT_EQ(manta::get(manta::task(state_sleeps).remote(60)), 60);
  EXPECT_EQ(manta::get(manta::task(state_sleeps).remote(10)), 10);
  EXPECT_THROW(manta::get(manta::task(state_throws).remote(1)), manta::TaskError);
  EXPECT_THROW(manta::get(manta::task(state_throws).options({.max_retries = 2}).remote(2)),
               manta::TaskError);

  ASSERT_TRUE(eventually([] {
    const auto job = manta::summary();
    const auto* throws = find_function(job, "state_throws");
    const auto* fast_runs = find_function(job, "state_fast");
    const auto* sleeps = find_function(job, "state_sleeps");  // none until its first run counts
    return throws != nullptr && throws->failed == 2 && fast_runs != nullptr &&
           fast_runs->finished == 20 && sleeps != nullptr && sleeps->finished == 2;
  }));
  const auto job = manta::summary();
  const auto& fast_summary = *find_function(job, "state_fast");
  EXPECT_FALSE(fast_summary.actor_method);
  EXPECT_EQ(fast_summary.failed, 0U);
  EXPECT_EQ(fast_summary.retried, 0U);
  EXPECT_EQ(fast_summary.running, 0U);
  const auto& throws = *find_function(job, "state_throws");
  EXPECT_EQ(throws.finished, 0U);
  EXPECT_EQ(throws.retried, 2U);  // the second ran 3 times: 2 retried, then failed
  EXPECT_EQ(throws.ended(), 4U);
  const auto& sleeps = *find_function(job, "state_sleeps");
  EXPECT_GE(sleeps.max_seconds, 0.06);
  EXPECT_GE(sleeps.total_seconds, 0.07);
  EXPECT_NEAR(sleeps.mean_seconds(), sleeps.total_seconds / 2, 1e-12);
  EXPECT_LE(sleeps.max_seconds, sleeps.total_seconds);
  // Most run first.
  EXPECT_EQ(job.functions.front().name, "state_fast");
}

TEST_F(State, ActorsAreListedWithPhaseRestartsAndCalls) {
  auto counter = manta::actor<StateCounter>().options({.name = "state-counter"}).remote();
  auto fragile = manta::actor<StateCounter>().options({.max_restarts = 1}).remote();
  for (int i = 0; i < 5; ++i) counter.call(&StateCounter::add).remote(i);
  EXPECT_EQ(manta::get(counter.call(&StateCounter::add).remote(0)), 10);
  EXPECT_THROW(manta::get(fragile.call(&StateCounter::crash).remote()), manta::TaskError);
  EXPECT_EQ(manta::get(fragile.call(&StateCounter::add).remote(7)), 7);

  const auto find_actor = [](const std::string& name, int restarts) {
    for (const auto& actor : manta::list_actors()) {
      if (actor.class_name == "StateCounter" && actor.name == name && actor.restarts == restarts)
        return std::optional(actor);
    }
    return std::optional<manta::ActorState>();
  };
  ASSERT_TRUE(eventually([&] {
    const auto named = find_actor("state-counter", 0);
    return named && named->calls_waiting == 0;
  }));
  const auto named = *find_actor("state-counter", 0);
  EXPECT_EQ(named.rank, expected_rank());
  EXPECT_EQ(named.phase, manta::ActorState::Phase::alive);
  EXPECT_STREQ(manta::to_string(named.phase), "alive");
  EXPECT_EQ(named.calls_finished, 6U);
  const auto restarted = find_actor("", 1);
  ASSERT_TRUE(restarted.has_value()) << "the unnamed actor restarted once";
  EXPECT_EQ(restarted->phase, manta::ActorState::Phase::alive);

  const auto job = manta::summary();
  const auto* add = find_function(job, "StateCounter.add");
  ASSERT_NE(add, nullptr);
  EXPECT_TRUE(add->actor_method);
  EXPECT_EQ(add->finished, 7U);
  const auto* crash = find_function(job, "StateCounter.crash");
  ASSERT_NE(crash, nullptr);
  EXPECT_EQ(crash->failed, 1U);
  EXPECT_EQ(job.ranks[0].actors, 2U);

  EXPECT_THROW(manta::get(counter.call(&StateCounter::leave).remote()), manta::ActorDiedError);
  EXPECT_TRUE(eventually([&] {
    const auto actors = manta::list_actors();
    return std::any_of(actors.begin(), actors.end(), [](const auto& actor) {
      return actor.name == "state-counter" && actor.phase == manta::ActorState::Phase::dead;
    });
  }));
}

TEST_F(State, RunningActorCallsAreListedAsSuch) {
  auto counter = manta::actor<StateCounter>().remote();
  auto call = counter.call(&StateCounter::wait_at_gate).remote();
  ASSERT_TRUE(eventually([] { return running_named("StateCounter.wait_at_gate").size() == 1; }));
  const auto running = running_named("StateCounter.wait_at_gate").front();
  EXPECT_TRUE(running.actor_call);
  EXPECT_EQ(running.rank, expected_rank());
  state_gate.open();
  EXPECT_EQ(manta::get(call), 1);
}

// The store's use and the spill files are the rank's own: what a node running out of memory
// shows first in manta status.
TEST(StateOfTheStore, UseAndSpilledObjectsAreCountedWhileReferenced) {
  constexpr std::size_t mib = std::size_t{1} << 20;
  manta::Runtime runtime({.num_cpus = 1, .object_store_memory = 8 * mib});
  const auto before = manta::summary().ranks.at(0);
  EXPECT_EQ(before.store_capacity_bytes, manta::options().object_store_memory);
  EXPECT_EQ(before.spilled_objects, 0U);
  {
    auto in_store = manta::put(std::vector<char>(2 * mib, 'a'));
    auto spilled = manta::put(std::vector<char>(12 * mib, 'b'));  // more than the store holds
    const auto during = manta::summary().ranks.at(0);
    EXPECT_GE(during.store_used_bytes, before.store_used_bytes + 2 * mib);
    EXPECT_EQ(during.spilled_objects, 1U);
    EXPECT_GE(during.spilled_bytes, 12 * mib);
  }
  EXPECT_TRUE(eventually([] { return manta::summary().ranks.at(0).spilled_objects == 0; }))
      << "the spill file outlived its object";
  EXPECT_EQ(manta::summary().ranks.at(0).spilled_bytes, 0U);
}

TEST_F(State, ATaskMayAskWhatRuns) {
  const auto seen = manta::get(manta::task(state_seen_from_a_task).remote(0));
  EXPECT_NE(std::find(seen.begin(), seen.end(), "state_seen_from_a_task"), seen.end());
}

TEST_F(State, ATimeoutThatIsNoDurationIsRefused) {
  EXPECT_THROW(manta::list_tasks({.timeout = std::chrono::duration<double>(-1)}),
               manta::InvalidOptionError);
  EXPECT_THROW(manta::summary({.timeout = std::chrono::duration<double>(
                                   std::numeric_limits<double>::infinity())}),
               manta::InvalidOptionError);
}

}  // namespace
