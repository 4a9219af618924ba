// The state API across ranks: every rank answers, work and actors are listed on the rank they
// run on, counts add up over the job, and any rank may ask (from a task too).
#include "../support/eventually.hpp"

#include <manta/manta.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace {

using manta_test::eventually;
using namespace std::chrono_literals;

int state_sleep_here(int milliseconds) {
  std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
  return manta::rank();
}
MANTA_REMOTE(state_sleep_here);

int state_counted(int x) { return x * 2; }
MANTA_REMOTE(state_counted);

/// What the job looks like from the rank this runs on: (asking rank, ranks that answered).
std::pair<int, int> state_asked_here(int) {
  return {manta::rank(), static_cast<int>(manta::summary().ranks.size())};
}
MANTA_REMOTE(state_asked_here);

class StateProbe {
 public:
  int rank() const { return manta::rank(); }
};
MANTA_ACTOR(StateProbe, rank);

TEST(State, EveryRankAnswersInRankOrder) {
  const auto job = manta::summary();
  const auto ranks = manta::nodes();
  ASSERT_EQ(job.ranks.size(), ranks.size());
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    EXPECT_EQ(job.ranks[i].rank, static_cast<int>(i));
    EXPECT_EQ(job.ranks[i].hostname, ranks[i].hostname);
  }
}

TEST(State, TasksAreListedOnTheRankTheyRunOn) {
  const int size = manta::world_size();
  std::vector<manta::ObjectRef<int>> refs;
  for (int rank = 0; rank < size; ++rank) {
    refs.push_back(manta::task(state_sleep_here).options({.rank = rank}).remote(3000));
  }
  const auto ranks_running = [] {
    std::vector<int> ranks;
    for (const auto& task : manta::list_tasks()) {
      if (task.name == "state_sleep_here") ranks.push_back(task.rank);
    }
    std::sort(ranks.begin(), ranks.end());
    return ranks;
  };
  std::vector<int> every_rank(static_cast<std::size_t>(size));
  for (int rank = 0; rank < size; ++rank) every_rank[static_cast<std::size_t>(rank)] = rank;
  EXPECT_TRUE(eventually([&] { return ranks_running() == every_rank; }));
  for (const auto& task : manta::list_tasks()) {
    if (task.name != "state_sleep_here") continue;
    EXPECT_FALSE(task.actor_call);
    EXPECT_EQ(task.thread.rfind("worker ", 0), 0U) << task.thread;
    EXPECT_LT(task.running_seconds, 60);
  }
  for (int rank = 0; rank < size; ++rank) {
    EXPECT_EQ(manta::get(refs[static_cast<std::size_t>(rank)]), rank);
  }
  EXPECT_TRUE(eventually([&] { return ranks_running().empty(); }));
}

TEST(State, CountsAddUpOverTheJob) {
  const int size = manta::world_size();
  std::vector<manta::ObjectRef<int>> refs;
  for (int i = 0; i < 10 * size; ++i) {
    refs.push_back(manta::task(state_counted).options({.rank = i % size}).remote(i));
  }
  manta::get(refs);
  EXPECT_TRUE(eventually([&] {
    for (const auto& function : manta::summary().functions) {
      if (function.name == "state_counted") {
        return function.finished == static_cast<std::uint64_t>(10 * size) &&
               function.running == 0 && function.failed == 0;
      }
    }
    return false;
  }));
}

TEST(State, AnyRankMayAskFromATask) {
  const int last = manta::world_size() - 1;
  const auto [asked_on, answered] =
      manta::get(manta::task(state_asked_here).options({.rank = last}).remote(0));
  EXPECT_EQ(asked_on, last);
  EXPECT_EQ(answered, manta::world_size());
}

TEST(State, ActorsAreListedOnTheRankThatHostsThem) {
  const int size = manta::world_size();
  std::vector<manta::ActorHandle<StateProbe>> probes;
  for (int rank = 0; rank < size; ++rank) {
    probes.push_back(manta::actor<StateProbe>()
                         .options({.name = "state-probe-" + std::to_string(rank), .rank = rank})
                         .remote());
  }
  for (int rank = 0; rank < size; ++rank) {
    EXPECT_EQ(manta::get(probes[static_cast<std::size_t>(rank)].call(&StateProbe::rank).remote()),
              rank);
  }
  // A call is counted just after its result is ready.
  const auto probes_seen = [] {
    std::vector<manta::ActorState> seen;
    for (const auto& actor : manta::list_actors()) {
      if (actor.class_name == "StateProbe" && actor.calls_finished == 1) seen.push_back(actor);
    }
    return seen;
  };
  ASSERT_TRUE(eventually([&] { return probes_seen().size() == static_cast<std::size_t>(size); }));
  for (const auto& actor : probes_seen()) {
    EXPECT_EQ(actor.name, "state-probe-" + std::to_string(actor.rank));
    EXPECT_EQ(actor.phase, manta::ActorState::Phase::alive);
    EXPECT_EQ(actor.calls_waiting, 0U);
  }
}

}  // namespace
