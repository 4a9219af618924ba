// wait: num_returns, timeouts, order of the two lists, failed tasks, bad arguments.
#include "test_support.hpp"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using namespace manta_test;

Gate wait_gate;

int wait_fast(int x) { return x; }
MANTA_REMOTE(wait_fast);

int wait_gated(int x) {
  wait_gate.pass();
  return x;
}
MANTA_REMOTE(wait_gated);

int wait_fails(int x) { throw std::runtime_error("wait_fails " + std::to_string(x)); }
MANTA_REMOTE(wait_fails);

class Wait : public ::testing::Test {
 protected:
  void SetUp() override { wait_gate.close(); }

  // Gated tasks take no CPU, so they never keep the fast ones from running.
  manta::ObjectRef<int> gated(int x) {
    return manta::task(wait_gated).options({.num_cpus = 0}).remote(x);
  }

  // More CPUs than the test needs: each blocked (gated) task occupies a worker thread.
  manta::Runtime runtime_{runtime_options(8)};
  GateOpener opener_{wait_gate};
};

TEST_F(Wait, NumReturns) {
  const std::vector<manta::ObjectRef<int>> refs{
      manta::task(wait_fast).remote(0), gated(1),
      manta::task(wait_fast).remote(2), gated(3),
      manta::task(wait_fast).remote(4), manta::task(wait_fast).remote(5)};
  const auto [ready, not_ready] = manta::wait(refs, {.num_returns = 4, .timeout = 60s});
  ASSERT_EQ(ready.size(), 4U);
  ASSERT_EQ(not_ready.size(), 2U);
  EXPECT_TRUE(ready[0] == refs[0]);
  EXPECT_TRUE(ready[1] == refs[2]);
  EXPECT_TRUE(ready[2] == refs[4]);
  EXPECT_TRUE(ready[3] == refs[5]);
  EXPECT_TRUE(not_ready[0] == refs[1]);
  EXPECT_TRUE(not_ready[1] == refs[3]);
  for (const auto& ref : ready) EXPECT_TRUE(ref.ready());
  wait_gate.open();
  EXPECT_EQ(manta::get(not_ready[1]), 3);
}

TEST_F(Wait, DefaultWaitsForOne) {
  const std::vector<manta::ObjectRef<int>> refs{gated(0), manta::task(wait_fast).remote(1)};
  const auto [ready, not_ready] = manta::wait(refs);
  ASSERT_EQ(ready.size(), 1U);
  EXPECT_EQ(manta::get(ready[0]), 1);
  ASSERT_EQ(not_ready.size(), 1U);
  EXPECT_TRUE(not_ready[0] == refs[0]);
}

// Ray's wait loop: each wait takes what the last one left, moved in rather than copied. Pinned
// to this rank, where the gate is, so that it holds under mpirun too.
TEST_F(Wait, MovedRefsAreHandedOnInOrder) {
  const int here = manta::rank();
  const auto gated_here = [here](int x) {
    return manta::task(wait_gated).options({.num_cpus = 0, .rank = here}).remote(x);
  };
  std::vector<manta::ObjectRef<int>> rest{
      gated_here(0), manta::task(wait_fast).options({.rank = here}).remote(1), gated_here(2)};
  const auto originals = rest;
  auto [ready, not_ready] = manta::wait(std::move(rest), {.num_returns = 1, .timeout = 60s});
  ASSERT_EQ(ready.size(), 1U);
  EXPECT_TRUE(ready[0] == originals[1]);
  EXPECT_EQ(manta::get(ready[0]), 1);
  ASSERT_EQ(not_ready.size(), 2U);
  EXPECT_TRUE(not_ready[0] == originals[0]);
  EXPECT_TRUE(not_ready[1] == originals[2]);
  wait_gate.open();
  std::vector<int> seen;
  while (!not_ready.empty()) {
    auto next = manta::wait(std::move(not_ready), {.timeout = 60s});
    for (const auto& ref : next.ready) seen.push_back(manta::get(ref));
    not_ready = std::move(next.not_ready);
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<int>{0, 2}));
}

TEST_F(Wait, TimeoutReturnsPartialLists) {
  const std::vector<manta::ObjectRef<int>> refs{gated(0), manta::task(wait_fast).remote(1),
                                                gated(2)};
  EXPECT_EQ(manta::get(refs[1]), 1);
  const auto [ready, not_ready] = manta::wait(refs, {.num_returns = 3, .timeout = 200ms});
  ASSERT_EQ(ready.size(), 1U);
  EXPECT_TRUE(ready[0] == refs[1]);
  ASSERT_EQ(not_ready.size(), 2U);
  EXPECT_TRUE(not_ready[0] == refs[0]);
  EXPECT_TRUE(not_ready[1] == refs[2]);
}

