// Resources across ranks that differ: GPUs on odd ranks only, a "learner" slot on the last rank
// only, two "sim" slots everywhere. Work goes where its resources are, never more at once than
// a rank has, everything is given back, and impossible requests fail at once naming the totals.
//
// Its own main: each rank's resources depend on its rank, read from the launcher before the
// runtime starts (as a site's wrapper script would set MANTA_* per rank).
#include <manta/manta.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

int launcher_rank() {
  for (const char* variable : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "SLURM_PROCID"}) {
    if (const char* value = std::getenv(variable)) return std::atoi(value);
  }
  return 0;
}

int launcher_size() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "SLURM_NTASKS"}) {
    if (const char* value = std::getenv(variable)) return std::atoi(value);
  }
  return 1;
}

/// GPUs on odd ranks (on rank 0 too when it is alone).
int gpus_of(int rank, int size) { return rank % 2 == 1 || size == 1 ? 2 : 0; }

manta::RuntimeOptions options_of_rank(int rank, int size) {
  manta::RuntimeOptions options;
  options.num_cpus = 2;
  options.object_store_memory = std::size_t{128} << 20;
  options.num_gpus = gpus_of(rank, size);
  options.memory = std::size_t{1} << 30;
  options.resources = {{"sim", 2}};
  if (rank == size - 1) options.resources["learner"] = 1;
  return options;
}

/// Tasks of this process running at once, and the most there ever were.
std::atomic<int> running{0};
std::atomic<int> peak{0};

struct Placement {
  int rank = -1;
  std::vector<int> gpus;
  int peak = 0;
  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& rank& gpus& peak;
  }
};

