// Placement groups on one rank: bundles reserve resources out of the rank's, wait while they are
// busy, give work placed in them exactly what they reserved, and give everything back when
// removed; groups that could never be placed fail at once.
#include "test_support.hpp"

#include <map>
#include <string>
#include <vector>

namespace {

using namespace manta_test;

const std::map<std::string, double> everything = gpu_rank_totals();

ConcurrencyProbe group_probe;
Gate group_gate;

std::vector<int> group_probe_run(int partners) {
  group_probe.run_with(partners);
  return manta::gpu_ids();
}
MANTA_REMOTE(group_probe_run);

int group_gated() {
  group_gate.pass();
  return manta::rank();
}
MANTA_REMOTE(group_gated);

class GroupMember {
 public:
  std::vector<int> devices() const { return manta::gpu_ids(); }
};
MANTA_ACTOR(GroupMember, devices);

class PlacementGroups : public ::testing::Test {
 protected:
  void SetUp() override {
    group_probe.reset();
    group_gate.open();
  }
  manta::Runtime runtime_{gpu_rank_options()};
};

TEST_F(PlacementGroups, BundlesAreReservedOutOfTheRanksResources) {
  auto group =
      manta::placement_group({{.num_cpus = 2, .num_gpus = 1}, {.resources = {{"sim", 1}}}});
  EXPECT_TRUE(manta::get(group.ready(), 10s));
  EXPECT_EQ(group.size(), 2U);
  EXPECT_EQ(group.bundle_ranks(), (std::vector<int>{0, 0}));
  expect_free({{"CPU", 2}, {"GPU", 1}, {"memory", double(std::size_t{1} << 30)}, {"sim", 1}});
  manta::remove_placement_group(group);
  expect_free(everything);
}

TEST_F(PlacementGroups, WorkInABundleGetsWhatTheBundleReserved) {
  auto group = manta::placement_group({{.num_cpus = 1, .num_gpus = 1}});
  manta::get(group.ready(), 10s);
  // Two one-GPU tasks in the bundle take turns on its one device; the rank's other GPU is free
  // for work outside it.
  const auto in_bundle = manta::task(group_probe_run)
                             .options({.num_cpus = 0.5, .num_gpus = 1, .bundle = group.bundle(0)});
  auto first = in_bundle.remote(1);
  auto second = in_bundle.remote(1);
  const auto outside = manta::get(manta::task(group_probe_run).options({.num_gpus = 1}).remote(1));
  const auto a = manta::get(first);
  const auto b = manta::get(second);
  ASSERT_EQ(a.size(), 1U);
  EXPECT_EQ(a, b);
  ASSERT_EQ(outside.size(), 1U);
  EXPECT_NE(outside, a);
  manta::remove_placement_group(group);
  expect_free(everything);
}

TEST_F(PlacementGroups, FractionalGpuBundleSharesItsFraction) {
  auto group = manta::placement_group({{.num_cpus = 2, .num_gpus = 0.5}});
  manta::get(group.ready(), 10s);
  const auto quarter =
      manta::task(group_probe_run)
          .options({.num_cpus = 0.25, .num_gpus = 0.25, .bundle = group.bundle(0)});
  std::vector<manta::ObjectRef<std::vector<int>>> refs;
  for (int i = 0; i < 6; ++i) refs.push_back(quarter.remote(2));
  manta::get(refs);
  EXPECT_EQ(group_probe.peak(), 2);  // half a GPU holds two quarters
}

TEST_F(PlacementGroups, AnActorInABundleHoldsItsDevice) {
  auto group = manta::placement_group({{.num_gpus = 1}});
  manta::get(group.ready(), 10s);
  manta::ObjectRef<std::vector<int>> waiting;
  std::vector<int> actor_devices;
  {
    auto member =
        manta::actor<GroupMember>().options({.num_gpus = 1, .bundle = group.bundle(0)}).remote();
    actor_devices = manta::get(member.call(&GroupMember::devices).remote());
    EXPECT_EQ(actor_devices.size(), 1U);
    // The bundle's only GPU is the actor's: a task in the bundle asking for it cannot start.
    waiting = manta::task(group_probe_run)
                  .options({.num_cpus = 0, .num_gpus = 1, .bundle = group.bundle(0)})
                  .remote(1);
    EXPECT_THROW(manta::get(waiting, 200ms), manta::GetTimeoutError);
  }
  // The actor is gone with its last handle: the task gets the bundle's device.
  EXPECT_EQ(manta::get(waiting, 10s), actor_devices);
  manta::remove_placement_group(group);
  expect_free(everything);
}

TEST_F(PlacementGroups, ReservationWaitsWhileTheRankIsBusy) {
  group_gate.close();
  GateOpener opener(group_gate);
  std::vector<manta::ObjectRef<int>> busy;
  for (int i = 0; i < 4; ++i) busy.push_back(manta::task(group_gated).remote());
  auto group = manta::placement_group({{.num_cpus = 2}});
  EXPECT_THROW(manta::get(group.ready(), 200ms), manta::GetTimeoutError);
  group_gate.open();
  EXPECT_TRUE(manta::get(group.ready(), 10s));
  manta::get(busy);
  manta::remove_placement_group(group);
  expect_free(everything);
}

TEST_F(PlacementGroups, RequestsTheBundleCanNeverHoldFailAtOnce) {
  auto group = manta::placement_group({{.num_cpus = 1, .num_gpus = 0.5}});
  EXPECT_THROW(
      manta::task(group_probe_run).options({.num_gpus = 1, .bundle = group.bundle(0)}).remote(1),
      manta::InfeasibleError);
  EXPECT_THROW(
      manta::task(group_probe_run).options({.num_cpus = 2, .bundle = group.bundle(0)}).remote(1),
      manta::InfeasibleError);
  EXPECT_THROW(group.bundle(1), manta::InvalidOptionError);
  manta::remove_placement_group(group);
}

TEST_F(PlacementGroups, GroupsThatCanNeverBePlacedFailAtOnce) {
  // One rank: STRICT_SPREAD cannot put two bundles on different ranks.
  EXPECT_THROW(manta::placement_group({{.num_cpus = 1}, {.num_cpus = 1}},
                                      manta::PlacementStrategy::strict_spread),
               manta::InfeasibleError);
  try {
    manta::placement_group({{.num_cpus = 3}, {.num_cpus = 3}},
                           manta::PlacementStrategy::strict_pack);
    FAIL() << "no InfeasibleError";
  } catch (const manta::InfeasibleError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("STRICT_PACK"), std::string::npos) << message;
    EXPECT_NE(message.find("4 CPUs"), std::string::npos) << message;
  }
  EXPECT_THROW(manta::placement_group({{.num_gpus = 3}}), manta::InfeasibleError);
  EXPECT_THROW(manta::placement_group({}), manta::InvalidOptionError);
  expect_free(everything);  // nothing was reserved by the groups that failed
}

