// core::PlacementGroups on several ranks in one process: each rank's groups, cluster view,
// executor and router joined by a transport::Loopback, so bundles are reserved on other ranks
// through encoded ReserveBundle, BundleReady and ReleaseBundle messages.
#include "core/placement_group.hpp"
#include "core/cluster.hpp"
#include "core/executor.hpp"
#include "core/message_router.hpp"
#include "transport/loopback.hpp"

#include <manta/error.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace {

using manta::BundleAddress;
using manta::PlacementStrategy;
using manta::core::Cluster;
using manta::core::Executor;
using manta::core::MessageRouter;
using manta::core::Object;
using manta::core::PlacementGroups;
using manta::resources::Capacity;
using manta::resources::Request;
namespace transport = manta::transport;

constexpr int ranks = 3;
constexpr auto cpu = manta::resources::units_per_unit;

/// One rank of two CPUs: what the runtime gives PlacementGroups, and nothing else.
struct Rank {
  Rank(int rank, transport::Loopback& network)
      : router({ranks, 0},
               [rank](int source, const std::string& problem) {
                 ADD_FAILURE() << "rank " << rank << " got malformed bytes from " << source << ": "
                               << problem;
               }),
        cluster(rank, std::vector<Capacity>(ranks, Capacity{.cpu = 2 * cpu}), {}),
        executor(Capacity{.cpu = 2 * cpu}, 4, std::chrono::microseconds(0)),
        groups(rank, cluster, executor, network.sender(rank), router) {
    network.attach(rank, [this](int source, std::span<const std::byte> message) {
      router.route(source, message);
    });
  }
  ~Rank() { executor.stop(); }

  MessageRouter router;
  Cluster cluster;
  Executor executor;
  PlacementGroups groups;
};

class PlacementGroupsOnRanks : public ::testing::Test {
 protected:
  PlacementGroupsOnRanks() {
    for (int rank = 0; rank < ranks; ++rank) job.push_back(std::make_unique<Rank>(rank, network));
  }
  // What is still on its way is delivered before the ranks it goes to are destroyed.
  ~PlacementGroupsOnRanks() override { network.stop(); }
  Rank& rank(int index) { return *job[static_cast<std::size_t>(index)]; }

  /// Creates a group on rank 0 and waits (bounded) for its ready object; returns its error
  /// message, empty when every bundle was reserved.
  std::string create_and_wait(const std::vector<Request>& bundles, PlacementStrategy strategy,
                              std::vector<BundleAddress>& addresses) {
    Object* ready = rank(0).groups.create({0, next_id++}, bundles, strategy, addresses);
    std::promise<void> settled;
    ready->on_ready([&settled] { settled.set_value(); });
    const auto status = settled.get_future().wait_for(std::chrono::seconds(20));
    std::string error;
    if (status != std::future_status::ready) {
      error = "timed out waiting for the group's ready object";
    } else if (ready->has_failed()) {
      try {
        std::rethrow_exception(ready->error());
      } catch (const std::exception& failure) {
        error = failure.what();
      }
    }
    ready->release();
    return error;
  }

  /// Waits (bounded) until rank `index`'s own pool has `cpus` CPUs free.
  bool free_cpus_become(int index, manta::resources::Amount cpus) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (rank(index).executor.available().cpu != cpus) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  transport::Loopback network{ranks};
  std::vector<std::unique_ptr<Rank>> job;
  std::uint64_t next_id = 1;
};