Placement hold_for(int milliseconds) {
  const int now = running.fetch_add(1) + 1;
  for (int seen = peak.load(); now > seen && !peak.compare_exchange_weak(seen, now);) {
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
  running.fetch_sub(1);
  return {manta::rank(), manta::gpu_ids(), peak.load()};
}
MANTA_REMOTE(hold_for);

std::map<std::string, double> free_here() { return manta::available_resources(); }
MANTA_REMOTE(free_here);

int world() { return manta::world_size(); }

TEST(Resources, CustomResourceOfOneRankTakesItsWorkThere) {
  const auto learner = manta::task(hold_for).options({.resources = {{"learner", 1}}});
  std::vector<manta::ObjectRef<Placement>> refs;
  for (int i = 0; i < 3; ++i) refs.push_back(learner.remote(50));
  for (const auto& placement : manta::get(refs)) {
    EXPECT_EQ(placement.rank, world() - 1);
    EXPECT_EQ(placement.peak, 1) << "one learner slot: one at a time";
  }
}

TEST(Resources, GpuTasksRunOnlyWhereGpusAreAndGetDistinctDevices) {
  const auto gpu = manta::task(hold_for).options({.num_cpus = 0.5, .num_gpus = 1});
  std::vector<manta::ObjectRef<Placement>> refs;
  for (int i = 0; i < 8; ++i) refs.push_back(gpu.remote(100));
  std::set<int> ranks;
  for (const auto& placement : manta::get(refs)) {
    EXPECT_GT(gpus_of(placement.rank, world()), 0) << "rank " << placement.rank << " has no GPU";
    ASSERT_EQ(placement.gpus.size(), 1U);
    EXPECT_LT(placement.gpus[0], 2);
    ranks.insert(placement.rank);
  }
  EXPECT_FALSE(ranks.empty());
}

TEST(Resources, NoRankRunsMoreThanItHas) {
  // 2 sim slots per rank; the tasks ask for 0.1 CPU so that CPUs are not what limits them.
  const auto sim = manta::task(hold_for).options({.num_cpus = 0.1, .resources = {{"sim", 1}}});
  std::vector<manta::ObjectRef<Placement>> refs;
  for (int i = 0; i < 6 * world(); ++i) refs.push_back(sim.remote(30));
  for (const auto& placement : manta::get(refs)) EXPECT_LE(placement.peak, 2);
}

/// Waits until every rank's free resources equal its totals again, asking each rank in turn.
void expect_every_rank_idle() {
  for (int rank = 0; rank < world(); ++rank) {
    std::map<std::string, double> free;
    std::map<std::string, double> expected{{"CPU", 2},
                                           {"GPU", gpus_of(rank, world())},
                                           {"memory", double(std::size_t{1} << 30)},
                                           {"sim", 2}};
    if (rank == world() - 1) expected["learner"] = 1;
    for (int attempt = 0; attempt < 1000 && free != expected; ++attempt) {
      // The probe itself holds no CPU, so it sees the rank idle.
      free = manta::get(manta::task(free_here).options({.num_cpus = 0, .rank = rank}).remote());
      if (free != expected) std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(free, expected) << "rank " << rank;
  }
}

TEST(Resources, EveryRankGetsEverythingBack) { expect_every_rank_idle(); }

TEST(PlacementGroups, StrictSpreadPutsEachBundleOnItsOwnRank) {
  std::vector<manta::Bundle> bundles(static_cast<std::size_t>(world()), {.num_cpus = 1});
  auto group = manta::placement_group(bundles, manta::PlacementStrategy::strict_spread);
  EXPECT_TRUE(manta::get(group.ready(), 30s));
  const auto ranks = group.bundle_ranks();
  EXPECT_EQ(std::set<int>(ranks.begin(), ranks.end()).size(), ranks.size());
  // Work placed in a bundle runs on the bundle's rank.
  for (std::size_t i = 0; i < bundles.size(); ++i) {
    const auto placement =
        manta::get(manta::task(hold_for).options({.bundle = group.bundle(i)}).remote(0));
    EXPECT_EQ(placement.rank, ranks[i]);
  }
  bundles.push_back({.num_cpus = 1});
  EXPECT_THROW(manta::placement_group(bundles, manta::PlacementStrategy::strict_spread),
               manta::InfeasibleError);
  manta::remove_placement_group(group);
  expect_every_rank_idle();
}

TEST(PlacementGroups, SpreadUsesEveryRankAndPackAsFewAsItCan) {
  std::vector<manta::Bundle> halves(static_cast<std::size_t>(2 * world()), {.num_cpus = 0.5});
  auto spread = manta::placement_group(halves, manta::PlacementStrategy::spread);
  const auto spread_ranks = spread.bundle_ranks();
  EXPECT_EQ(std::set<int>(spread_ranks.begin(), spread_ranks.end()).size(),
            static_cast<std::size_t>(world()));
  manta::get(spread.ready(), 30s);
  manta::remove_placement_group(spread);

  auto pack =
      manta::placement_group({{.num_cpus = 1}, {.num_cpus = 1}}, manta::PlacementStrategy::pack);
  const auto pack_ranks = pack.bundle_ranks();
  EXPECT_EQ(pack_ranks[0], pack_ranks[1]);
  manta::get(pack.ready(), 30s);
  manta::remove_placement_group(pack);
  expect_every_rank_idle();
}

TEST(PlacementGroups, GpuBundleGoesWhereGpusAre) {
  auto group = manta::placement_group({{.num_cpus = 1, .num_gpus = 1}, {.num_cpus = 1}},
                                      manta::PlacementStrategy::strict_pack);
  EXPECT_TRUE(manta::get(group.ready(), 30s));
  const int rank = group.bundle_ranks()[0];
  EXPECT_GT(gpus_of(rank, world()), 0);
  const auto placement =
      manta::get(manta::task(hold_for)
                     .options({.num_cpus = 1, .num_gpus = 1, .bundle = group.bundle(0)})
                     .remote(0));
  EXPECT_EQ(placement.rank, rank);
  EXPECT_EQ(placement.gpus.size(), 1U);
  manta::remove_placement_group(group);
  expect_every_rank_idle();
}

TEST(Resources, BusyButFeasibleWaitsAndTheTimeoutSaysWhatFor) {
  const auto learner = manta::task(hold_for).options({.resources = {{"learner", 1}}});
  auto first = learner.remote(1000);
  std::this_thread::sleep_for(100ms);
  auto second = learner.remote(0);
  try {
    manta::get(second, 200ms);
    ADD_FAILURE() << "the second learner task ran while the first held the only slot";
  } catch (const manta::GetTimeoutError& error) {
    EXPECT_NE(std::string(error.what()).find("hold_for"), std::string::npos) << error.what();
  }
  EXPECT_EQ(manta::get(second).rank, world() - 1);
  manta::get(first);
}

TEST(Resources, ImpossibleRequestsFailAtOnceNamingTheJobsTotals) {
  try {
    manta::task(hold_for).options({.resources = {{"learner", 2}}}).remote(0);
    FAIL() << "no InfeasibleError";
  } catch (const manta::InfeasibleError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("learner = 2"), std::string::npos) << message;
    EXPECT_NE(message.find("learner 1"), std::string::npos) << message;
    EXPECT_NE(message.find(std::to_string(world()) + " ranks"), std::string::npos) << message;
  }
  EXPECT_THROW(manta::task(hold_for).options({.num_gpus = 3}).remote(0), manta::InfeasibleError);
  if (world() > 1) {
    EXPECT_THROW(manta::task(hold_for).options({.rank = 0, .num_gpus = 1}).remote(0),
                 manta::InfeasibleError);
  }
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  int status = 0;
  {
    manta::Runtime runtime(options_of_rank(launcher_rank(), launcher_size()));
    if (manta::rank() == 0) status = RUN_ALL_TESTS();
  }
  return status;
}
