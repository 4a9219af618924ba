// Actors across ranks: placement, calls in order from every rank, handles passed to tasks and
// actors elsewhere, errors and large results.
#include <manta/manta.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

class Counter {
 public:
  Counter() = default;
  explicit Counter(int start) : count_(start) {}
  int increment() { return ++count_; }
  int count() const { return count_; }
  int rank() const { return manta::rank(); }
  void append(int value) { log_.push_back(value); }
  std::vector<int> log() const { return log_; }
  int fail(int code) { throw std::invalid_argument("bad code " + std::to_string(code)); }
  std::vector<double> big(int elements) const { return std::vector<double>(elements, 0.5); }

 private:
  int count_ = 0;
  std::vector<int> log_;
};
MANTA_ACTOR(Counter, increment, count, rank, append, log, fail, big);

/// noexcept methods (const and not) of an actor on another rank: their calls travel as bytes.
class Quiet {
 public:
  int add(int value) noexcept { return total_ += value; }
  int rank() const noexcept { return manta::rank(); }

 private:
  int total_ = 0;
};
MANTA_ACTOR(Quiet, add, rank);

class Exploding {
 public:
  explicit Exploding(int) { throw std::runtime_error("no luck"); }
  int value() const { return 1; }
};
MANTA_ACTOR(Exploding, value);

class Relay {
 public:
  // Calls another actor from this one, wherever each lives.
  int forward(manta::ActorHandle<Counter> counter) {
    return manta::get(counter.call(&Counter::increment).remote());
  }
};
MANTA_ACTOR(Relay, forward);

// A task that calls an actor `times` times and waits for the calls, from whichever rank runs it.
std::pair<int, int> bump(manta::ActorHandle<Counter> counter, int times) {
  std::vector<manta::ObjectRef<int>> refs;
  for (int i = 0; i < times; ++i) refs.push_back(counter.call(&Counter::increment).remote());
  manta::get(refs);
  return {times, manta::rank()};
}
MANTA_REMOTE(bump);

int slow_value(int value) {
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return value;
}
MANTA_REMOTE(slow_value);

// Finds the named counter from wherever it runs (or creates it: get-or-create), increments it.
std::pair<int, int> bump_named(std::string name, bool create) {
  auto counter =
      create ? manta::actor<Counter>().options({.name = name, .get_if_exists = true}).remote()
             : manta::get_actor<Counter>(name);
  return {manta::get(counter.call(&Counter::increment).remote()), manta::rank()};
}
MANTA_REMOTE(bump_named);

int last_rank() { return manta::world_size() - 1; }