TEST_F(PlacementGroups, PackPutsEveryBundleHere) {
  auto group = manta::placement_group({{.num_cpus = 1}, {.num_cpus = 1}, {.num_cpus = 1}},
                                      manta::PlacementStrategy::pack);
  EXPECT_TRUE(manta::get(group.ready(), 10s));
  EXPECT_EQ(group.bundle_ranks(), (std::vector<int>{0, 0, 0}));
  manta::remove_placement_group(group);
}

TEST_F(PlacementGroups, RemovalFailsQueuedWorkAndFreesTheBundleAfterRunningWork) {
  auto group = manta::placement_group({{.num_cpus = 1}});
  manta::get(group.ready(), 10s);
  group_gate.close();
  GateOpener opener(group_gate);
  const auto in_bundle = manta::task(group_gated).options({.bundle = group.bundle(0)});
  auto running = in_bundle.remote();
  std::this_thread::sleep_for(50ms);
  auto queued = in_bundle.remote();
  manta::remove_placement_group(group);
  group_gate.open();
  EXPECT_EQ(manta::get(running), 0);  // what was running finishes
  try {
    manta::get(queued, 10s);
    FAIL() << "work queued in a removed bundle ran";
  } catch (const manta::InfeasibleError& error) {
    EXPECT_NE(std::string(error.what()).find("removed"), std::string::npos) << error.what();
  }
  EXPECT_THROW(in_bundle.remote(), manta::InvalidOptionError);  // the group is gone
  expect_free(everything);
}

}  // namespace
