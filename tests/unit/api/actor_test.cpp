// Actors: construction, call order, handles passed around, failures, and CPUs held by an actor.
#include "test_support.hpp"

#include <gmock/gmock.h>

#include <algorithm>
#include <atomic>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace manta_test;
using ::testing::HasSubstr;

Gate actor_gate;

class Accumulator {
 public:
  Accumulator(int start, std::string label) : total_(start), label_(std::move(label)) {}
  void append(int value) {
    values_.push_back(value);
    total_ += value;
  }
  std::vector<int> values() const { return values_; }
  int total() const { return total_; }
  std::string label() const { return label_; }

 private:
  int total_;
  std::string label_;
  std::vector<int> values_;
};
MANTA_ACTOR(Accumulator, append, values, total, label);

class Tracker {
 public:
  void increment() { ++count_; }
  int count() const { return count_; }

 private:
  int count_ = 0;
};
MANTA_ACTOR(Tracker, increment, count);

/// Calls another actor through a handle it is given, and waits for that actor's answer.
class Forwarder {
 public:
  int forward(manta::ActorHandle<Tracker> tracker, int times) {
    for (int i = 0; i < times; ++i) tracker.call(&Tracker::increment).remote();
    return manta::get(tracker.call(&Tracker::count).remote());
  }
};
MANTA_ACTOR(Forwarder, forward);

class Fragile {
 public:
  explicit Fragile(int) { throw std::invalid_argument("bad configuration"); }
  int ping() const { return 1; }
};
MANTA_ACTOR(Fragile, ping);

class Moody {
 public:
  int divide(int divisor) {
    if (divisor == 0) throw std::domain_error("division by zero");
    calls_ += 1;
    return 100 / divisor;
  }
  int calls() const { return calls_; }

 private:
  int calls_ = 0;
};
MANTA_ACTOR(Moody, divide, calls);

/// Counts its own calls in flight: an actor runs one call at a time.
class Exclusive {
 public:
  int enter() {
    const int now = ++in_flight_;
    peak_ = std::max(peak_.load(), now);
    std::this_thread::sleep_for(200us);
    --in_flight_;
    return now;
  }
  int peak() const { return peak_.load(); }

 private:
  std::atomic<int> in_flight_{0};
  std::atomic<int> peak_{0};
};
MANTA_ACTOR(Exclusive, enter, peak);

/// noexcept is part of a method pointer's type: registration and calls must see through it, for
/// const and non-const methods alike.
class Quiet {
 public:
  int add(int value) noexcept { return total_ += value; }
  int total() const noexcept { return total_; }
  std::string describe(std::string prefix) const noexcept {
    return prefix + std::to_string(total_);
  }

 private:
  int total_ = 0;
};
MANTA_ACTOR(Quiet, add, total, describe);

class CpuHog {
 public:
  int ping() const { return 7; }
};
MANTA_ACTOR(CpuHog, ping);

/// The Ray notebook's pattern: a task given an actor handle calls the actor, fire and forget.
int actor_bump(manta::ActorHandle<Tracker> tracker) {
  tracker.call(&Tracker::increment).remote();
  return 1;
}
MANTA_REMOTE(actor_bump);

int actor_read_count(manta::ActorHandle<Tracker> tracker) {
  return manta::get(tracker.call(&Tracker::count).remote());
}
MANTA_REMOTE(actor_read_count);

int actor_add_one(int x) { return x + 1; }
MANTA_REMOTE(actor_add_one);

int actor_gated(int x) {
  actor_gate.pass();
  return x;
}
MANTA_REMOTE(actor_gated);

class Actors : public ::testing::TestWithParam<double> {
 protected:
  void SetUp() override { actor_gate.close(); }

  manta::Runtime runtime_{runtime_options(GetParam())};
  GateOpener opener_{actor_gate};
};

TEST_P(Actors, ConstructorArguments) {
  const auto plain = manta::actor<Accumulator>().remote(10, std::string("plain"));
  EXPECT_EQ(manta::get(plain.call(&Accumulator::total).remote()), 10);
  EXPECT_EQ(manta::get(plain.call(&Accumulator::label).remote()), "plain");

  // ObjectRefs are resolved, including one still being computed.
  const auto from_refs = manta::actor<Accumulator>().remote(manta::task(actor_add_one).remote(4),
                                                            manta::put(std::string("from refs")));
  EXPECT_EQ(manta::get(from_refs.call(&Accumulator::total).remote()), 5);
  EXPECT_EQ(manta::get(from_refs.call(&Accumulator::label).remote()), "from refs");
}