/// Two calls meet only if they run at once.
class Rendezvous {
 public:
  bool meet() {
    arrived_.fetch_add(1);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (arrived_.load() < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return arrived_.load() >= 2;
  }

 private:
  std::atomic<int> arrived_{0};
};
MANTA_ACTOR(Rendezvous, meet);

TEST(Actors, ConcurrentActorOnAnotherRankRunsCallsAtOnce) {
  auto rendezvous =
      manta::actor<Rendezvous>().options({.rank = last_rank(), .max_concurrency = 2}).remote();
  auto first = rendezvous.call(&Rendezvous::meet).remote();
  auto second = rendezvous.call(&Rendezvous::meet).remote();
  EXPECT_TRUE(manta::get(first));
  EXPECT_TRUE(manta::get(second));
}

TEST(Actors, LiveOnTheRankAsked) {
  for (int rank = 0; rank < manta::world_size(); ++rank) {
    auto counter = manta::actor<Counter>().options({.rank = rank}).remote(10 * rank);
    EXPECT_EQ(manta::get(counter.call(&Counter::rank).remote()), rank);
    EXPECT_EQ(manta::get(counter.call(&Counter::increment).remote()), 10 * rank + 1);
  }
}

TEST(Actors, NoexceptMethodsOnAnotherRank) {
  auto quiet = manta::actor<Quiet>().options({.rank = last_rank()}).remote();
  EXPECT_EQ(manta::get(quiet.call(&Quiet::rank).remote()), last_rank());
  EXPECT_EQ(manta::get(quiet.call(&Quiet::add).remote(2)), 2);
  EXPECT_EQ(manta::get(quiet.call(&Quiet::add).remote(40)), 42);
}

TEST(Actors, CallsFromOneCallerRunInOrder) {
  auto counter = manta::actor<Counter>().options({.rank = last_rank()}).remote();
  // The first call waits for a slow ref; the later ones must still run after it.
  counter.call(&Counter::append).remote(manta::task(slow_value).remote(0));
  for (int i = 1; i < 500; ++i) counter.call(&Counter::append).remote(i);
  const auto log = manta::get(counter.call(&Counter::log).remote());
  std::vector<int> expected(500);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(log, expected);
}

// Threads of one rank, each with its own handle to one actor elsewhere: a thread's message goes
// out at once while the progress thread sleeps and is queued while it is awake, and either way
// each thread's calls must arrive in the order it made them.
TEST(Actors, CallsFromManyThreadsOfOneRankKeepEachThreadsOrder) {
  auto counter = manta::actor<Counter>().options({.rank = last_rank()}).remote();
  constexpr int threads = 4;
  constexpr int calls = 400;
  std::vector<std::thread> callers;
  for (int t = 0; t < threads; ++t) {
    callers.emplace_back([counter, t] {
      const manta::ActorHandle<Counter> mine = counter;
      for (int i = 0; i < calls; ++i) {
        mine.call(&Counter::append).remote(t * calls + i);
        if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
  }
  for (auto& caller : callers) caller.join();
  const auto log = manta::get(counter.call(&Counter::log).remote());
  ASSERT_EQ(log.size(), static_cast<std::size_t>(threads * calls));
  std::vector<int> next(threads);
  for (int t = 0; t < threads; ++t) next[t] = t * calls;
  for (const int value : log) {
    const int t = value / calls;
    ASSERT_EQ(value, next[t]) << "thread " << t << "'s calls arrived out of order";
    ++next[t];
  }
}

TEST(Actors, CalledFromTasksOnOtherRanks) {
  const int host = manta::world_size() > 2 ? 1 : 0;
  auto counter = manta::actor<Counter>().options({.rank = host}).remote();
  std::vector<manta::ObjectRef<std::pair<int, int>>> tasks;
  std::set<int> callers;
  for (int rank = 0; rank < manta::world_size(); ++rank) {
    if (rank == host) continue;
    callers.insert(rank);
    for (int i = 0; i < 3; ++i) {
      tasks.push_back(manta::task(bump).options({.rank = rank}).remote(counter, 25));
    }
  }
  int calls = 0;
  std::set<int> ran_on;
  for (const auto& [times, rank] : manta::get(tasks)) {
    calls += times;
    ran_on.insert(rank);
  }
  EXPECT_EQ(ran_on, callers);
  EXPECT_EQ(manta::get(counter.call(&Counter::count).remote()), calls);
}

TEST(Actors, HandlePassedToAnActorElsewhere) {
  auto counter = manta::actor<Counter>().options({.rank = last_rank()}).remote(100);
  auto relay = manta::actor<Relay>().options({.rank = 0}).remote();
  EXPECT_EQ(manta::get(relay.call(&Relay::forward).remote(counter)), 101);
  EXPECT_EQ(manta::get(counter.call(&Counter::count).remote()), 101);
}

TEST(Actors, PlacedWhereTheirCpusAreFree) {
  // Each rank has 2 CPUs (--num-cpus 2): actors holding 2 CPUs each fill one rank apiece.
  std::vector<manta::ActorHandle<Counter>> counters;
  for (int i = 0; i < manta::world_size(); ++i) {
    counters.push_back(manta::actor<Counter>().options({.num_cpus = 2}).remote());
  }
  std::set<int> ranks;
  for (auto& counter : counters) ranks.insert(manta::get(counter.call(&Counter::rank).remote()));
  EXPECT_EQ(static_cast<int>(ranks.size()), manta::world_size());
}

TEST(Actors, DefaultActorsSpreadOverTheRanks) {
  // Two per rank, dealt from the creating rank (this driver on rank 0) on.
  std::vector<manta::ActorHandle<Counter>> counters;
  for (int i = 0; i < 2 * manta::world_size(); ++i) {
    counters.push_back(manta::actor<Counter>().remote());
  }
  std::map<int, int> per_rank;
  for (auto& counter : counters) ++per_rank[manta::get(counter.call(&Counter::rank).remote())];
  ASSERT_EQ(static_cast<int>(per_rank.size()), manta::world_size());
  for (const auto& [rank, count] : per_rank) EXPECT_EQ(count, 2) << "rank " << rank;
}

TEST(Actors, PackedActorsStayOnTheCreatingRank) {
  std::vector<manta::ActorHandle<Counter>> counters;
  for (int i = 0; i < 2 * manta::world_size(); ++i) {
    counters.push_back(
        manta::actor<Counter>().options({.scheduling = manta::Scheduling::pack}).remote());
  }
  for (auto& counter : counters) {
    EXPECT_EQ(manta::get(counter.call(&Counter::rank).remote()), manta::rank());
  }
}

TEST(Actors, InfeasibleActorFailsAtOnce) {
  EXPECT_THROW(manta::actor<Counter>().options({.num_cpus = 1000}).remote(),
               manta::InfeasibleError);
}

TEST(Actors, ConstructorFailureOnAnotherRank) {
  auto broken = manta::actor<Exploding>().options({.rank = last_rank()}).remote(1);
  try {
    manta::get(broken.call(&Exploding::value).remote());
    FAIL() << "no ActorDiedError";
  } catch (const manta::ActorDiedError& error) {
    EXPECT_NE(std::string(error.what()).find("no luck"), std::string::npos) << error.what();
  }
}

TEST(Actors, MethodErrorNamesTheHostRank) {
  auto counter = manta::actor<Counter>().options({.rank = last_rank()}).remote();
  try {
    manta::get(counter.call(&Counter::fail).remote(7));
    FAIL() << "no TaskError";
  } catch (const manta::TaskError& error) {
    EXPECT_EQ(error.rank(), last_rank());
    EXPECT_EQ(error.task_name(), "Counter.fail");
    EXPECT_EQ(error.exception_type(), "std::invalid_argument");
  }
  EXPECT_EQ(manta::get(counter.call(&Counter::increment).remote()), 1);  // still alive
}

TEST(Actors, LargeResultStaysOnTheHost) {
  auto counter = manta::actor<Counter>().options({.rank = last_rank()}).remote();
  const auto before = manta::transfer_stats();
  const auto values = manta::get_view(counter.call(&Counter::big).remote(1 << 20));
  const auto after = manta::transfer_stats();
  ASSERT_EQ(values.size(), std::size_t{1} << 20);
  EXPECT_EQ(values.front(), 0.5);
  EXPECT_EQ(values.back(), 0.5);
  // Read in place from the host's store, or fetched by one get: never sent inline.
  EXPECT_EQ((after.gets - before.gets) + (after.mapped_reads - before.mapped_reads), 1U);
}

}  // namespace

namespace {

// The tasks below hold no CPU: the actors of the tests above keep theirs until the job ends.
TEST(NamedActors, FoundByNameFromEveryRank) {
  auto counter =
      manta::actor<Counter>().options({.name = "named-everywhere", .rank = last_rank()}).remote();
  std::vector<manta::ObjectRef<std::pair<int, int>>> refs;
  for (int rank = 0; rank < manta::world_size(); ++rank) {
    refs.push_back(manta::task(bump_named)
                       .options({.num_cpus = 0, .rank = rank})
                       .remote(std::string("named-everywhere"), false));
  }
  std::set<int> ranks;
  for (const auto& [count, rank] : manta::get(refs)) ranks.insert(rank);
  EXPECT_EQ(ranks.size(), static_cast<std::size_t>(manta::world_size()));
  EXPECT_EQ(manta::get(counter.call(&Counter::count).remote()), manta::world_size());
}

TEST(NamedActors, GetOrCreateFromEveryRankMakesOneActor) {
  std::vector<manta::ObjectRef<std::pair<int, int>>> refs;
  for (int round = 0; round < 3; ++round) {
    for (int rank = 0; rank < manta::world_size(); ++rank) {
      refs.push_back(manta::task(bump_named)
                         .options({.num_cpus = 0, .rank = rank})
                         .remote(std::string("get-or-create"), true));
    }
  }
  std::set<int> counts;
  for (const auto& [count, rank] : manta::get(refs)) counts.insert(count);
  // One actor took every increment: the counts are 1, 2, ..., all of them, once each.
  EXPECT_EQ(counts.size(), refs.size());
  EXPECT_EQ(*counts.rbegin(), static_cast<int>(refs.size()));
}

TEST(NamedActors, ADeadActorsNameIsFreeOnEveryRank) {
  // Hosted on the last rank; the name is kept by the rank its hash chooses, and released by the
  // host before the host fails the calls, so every rank finds it gone once a call failed.
  auto counter =
      manta::actor<Counter>().options({.name = "short-lived", .rank = last_rank()}).remote();
  manta::get(counter.call(&Counter::increment).remote());
  manta::kill(counter);
  EXPECT_THROW(manta::get(counter.call(&Counter::count).remote()), manta::ActorDiedError);
  for (int rank = 0; rank < manta::world_size(); ++rank) {
    try {
      manta::get(manta::task(bump_named)
                     .options({.num_cpus = 0, .rank = rank})
                     .remote(std::string("short-lived"), false));
      ADD_FAILURE() << "rank " << rank << " still finds the dead actor";
    } catch (const manta::TaskError& error) {
      EXPECT_EQ(error.exception_type(), "manta::ActorNotFoundError") << error.what();
    }
  }
  auto successor = manta::actor<Counter>().options({.name = "short-lived"}).remote();
  EXPECT_EQ(manta::get(manta::task(bump_named)
                           .options({.num_cpus = 0, .rank = last_rank()})
                           .remote(std::string("short-lived"), false))
                .first,
            1);
}

TEST(NamedActors, UnknownNameAndWrongClassFailClearly) {
  EXPECT_THROW(manta::get_actor<Counter>("nobody-has-this-name"), manta::ActorNotFoundError);
  manta::actor<Counter>().options({.name = "a-counter"}).remote();
  EXPECT_THROW(manta::get_actor<Relay>("a-counter"), manta::TypeMismatchError);
  EXPECT_THROW(manta::actor<Counter>().options({.name = "a-counter"}).remote(),
               manta::InvalidOptionError);
}

}  // namespace