TEST_F(PlacementGroupsOnRanks, StrictSpreadReservesOneBundleOnEveryRank) {
  std::vector<BundleAddress> addresses;
  const std::vector<Request> bundles(ranks, Request{.cpu = cpu});
  ASSERT_EQ(create_and_wait(bundles, PlacementStrategy::strict_spread, addresses), "");
  ASSERT_EQ(addresses.size(), static_cast<std::size_t>(ranks));
  std::vector<bool> used(ranks, false);
  for (const auto& address : addresses) {
    ASSERT_GE(address.rank, 0);
    ASSERT_LT(address.rank, ranks);
    EXPECT_FALSE(used[static_cast<std::size_t>(address.rank)]) << "two bundles on one rank";
    used[static_cast<std::size_t>(address.rank)] = true;
    EXPECT_EQ(PlacementGroups::creator_of(address.key), 0);
  }
  // Each rank set one CPU aside for its bundle; removing the group gives them back.
  for (int index = 0; index < ranks; ++index) EXPECT_TRUE(free_cpus_become(index, cpu)) << index;
  rank(0).groups.remove(addresses);
  for (int index = 0; index < ranks; ++index) {
    EXPECT_TRUE(free_cpus_become(index, 2 * cpu)) << index;
  }
}

TEST_F(PlacementGroupsOnRanks, ABundleWaitsOnItsRankUntilItsResourcesAreFree) {
  std::vector<BundleAddress> first;
  ASSERT_EQ(create_and_wait({Request{.cpu = 2 * cpu}, Request{.cpu = 2 * cpu}},
                            PlacementStrategy::strict_spread, first),
            "");
  // The third rank is the only one left with room: a STRICT_PACK group of two CPUs lands there.
  std::vector<BundleAddress> second;
  ASSERT_EQ(create_and_wait({Request{.cpu = cpu}, Request{.cpu = cpu}},
                            PlacementStrategy::strict_pack, second),
            "");
  ASSERT_EQ(second.size(), 2U);
  EXPECT_EQ(second[0].rank, second[1].rank);
  EXPECT_TRUE(free_cpus_become(second[0].rank, 0));
  rank(0).groups.remove(first);
  rank(0).groups.remove(second);
  for (int index = 0; index < ranks; ++index) {
    EXPECT_TRUE(free_cpus_become(index, 2 * cpu)) << index;
  }
}

TEST_F(PlacementGroupsOnRanks, BundlesNoRankCanHoldFailAtOnce) {
  std::vector<BundleAddress> addresses;
  EXPECT_THROW(
      rank(0).groups.create({0, 99}, {Request{.cpu = 3 * cpu}}, PlacementStrategy::pack, addresses),
      manta::InfeasibleError);
  EXPECT_THROW(rank(0).groups.create({0, 98}, std::vector<Request>(ranks + 1, Request{.cpu = cpu}),
                                     PlacementStrategy::strict_spread, addresses),
               manta::InfeasibleError);
  EXPECT_THROW(rank(0).groups.create({0, 97}, {}, PlacementStrategy::pack, addresses),
               manta::InvalidOptionError);
}

TEST_F(PlacementGroupsOnRanks, TasksAreCheckedAgainstTheBundleTheyNameOnTheCreatorsRank) {
  std::vector<BundleAddress> addresses;
  ASSERT_EQ(create_and_wait({Request{.cpu = cpu}}, PlacementStrategy::pack, addresses), "");
  Request fits{.cpu = cpu};
  EXPECT_EQ(rank(0).groups.check_bundle(addresses[0], -1, fits, "task", "step"), addresses[0].rank);
  EXPECT_EQ(fits.bundle, addresses[0].key);
  Request too_big{.cpu = 2 * cpu};
  EXPECT_THROW(rank(0).groups.check_bundle(addresses[0], -1, too_big, "task", "step"),
               manta::InfeasibleError);
  Request elsewhere{.cpu = cpu};
  const int other_rank = (addresses[0].rank + 1) % ranks;
  EXPECT_THROW(rank(0).groups.check_bundle(addresses[0], other_rank, elsewhere, "task", "step"),
               manta::InvalidOptionError);
  rank(0).groups.remove(addresses);
  Request after_removal{.cpu = cpu};
  EXPECT_THROW(rank(0).groups.check_bundle(addresses[0], -1, after_removal, "task", "step"),
               manta::InvalidOptionError);
}

}  // namespace