TEST_P(Actors, CallsFromOneCallerRunInOrder) {
  const auto accumulator = manta::actor<Accumulator>().remote(0, std::string("order"));
  for (int i = 0; i < 1000; ++i) accumulator.call(&Accumulator::append).remote(i);
  std::vector<int> expected(1000);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(manta::get(accumulator.call(&Accumulator::values).remote()), expected);
}

TEST_P(Actors, CallWaitingForARefKeepsItsPlace) {
  const auto accumulator = manta::actor<Accumulator>().remote(0, std::string("deps"));
  const auto slow = manta::task(actor_gated).options({.num_cpus = 0}).remote(1);
  accumulator.call(&Accumulator::append).remote(slow);
  accumulator.call(&Accumulator::append).remote(2);  // ready first, but queued behind
  const auto values = accumulator.call(&Accumulator::values).remote();
  EXPECT_FALSE(manta::wait(std::vector{values}, {.timeout = 100ms}).not_ready.empty());
  actor_gate.open();
  EXPECT_EQ(manta::get(values, 60s), (std::vector<int>{1, 2}));
}

TEST_P(Actors, HandlesPassedToTasks) {
  const auto tracker = manta::actor<Tracker>().remote();
  std::vector<manta::ObjectRef<int>> done;
  for (int i = 0; i < 8; ++i) done.push_back(manta::task(actor_bump).remote(tracker));
  // Once every task has returned, each increment was queued before this count call.
  EXPECT_EQ(manta::get(done), std::vector<int>(8, 1));
  EXPECT_EQ(manta::get(tracker.call(&Tracker::count).remote()), 8);
  EXPECT_EQ(manta::get(manta::task(actor_read_count).remote(tracker)), 8);
}

TEST_P(Actors, ActorLivesWhileATaskHoldsItsHandle) {
  auto tracker = manta::actor<Tracker>().remote();
  tracker.call(&Tracker::increment).remote();
  const auto count = manta::task(actor_read_count).remote(tracker);
  tracker = {};  // the task's copy keeps the actor alive
  EXPECT_EQ(manta::get(count, 60s), 1);
}

TEST_P(Actors, HandlePassedToAnotherActor) {
  const auto tracker = manta::actor<Tracker>().remote();
  const auto forwarder = manta::actor<Forwarder>().remote();
  EXPECT_EQ(manta::get(forwarder.call(&Forwarder::forward).remote(tracker, 5), 60s), 5);
  EXPECT_EQ(manta::get(forwarder.call(&Forwarder::forward).remote(tracker, 3), 60s), 8);
  EXPECT_EQ(manta::get(tracker.call(&Tracker::count).remote()), 8);
}

TEST_P(Actors, ConstructorThatThrowsKillsTheActor) {
  const auto fragile = manta::actor<Fragile>().options({.name = "fragile-one"}).remote(1);
  for (int i = 0; i < 3; ++i) {
    try {
      manta::get(fragile.call(&Fragile::ping).remote());
      FAIL() << "a call on an actor whose constructor threw returned";
    } catch (const manta::ActorDiedError& error) {
      EXPECT_THAT(error.what(), HasSubstr("fragile-one"));
      EXPECT_THAT(error.what(), HasSubstr("bad configuration"));
    }
  }
}

TEST_P(Actors, MethodThatThrowsLeavesTheActorWorking) {
  const auto moody = manta::actor<Moody>().remote();
  EXPECT_EQ(manta::get(moody.call(&Moody::divide).remote(5)), 20);
  try {
    manta::get(moody.call(&Moody::divide).remote(0));
    FAIL() << "a method that threw returned";
  } catch (const manta::TaskError& error) {
    EXPECT_EQ(error.task_name(), "Moody.divide");
    EXPECT_EQ(error.exception_type(), "std::domain_error");
    EXPECT_EQ(error.message(), "division by zero");
    expect_rank_of_job(error.rank());  // 0 on one rank
  }
  EXPECT_EQ(manta::get(moody.call(&Moody::divide).remote(4)), 25);
  EXPECT_EQ(manta::get(moody.call(&Moody::calls).remote()), 2);
}

