// core::ActorNames on several ranks in one process: each rank's names table, router and executor
// joined by a transport::Loopback, so claims and lookups cross "ranks" as encoded messages.
#include "core/actor_names.hpp"
#include "core/executor.hpp"
#include "core/message_router.hpp"
#include "transport/loopback.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using manta::core::ActorNames;
using manta::core::Executor;
using manta::core::MessageRouter;
namespace transport = manta::transport;

constexpr int ranks = 3;

/// One rank: what the runtime gives ActorNames, and nothing else.
struct Rank {
  Rank(int rank, transport::Loopback& network)
      : router({ranks, 0},
               [rank](int source, const std::string& problem) {
                 ADD_FAILURE() << "rank " << rank << " got malformed bytes from " << source << ": "
                               << problem;
               }),
        executor(manta::resources::Capacity{.cpu = manta::resources::units_per_unit}, 2,
                 std::chrono::microseconds(0)),
        names(rank, ranks, network.sender(rank), executor, router) {
    network.attach(rank, [this](int source, std::span<const std::byte> message) {
      router.route(source, message);
    });
  }
  ~Rank() { executor.stop(); }

  MessageRouter router;
  Executor executor;
  ActorNames names;
};

class ActorNamesOnRanks : public ::testing::Test {
 protected:
  ActorNamesOnRanks() {
    for (int rank = 0; rank < ranks; ++rank) job.push_back(std::make_unique<Rank>(rank, network));
  }
  // What is still on its way is delivered before the ranks it goes to are destroyed.
  ~ActorNamesOnRanks() override { network.stop(); }
  ActorNames& on(int rank) { return job[static_cast<std::size_t>(rank)]->names; }
  static ActorNames::Owner owner(const std::string& class_name, int host, std::uint64_t sequence) {
    return {class_name, transport::WireActorAddress{host, host, sequence}};
  }
  /// A name that rank `keeper` keeps.
  static std::string name_kept_by(int keeper, const std::string& stem) {
    for (int i = 0;; ++i) {
      const std::string name = stem + "-" + std::to_string(i);
      if (ActorNames::keeper_of(name, ranks) == keeper) return name;
    }
  }

  transport::Loopback network{ranks};
  std::vector<std::unique_ptr<Rank>> job;
};

TEST_F(ActorNamesOnRanks, EveryRankKeepsSomeNames) {
  std::set<int> keepers;
  for (int i = 0; i < 30; ++i)
    keepers.insert(ActorNames::keeper_of("actor" + std::to_string(i), ranks));
  EXPECT_EQ(keepers.size(), static_cast<std::size_t>(ranks));
  // The same on every rank: a hash of the name's bytes, not of the process.
  EXPECT_EQ(ActorNames::keeper_of("learner", ranks),
            ActorNames::keeper_of(std::string("learner"), ranks));
}

TEST_F(ActorNamesOnRanks, AClaimedNameIsFoundFromEveryRank) {
  for (int keeper = 0; keeper < ranks; ++keeper) {
    const std::string name = name_kept_by(keeper, "learner");
    const int claimer = (keeper + 1) % ranks;  // the claim crosses to the keeper
    EXPECT_FALSE(on(claimer).claim(name, owner("Learner", claimer, 7)).has_value());
    for (int rank = 0; rank < ranks; ++rank) {
      const auto found = on(rank).find(name);
      ASSERT_TRUE(found.has_value()) << name << " from rank " << rank;
      EXPECT_EQ(found->class_name, "Learner");
      EXPECT_EQ(found->actor, (transport::WireActorAddress{claimer, claimer, 7}));
    }
  }
  EXPECT_GT(network.delivered(), 0U);  // requests and replies went through the loopback
}

TEST_F(ActorNamesOnRanks, ASecondClaimGetsTheFirstOwner) {
  const std::string name = name_kept_by(2, "server");
  ASSERT_FALSE(on(0).claim(name, owner("Server", 0, 1)).has_value());
  const auto taken = on(1).claim(name, owner("Other", 1, 2));
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->class_name, "Server");
  EXPECT_EQ(taken->actor, (transport::WireActorAddress{0, 0, 1}));
  EXPECT_EQ(on(2).find(name)->class_name, "Server");
}

TEST_F(ActorNamesOnRanks, OnlyItsOwnerReleasesAName) {
  const std::string name = name_kept_by(1, "simulator");
  ASSERT_FALSE(on(0).claim(name, owner("Simulator", 0, 3)).has_value());
  on(2).release(name, transport::WireActorAddress{2, 2, 3});  // another actor's death
  ASSERT_TRUE(on(2).find(name).has_value());
  on(2).release(name, transport::WireActorAddress{0, 0, 3});  // its own
  EXPECT_FALSE(on(0).find(name).has_value());
  EXPECT_FALSE(on(2).claim(name, owner("Simulator", 2, 4)).has_value());  // free again
  EXPECT_EQ(on(1).find(name)->actor, (transport::WireActorAddress{2, 2, 4}));
}

TEST_F(ActorNamesOnRanks, OfClaimsAtOnceFromEveryRankExactlyOneWins) {
  for (int keeper = 0; keeper < ranks; ++keeper) {
    const std::string name = name_kept_by(keeper, "contested");
    std::atomic<int> winners{0};
    std::vector<std::thread> claimers;
    for (int rank = 0; rank < ranks; ++rank) {
      claimers.emplace_back([&, rank] {
        for (int attempt = 0; attempt < 4; ++attempt) {
          const auto sequence = static_cast<std::uint64_t>(attempt);
          if (!on(rank).claim(name, owner("Contested", rank, sequence)).has_value()) ++winners;
        }
      });
    }
    for (auto& claimer : claimers) claimer.join();
    EXPECT_EQ(winners.load(), 1) << name;
  }
}

}  // namespace
