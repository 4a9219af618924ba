// manta::cancel (Ray's ray.cancel) on one rank: queued tasks are dropped, running ones see
// manta::cancelled(), the tasks a cancelled task submitted are cancelled with it (recursive), and
// get and dependents fail with TaskCancelledError. Finished tasks and put objects are left alone.
#include "test_support.hpp"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace {

using namespace manta_test;

Gate cancel_gate;
std::atomic<int> victims_run{0};
std::atomic<int> loops_started{0};
std::atomic<int> loops_cancelled{0};
std::vector<manta::ObjectRef<int>> submitted_children;  ///< by submit_gated_children
std::mutex submitted_mutex;

int blocker() {
  cancel_gate.pass();
  return 1;
}
MANTA_REMOTE(blocker);

int victim(int x) {
  victims_run.fetch_add(1);
  return x;
}
MANTA_REMOTE(victim);

/// Runs until cancelled (or 60 s): what a long simulation step that checks cancelled() does.
int loop_until_cancelled() {
  loops_started.fetch_add(1);
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!manta::cancelled() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  if (manta::cancelled()) loops_cancelled.fetch_add(1);
  return 0;
}
MANTA_REMOTE(loop_until_cancelled);

/// Submits `n` looping children and waits for them.
int parent_of_loops(int n) {
  std::vector<manta::ObjectRef<int>> children;
  for (int i = 0; i < n; ++i) {
    children.push_back(manta::task(loop_until_cancelled).options({.num_cpus = 0}).remote());
  }
  int sum = 0;
  for (int value : manta::get(children)) sum += value;
  return sum;
}
MANTA_REMOTE(parent_of_loops);

/// Submits `n` children that wait for the gate, hands their refs to the test, and loops until
/// cancelled.
int submit_gated_children(int n) {
  {
    std::lock_guard lock(submitted_mutex);
    for (int i = 0; i < n; ++i) {
      submitted_children.push_back(manta::task(blocker).options({.num_cpus = 0}).remote());
    }
  }
  return loop_until_cancelled();
}
MANTA_REMOTE(submit_gated_children);

std::atomic<int> children_born_cancelled{0};

/// Loops until cancelled, then submits a child and waits for it: the child of a task cancelled
/// recursively is cancelled at birth.
int submit_after_cancel() {
  loop_until_cancelled();
  try {
    manta::get(manta::task(loop_until_cancelled).options({.num_cpus = 0}).remote());
  } catch (const manta::TaskCancelledError&) {
    children_born_cancelled.fetch_add(1);
  }
  return 0;
}
MANTA_REMOTE(submit_after_cancel);

void wait_for(const std::atomic<int>& counter, int value) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (counter.load() < value && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_GE(counter.load(), value);
}

class Cancel : public ::testing::Test {
 protected:
  void SetUp() override {
    cancel_gate.close();
    victims_run = 0;
    loops_started = 0;
    loops_cancelled = 0;
    submitted_children.clear();
  }
  manta::Runtime runtime_{runtime_options(1)};
  GateOpener opener_{cancel_gate};
};

TEST_F(Cancel, QueuedTaskIsDroppedAndItsGetThrows) {
  const auto busy = manta::task(blocker).remote();  // holds the only CPU
  const auto queued = manta::task(victim).remote(7);
  manta::cancel(queued);
  try {
    manta::get(queued);
    FAIL() << "get of a cancelled task returned";
  } catch (const manta::TaskCancelledError& error) {
    EXPECT_NE(std::string(error.what()).find("task 'victim' was cancelled"), std::string::npos)
        << error.what();
  }
  cancel_gate.open();
  EXPECT_EQ(manta::get(busy), 1);
  EXPECT_EQ(manta::get(manta::task(victim).remote(8)), 8);  // the CPU was given back
  EXPECT_EQ(victims_run.load(), 1);                         // the cancelled one never ran
}

TEST_F(Cancel, TaskWaitingForItsArgumentsIsDropped) {
  const auto busy = manta::task(blocker).remote();
  const auto waiting = manta::task(victim).remote(busy);  // waits for `busy`
  manta::cancel(waiting);
  EXPECT_THROW(manta::get(waiting), manta::TaskCancelledError);
  cancel_gate.open();
  EXPECT_EQ(manta::get(busy), 1);
  EXPECT_EQ(victims_run.load(), 0);
}