TEST_P(Actors, FailedArgumentFailsTheCallOnly) {
  const auto accumulator = manta::actor<Accumulator>().remote(0, std::string("failed input"));
  const auto moody = manta::actor<Moody>().remote();
  const auto failed = moody.call(&Moody::divide).remote(0);
  const auto call = accumulator.call(&Accumulator::append).remote(failed);
  try {
    manta::get(call);
    FAIL() << "a call whose argument failed returned";
  } catch (const manta::TaskError& error) {
    EXPECT_EQ(error.task_name(), "Moody.divide");
  }
  accumulator.call(&Accumulator::append).remote(3);
  EXPECT_EQ(manta::get(accumulator.call(&Accumulator::values).remote()), std::vector<int>{3});
}

TEST_P(Actors, NoexceptMethods) {
  const auto quiet = manta::actor<Quiet>().remote();
  EXPECT_EQ(manta::get(quiet.call(&Quiet::add).remote(3)), 3);
  quiet.call(&Quiet::add).remote(manta::task(actor_add_one).remote(3));  // a ref resolved first
  EXPECT_EQ(manta::get(quiet.call(&Quiet::total).remote()), 7);
  EXPECT_EQ(manta::get(quiet.call(&Quiet::describe).remote("total ")), "total 7");
}

TEST_P(Actors, CallsNeverOverlap) {
  const auto exclusive = manta::actor<Exclusive>().remote();
  std::vector<std::thread> callers;
  std::vector<std::vector<manta::ObjectRef<int>>> results(4);
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&exclusive, &results, t] {
      for (int i = 0; i < 25; ++i) results[t].push_back(exclusive.call(&Exclusive::enter).remote());
    });
  }
  for (auto& caller : callers) caller.join();
  for (const auto& refs : results) {
    for (int in_flight : manta::get(refs)) EXPECT_EQ(in_flight, 1);
  }
  EXPECT_EQ(manta::get(exclusive.call(&Exclusive::peak).remote()), 1);
}

TEST_P(Actors, CallsFromManyThreads) {
  const auto tracker = manta::actor<Tracker>().remote();
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([tracker] {
      for (int i = 0; i < 250; ++i) tracker.call(&Tracker::increment).remote();
    });
  }
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(manta::get(tracker.call(&Tracker::count).remote()), 1000);
}

TEST_P(Actors, CallsSubmittedWhileTheActorDrains) {
  // Each call is queued while earlier ones are being run on a worker thread: submission and the
  // drain touch the same mailbox concurrently, over and over.
  const auto tracker = manta::actor<Tracker>().remote();
  for (int i = 0; i < 200'000; ++i) tracker.call(&Tracker::increment).remote();
  EXPECT_EQ(manta::get(tracker.call(&Tracker::count).remote(), 60s), 200'000);
}

TEST_P(Actors, ManyActorsAtOnce) {
  std::vector<manta::ActorHandle<Accumulator>> actors;
  for (int i = 0; i < 50; ++i) actors.push_back(manta::actor<Accumulator>().remote(i, "a"));
  for (int round = 0; round < 10; ++round) {
    for (auto& actor : actors) actor.call(&Accumulator::append).remote(1);
  }
  std::vector<manta::ObjectRef<int>> totals;
  for (auto& actor : actors) totals.push_back(actor.call(&Accumulator::total).remote());
  const auto values = manta::get(totals);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(values[i], i + 10);
}

TEST_P(Actors, ActorHoldingEveryCpuKeepsTasksWaiting) {
  auto hog = manta::actor<CpuHog>().options({.num_cpus = GetParam()}).remote();
  EXPECT_EQ(manta::get(hog.call(&CpuHog::ping).remote()), 7);  // placed: it holds the CPUs
  const auto task = manta::task(actor_add_one).remote(1);
  EXPECT_EQ(manta::wait(std::vector{task}, {.timeout = 300ms}).ready.size(), 0U);
  EXPECT_FALSE(task.ready());
  hog = {};  // the last handle: the actor goes and gives its CPUs back
  EXPECT_EQ(manta::get(task, 60s), 2);
}

TEST_P(Actors, InfeasibleActorThrowsAtCreation) {
  EXPECT_THROW(manta::actor<CpuHog>().options({.num_cpus = GetParam() + 1}).remote(),
               manta::InfeasibleError);
  EXPECT_THROW(manta::actor<CpuHog>().options({.num_cpus = -1}).remote(),
               manta::InvalidOptionError);
}

INSTANTIATE_TEST_SUITE_P(, Actors, ::testing::Values(1.0, 2.0, 4.0), cpus_name);

}  // namespace
