// core::Executor on its own: CPU units, what an idle rank may steal, the idle hook, and idle
// threads that sleep at once or poll first. Each test runs with both.
#include "core/executor.hpp"
#include "core/waiter.hpp"

#include "resources/request.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using manta::core::Executor;
using manta::core::Runnable;
using manta::resources::Capacity;
constexpr auto units_per_cpu = manta::resources::units_per_unit;

/// Holds its thread until released.
class Latch {
 public:
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
};

class Job final : public Runnable {
 public:
  Job(int id, bool can_be_stolen, std::atomic<int>& ran, Latch* hold = nullptr)
      : id_(id), can_be_stolen_(can_be_stolen), ran_(ran), hold_(hold) {
    request.cpu = units_per_cpu;
  }
  Units run() override {
    if (hold_ != nullptr) hold_->wait();
    ran_.fetch_add(1);
    return Units::release;
  }
  bool stealable() const noexcept override { return can_be_stolen_; }
  void abandon(const std::string& reason) override { FAIL() << describe() << ": " << reason; }
  std::string describe() const override { return "job " + std::to_string(id_); }
  int id() const { return id_; }

 private:
  int id_;
  bool can_be_stolen_;
  std::atomic<int>& ran_;
  Latch* hold_;
};

void wait_until(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!condition() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

/// Parameter: how long an idle worker polls before it sleeps.
class Executors : public ::testing::TestWithParam<std::chrono::microseconds> {
 protected:
  const std::chrono::microseconds spin = GetParam();
};

std::string spin_name(const ::testing::TestParamInfo<std::chrono::microseconds>& info) {
  return info.param.count() == 0 ? "sleeps" : "polls" + std::to_string(info.param.count()) + "us";
}

TEST_P(Executors, StealTakesAtMostHalfTheQueueNewestFirstAndOnlyStealable) {
  Executor executor(Capacity{.cpu = units_per_cpu}, 8, spin);
  std::atomic<int> ran{0};
  Latch hold;
  Job blocker(0, false, ran, &hold);
  executor.submit(&blocker);  // holds the only CPU: everything after it waits in the queue
  wait_until([&] { return executor.free_cpu() == 0; });

  std::vector<Job> queued;
  queued.reserve(8);
  for (int id = 1; id <= 8; ++id) queued.emplace_back(id, id % 2 == 0, ran);  // even: stealable
  for (auto& job : queued) executor.submit(&job);
  EXPECT_FALSE(executor.can_start_now(units_per_cpu));
  EXPECT_DOUBLE_EQ(executor.load_in_cpus(), 9.0);  // 8 queued + 1 running

  const auto stolen = executor.steal(3 * units_per_cpu);  // room for three one-CPU tasks
  ASSERT_EQ(stolen.size(), 3U);
  EXPECT_EQ(static_cast<Job*>(stolen[0])->id(), 8);
  EXPECT_EQ(static_cast<Job*>(stolen[1])->id(), 6);
  EXPECT_EQ(static_cast<Job*>(stolen[2])->id(), 4);
  EXPECT_DOUBLE_EQ(executor.load_in_cpus(), 6.0);

  EXPECT_TRUE(executor.steal(0).empty()) << "no task fits in zero units";

  hold.open();
  wait_until([&] { return ran.load() == 1 + 5; });  // the blocker and the five left behind
  EXPECT_EQ(ran.load(), 6);
  executor.stop();
}

TEST_P(Executors, WorkHoldingNoCpuDoesNotWaitBehindQueuedCpuWork) {
  // One CPU, held; 100 one-CPU jobs queued behind it (past the lookahead of a scanning thread).
  Executor executor(Capacity{.cpu = units_per_cpu}, 8, spin);
  std::atomic<int> ran{0};
  Latch hold;
  Job blocker(0, false, ran, &hold);
  executor.submit(&blocker);
  wait_until([&] { return executor.free_cpu() == 0; });
  std::vector<Job> queued;
  queued.reserve(100);
  for (int id = 1; id <= 100; ++id) queued.emplace_back(id, false, ran);
  for (auto& job : queued) executor.submit(&job);
  // A zero-CPU actor's drain, and a second one: both run while the CPU is still held.
  std::atomic<int> light_ran{0};
  Job light(101, false, light_ran);
  Job lighter(102, false, light_ran);
  light.request.cpu = 0;
  lighter.request.cpu = 0;
  executor.submit(&light);
  executor.submit(&lighter);
  wait_until([&] { return light_ran.load() == 2; });
  EXPECT_EQ(light_ran.load(), 2);
  EXPECT_EQ(ran.load(), 0) << "the CPU is still held: no one-CPU job ran";
  hold.open();
  wait_until([&] { return ran.load() == 101; });
  EXPECT_EQ(ran.load(), 101);
  executor.stop();
}

TEST_P(Executors, StealLeavesHalfTheQueue) {
  Executor executor(Capacity{.cpu = units_per_cpu}, 8, spin);
  std::atomic<int> ran{0};
  Latch hold;
  Job blocker(0, false, ran, &hold);
  executor.submit(&blocker);
  wait_until([&] { return executor.free_cpu() == 0; });
  std::vector<Job> queued;
  queued.reserve(6);
  for (int id = 1; id <= 6; ++id) queued.emplace_back(id, true, ran);
  for (auto& job : queued) executor.submit(&job);
  EXPECT_EQ(executor.steal(100 * units_per_cpu).size(), 3U);
  hold.open();
  wait_until([&] { return ran.load() == 4; });
  EXPECT_EQ(ran.load(), 4);
}

TEST_P(Executors, IdleHookRunsWhenTheRankRunsOutOfWork) {
  Executor executor(Capacity{.cpu = 2 * units_per_cpu}, 8, spin);
  std::atomic<int> idle{0};
  executor.set_idle_hook([&] { idle.fetch_add(1); });
  std::atomic<int> ran{0};
  std::vector<Job> jobs;
  jobs.reserve(4);
  for (int id = 0; id < 4; ++id) jobs.emplace_back(id, true, ran);
  for (auto& job : jobs) executor.submit(&job);
  wait_until([&] { return ran.load() == 4 && idle.load() > 0; });
  EXPECT_EQ(ran.load(), 4);
  EXPECT_GE(idle.load(), 1);
  EXPECT_TRUE(executor.can_start_now(2 * units_per_cpu));
  executor.stop();
}

// Work arrives while the workers poll, just after they fall asleep, and long after: every
// submission finds a thread (a lost wake-up would leave a job queued until the deadline).
TEST_P(Executors, WorkSubmittedWhileThreadsPollOrSleepRuns) {
  Executor executor(Capacity{.cpu = 2 * units_per_cpu}, 8, spin);
  std::atomic<int> ran{0};
  std::vector<Job> jobs;
  constexpr int rounds = 60;
  jobs.reserve(2 * rounds);
  for (int id = 0; id < 2 * rounds; ++id) jobs.emplace_back(id, false, ran);
  for (int round = 0; round < rounds; ++round) {
    executor.submit(&jobs[2 * round]);
    executor.submit(&jobs[2 * round + 1]);
    wait_until([&] { return ran.load() == 2 * (round + 1); });
    ASSERT_EQ(ran.load(), 2 * (round + 1)) << "round " << round;
    std::this_thread::sleep_for(std::chrono::microseconds(round % 3 * 50));
  }
  wait_until([&] { return executor.can_start_now(2 * units_per_cpu); });
  EXPECT_TRUE(executor.can_start_now(2 * units_per_cpu));
  executor.stop();
}

/// Blocks as a task in `get` does: gives its CPU back, waits, takes it back (overcommitting the
/// rank if another took it meanwhile), then holds it until `finish` opens.
class BlockingJob final : public Runnable {
 public:
  BlockingJob(Executor& executor, Latch& wake, Latch& finish)
      : executor_(executor), wake_(wake), finish_(finish) {
    request.cpu = units_per_cpu;
  }
  Units run() override {
    executor_.block_begin();
    blocking.store(true);
    wake_.wait();
    executor_.block_end();
    woke.store(true);
    finish_.wait();
    return Units::release;
  }
  void abandon(const std::string& reason) override { FAIL() << reason; }
  std::string describe() const override { return "a blocking job"; }
  std::atomic<bool> blocking{false};
  std::atomic<bool> woke{false};

 private:
  Executor& executor_;
  Latch& wake_;
  Latch& finish_;
};

// Work that needs no CPU starts even while blocked workers, back from their wait, hold more CPUs
// than the rank has (free CPUs below zero): on an idle thread if there is one, else on a new
// thread (every thread busy and no CPU free must not leave it queued until a CPU frees).
void expect_zero_cpu_work_starts_overcommitted(std::chrono::microseconds spin,
                                               bool leave_an_idle_thread) {
  Executor executor(Capacity{.cpu = units_per_cpu}, 8, spin);
  Latch wake, finish, hold;
  BlockingJob blocked(executor, wake, finish);
  std::atomic<int> ran{0};
  Job holder(1, false, ran, &hold);
  Job quick(2, false, ran);
  quick.request.cpu = 0;
  Job zero(3, false, ran);
  zero.request.cpu = 0;
  executor.submit(&blocked);
  // The CPU is taken when a thread starts the job, so a free CPU alone does not say it blocked.
  wait_until([&] { return blocked.blocking.load(); });
  EXPECT_EQ(executor.free_cpu(), units_per_cpu) << "the blocked job gave its CPU back";
  executor.submit(&holder);  // takes that CPU on a thread of its own
  wait_until([&] { return executor.free_cpu() == 0; });
  EXPECT_EQ(executor.free_cpu(), 0) << "the holder took the CPU";
  // No ASSERT before the latches open: a failed one would leave the executor's stop waiting.
  int expected_runs = 0;
  if (leave_an_idle_thread) {
    executor.submit(&quick);
    expected_runs = 1;
    wait_until([&] { return ran.load() == expected_runs; });
  }
  wake.open();
  wait_until([&] { return blocked.woke.load(); });
  const auto overcommitted = executor.free_cpu();
  executor.submit(&zero);
  wait_until([&] { return ran.load() == expected_runs + 1; });
  const int runs = ran.load();
  hold.open();
  finish.open();
  wait_until([&] { return executor.can_start_now(units_per_cpu); });
  executor.stop();
  EXPECT_EQ(overcommitted, -units_per_cpu) << "the blocked job took its CPU back";
  EXPECT_EQ(runs, expected_runs + 1) << "the zero-CPU job waited for a CPU";
}

TEST_P(Executors, ZeroCpuWorkStartsOnAnIdleThreadWhileTheRankIsOvercommitted) {
  expect_zero_cpu_work_starts_overcommitted(spin, true);
}

TEST_P(Executors, ZeroCpuWorkStartsANewThreadWhileTheRankIsOvercommittedAndNoneIsIdle) {
  expect_zero_cpu_work_starts_overcommitted(spin, false);
}

/// Blocks as a task in a `get` without a deadline does: sleeps on `waiter`, and runs queued
/// work on its stack whenever the executor interrupts it because every thread is blocked.
class HelpingJob final : public Runnable {
 public:
  HelpingJob(Executor& executor, std::atomic<int>& blocked)
      : executor_(executor), blocked_(blocked) {
    request.cpu = units_per_cpu;
  }
  Units run() override {
    blocked_.fetch_add(1);
    executor_.block_begin(&waiter);
    while (!waiter.sleep_until(std::nullopt)) executor_.help_blocked(waiter);
    executor_.block_end(&waiter);
    return Units::release;
  }
  void abandon(const std::string& reason) override { FAIL() << reason; }
  std::string describe() const override { return "a helping job"; }
  manta::core::Waiter waiter{1};

 private:
  Executor& executor_;
  std::atomic<int>& blocked_;
};

// Every thread blocked in a wait (more waits than eager threads): work that arrives from outside
// the executor (as tasks from other ranks do) is run by an interrupted waiter, also when it
// arrives just as that waiter finished the last piece and goes back to sleep. Before the fix, one
// such submission in a few thousand was left queued with every thread asleep.
TEST_P(Executors, WorkArrivingWhileEveryThreadWaitsRunsOnAWaiter) {
  Executor executor(Capacity{.cpu = units_per_cpu}, 64, spin);
  std::atomic<int> blocked{0};
  std::deque<HelpingJob> waiting;
  constexpr int waits = 8;  // beyond the threads that start without every thread blocking
  for (int i = 0; i < waits; ++i) executor.submit(&waiting.emplace_back(executor, blocked));
  wait_until([&] { return blocked.load() == waits; });
  ASSERT_EQ(blocked.load(), waits);
  std::atomic<int> ran{0};
  std::deque<Job> arriving;
  constexpr int arrivals = 20000;
  int lost = -1;
  for (int i = 0; i < arrivals && lost < 0; ++i) {
    executor.submit(&arriving.emplace_back(i, false, ran));
    // Submit the next one the moment this one has run: while its waiter returns to sleep.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (ran.load() != i + 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    if (ran.load() != i + 1) lost = i;
  }
  EXPECT_EQ(lost, -1) << "arrival " << lost << " of " << arrivals
                      << " stayed queued while every thread slept";
  for (auto& job : waiting) job.waiter.one_ready();
  wait_until(
      [&] { return executor.can_start_now(units_per_cpu) && ran.load() == int(arriving.size()); });
  EXPECT_EQ(ran.load(), static_cast<int>(arriving.size()));
  executor.stop();
}

INSTANTIATE_TEST_SUITE_P(, Executors,
                         ::testing::Values(std::chrono::microseconds(0),
                                           std::chrono::microseconds(50)),
                         spin_name);

}  // namespace