TEST_F(Wait, ZeroTimeoutPolls) {
  const std::vector<manta::ObjectRef<int>> refs{gated(0), gated(1)};
  const auto [ready, not_ready] = manta::wait(refs, {.num_returns = 1, .timeout = 0s});
  EXPECT_TRUE(ready.empty());
  EXPECT_EQ(not_ready.size(), 2U);
}

TEST_F(Wait, ReadyListKeepsTheGivenOrder) {
  std::vector<manta::ObjectRef<int>> refs;
  for (int i = 0; i < 6; ++i) refs.push_back(manta::task(wait_fast).remote(i));
  manta::get(refs);
  const auto [ready, not_ready] = manta::wait(refs, {.num_returns = 2});
  ASSERT_EQ(ready.size(), 2U);
  ASSERT_EQ(not_ready.size(), 4U);
  EXPECT_TRUE(ready[0] == refs[0]);
  EXPECT_TRUE(ready[1] == refs[1]);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_TRUE(not_ready[i] == refs[i + 2]);
}

TEST_F(Wait, CompletionOrderDoesNotReorderTheLists) {
  // The first ref completes last; ready still lists the refs in the order they were given.
  const std::vector<manta::ObjectRef<int>> refs{gated(0), manta::task(wait_fast).remote(1),
                                                manta::task(wait_fast).remote(2)};
  manta::get(refs[1]);
  manta::get(refs[2]);
  wait_gate.open();
  manta::get(refs[0]);
  const auto [ready, not_ready] = manta::wait(refs, {.num_returns = 3});
  ASSERT_EQ(ready.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(ready[i] == refs[i]);
  EXPECT_TRUE(not_ready.empty());
}

TEST_F(Wait, FailedTaskCountsAsReady) {
  const std::vector<manta::ObjectRef<int>> refs{gated(0), manta::task(wait_fails).remote(1)};
  const auto [ready, not_ready] = manta::wait(refs, {.num_returns = 1, .timeout = 60s});
  ASSERT_EQ(ready.size(), 1U);
  EXPECT_TRUE(ready[0] == refs[1]);
  EXPECT_TRUE(ready[0].ready());
  EXPECT_THROW(manta::get(ready[0]), manta::TaskError);
  ASSERT_EQ(not_ready.size(), 1U);
  EXPECT_TRUE(not_ready[0] == refs[0]);
}

TEST_F(Wait, NumReturnsBeyondSizeThrows) {
  const std::vector<manta::ObjectRef<int>> refs{manta::put(1), manta::put(2)};
  EXPECT_THROW(manta::wait(refs, {.num_returns = 3}), manta::InvalidOptionError);
  EXPECT_THROW(manta::wait(std::vector<manta::ObjectRef<int>>{}), manta::InvalidOptionError);
}

TEST_F(Wait, EmptyRefInListThrows) {
  const std::vector<manta::ObjectRef<int>> refs{manta::put(1), manta::ObjectRef<int>{}};
  EXPECT_THROW(manta::wait(refs), manta::InvalidOptionError);
}

TEST_F(Wait, NumReturnsZeroReturnsAtOnce) {
  const std::vector<manta::ObjectRef<int>> refs{gated(0), manta::put(1)};
  const auto [ready, not_ready] = manta::wait(refs, {.num_returns = 0});
  EXPECT_TRUE(ready.empty());
  EXPECT_EQ(not_ready.size(), 2U);
}

TEST_F(Wait, RepeatedTimedWaitsOnAPendingObject) {
  const std::vector<manta::ObjectRef<int>> refs{gated(7)};
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(manta::wait(refs, {.timeout = 0s}).ready.empty());
  }
  wait_gate.open();
  EXPECT_EQ(manta::wait(refs, {.timeout = 60s}).ready.size(), 1U);
  EXPECT_EQ(manta::get(refs[0]), 7);
}

// Threads wait on the same pending objects at once, some giving up over and over while others
// stay: each object then has several waiters, taken out of its list in any order.
TEST_F(Wait, ManyThreadsWaitOnTheSameObjects) {
  const std::vector<manta::ObjectRef<int>> refs{gated(0), gated(1), gated(2)};
  std::atomic<int> waiting{0};
  std::vector<std::thread> threads;
  std::vector<int> ready(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      waiting.fetch_add(1);
      if (t % 2 == 0) {
        while (manta::wait(refs, {.num_returns = 3, .timeout = 1ms}).ready.empty()) {
        }
      }
      ready[t] = static_cast<int>(manta::wait(refs, {.num_returns = 3}).ready.size());
    });
  }
  while (waiting.load() < 4) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(20ms);
  wait_gate.open();
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ready, std::vector<int>(4, 3));
  EXPECT_EQ(manta::get(refs), (std::vector<int>{0, 1, 2}));
}

}  // namespace