TEST_F(Cancel, RunningTaskSeesCancelledAndItsGetThrowsAtOnce) {
  const auto running = manta::task(loop_until_cancelled).remote();
  wait_for(loops_started, 1);
  manta::cancel(running);
  EXPECT_THROW(manta::get(running, 10s), manta::TaskCancelledError);
  wait_for(loops_cancelled, 1);
  EXPECT_FALSE(manta::cancelled());  // the driver is no task
}

// A thread task past its timeout: its get throws TaskTimeoutError at the timeout, and the task
// sees cancelled() and returns; not retried, as it may still be running.
TEST_F(Cancel, ThreadTaskPastItsTimeoutIsAskedToStop) {
  const auto begin = std::chrono::steady_clock::now();
  const auto timed =
      manta::task(loop_until_cancelled).options({.max_retries = 3, .timeout = 0.2s}).remote();
  try {
    manta::get(timed, 30s);
    FAIL() << "no TaskTimeoutError";
  } catch (const manta::TaskTimeoutError& error) {
    const std::string what = error.what();
    EXPECT_EQ(error.task_name(), "loop_until_cancelled");
    EXPECT_NE(what.find("ran past its timeout of 0.2"), std::string::npos) << what;
    EXPECT_NE(what.find("asked to stop"), std::string::npos) << what;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 20s) << "it waited for the loop's own end";
  wait_for(loops_cancelled, 1);
  EXPECT_EQ(loops_started.load(), 1) << "a timed-out thread task was run again";
}

TEST_F(Cancel, ThreadTaskWithinItsTimeoutReturnsItsValue) {
  EXPECT_EQ(manta::get(manta::task(victim).options({.timeout = 30s}).remote(4)), 4);
  EXPECT_EQ(victims_run.load(), 1);
}

TEST_F(Cancel, DependentsFailWithTheCancel) {
  const auto busy = manta::task(blocker).remote();
  const auto first = manta::task(victim).remote(1);
  const auto second = manta::task(victim).remote(first);
  manta::cancel(first);
  EXPECT_THROW(manta::get(second), manta::TaskCancelledError);
  cancel_gate.open();
  manta::get(busy);
  EXPECT_EQ(victims_run.load(), 0);
}

TEST_F(Cancel, RecursiveCancelStopsTheTasksItSubmitted) {
  const auto parent = manta::task(parent_of_loops).remote(3);
  wait_for(loops_started, 3);  // the parent runs them on its thread and more, while it waits
  manta::cancel(parent);
  EXPECT_THROW(manta::get(parent, 10s), manta::TaskCancelledError);
  wait_for(loops_cancelled, 3);
}

TEST_F(Cancel, ChildrenSubmittedAfterARecursiveCancelAreCancelled) {
  children_born_cancelled = 0;
  const auto parent = manta::task(submit_after_cancel).remote();
  wait_for(loops_started, 1);
  manta::cancel(parent);
  EXPECT_THROW(manta::get(parent, 10s), manta::TaskCancelledError);
  wait_for(children_born_cancelled, 1);
}

TEST_F(Cancel, NonRecursiveCancelLeavesTheChildren) {
  const auto parent = manta::task(submit_gated_children).options({.num_cpus = 0}).remote(2);
  wait_for(loops_started, 1);
  manta::cancel(parent, {.recursive = false});
  EXPECT_THROW(manta::get(parent, 10s), manta::TaskCancelledError);
  cancel_gate.open();
  std::lock_guard lock(submitted_mutex);
  ASSERT_EQ(submitted_children.size(), 2U);
  EXPECT_EQ(manta::get(submitted_children, 10s), (std::vector<int>{1, 1}));
}

TEST_F(Cancel, FinishedTasksAndPutObjectsAreLeftAlone) {
  const auto done = manta::task(victim).remote(3);
  EXPECT_EQ(manta::get(done), 3);
  manta::cancel(done);
  EXPECT_EQ(manta::get(done), 3);
  const auto stored = manta::put(5);
  manta::cancel(stored);
  EXPECT_EQ(manta::get(stored), 5);
}

TEST_F(Cancel, EmptyRefIsRefusedAndForceOnAThreadTaskCancelsAsWithout) {
  EXPECT_THROW(manta::cancel(manta::ObjectRef<int>{}), manta::InvalidOptionError);
  const auto busy = manta::task(loop_until_cancelled).remote();
  while (loops_started.load() == 0) std::this_thread::sleep_for(1ms);
  manta::cancel(busy, {.force = true});  // a thread cannot be killed: it is asked to stop
  EXPECT_THROW(manta::get(busy), manta::TaskCancelledError);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (loops_cancelled.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(loops_cancelled.load(), 1);
}

}  // namespace
