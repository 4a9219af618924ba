// Resources of one rank: GPUs (whole and fractional), memory and custom resources, asked for
// by tasks and actors, counted exactly while they run and given back when they finish, fail or
// go away; requests that can never be met fail at once and say what the rank has.
#include "test_support.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace manta_test;

ConcurrencyProbe resource_probe;

/// Runs with `partners` (see ConcurrencyProbe), returns the GPUs it held.
std::vector<int> resource_probe_run(int partners) {
  resource_probe.run_with(partners);
  return manta::gpu_ids();
}
MANTA_REMOTE(resource_probe_run);

std::map<std::string, double> resources_free_here() { return manta::available_resources(); }
MANTA_REMOTE(resources_free_here);

int resources_fail() { throw std::runtime_error("this task fails on purpose"); }
MANTA_REMOTE(resources_fail);

class GpuHolder {
 public:
  std::vector<int> devices() const { return manta::gpu_ids(); }
};
MANTA_ACTOR(GpuHolder, devices);

class Resources : public ::testing::Test {
 protected:
  void SetUp() override { resource_probe.reset(); }
  manta::Runtime runtime_{gpu_rank_options()};
};

TEST_F(Resources, ClusterResourcesListEveryKind) {
  const auto totals = manta::cluster_resources();
  EXPECT_EQ(totals.at("CPU"), 4);
  EXPECT_EQ(totals.at("GPU"), 2);
  EXPECT_EQ(totals.at("memory"), double(std::size_t{1} << 30));
  EXPECT_EQ(totals.at("sim"), 2);
  EXPECT_EQ(manta::nodes()[0].gpu_ids.size(), 2U);
  EXPECT_EQ(manta::nodes()[0].resources.at("sim"), 2);
  expect_free(gpu_rank_totals());
}

TEST_F(Resources, GpuIdsAreEmptyOutsideGpuTasks) {
  EXPECT_TRUE(manta::gpu_ids().empty());
  EXPECT_TRUE(manta::get(manta::task(resource_probe_run).remote(1)).empty());
}

TEST_F(Resources, WholeGpuTasksGetDistinctDevicesAndTakeTurns) {
  const auto one_gpu = manta::task(resource_probe_run).options({.num_cpus = 0, .num_gpus = 1});
  std::vector<manta::ObjectRef<std::vector<int>>> refs;
  for (int i = 0; i < 6; ++i) refs.push_back(one_gpu.remote(2));
  std::multiset<int> devices;
  for (const auto& ids : manta::get(refs)) {
    ASSERT_EQ(ids.size(), 1U);
    devices.insert(ids[0]);
  }
  EXPECT_EQ(resource_probe.peak(), 2);  // two GPUs: two at a time, whatever the free CPUs
  EXPECT_EQ(devices.count(0) + devices.count(1), 6U);
  expect_free(gpu_rank_totals());
}

TEST_F(Resources, TwoGpuTaskGetsBothDevices) {
  const auto ids = manta::get(manta::task(resource_probe_run).options({.num_gpus = 2}).remote(1));
  EXPECT_EQ(std::set<int>(ids.begin(), ids.end()), (std::set<int>{0, 1}));
}

TEST_F(Resources, FractionalGpuTasksShareADeviceUntilItsFractionsAreUsedUp) {
  // Quarter GPUs: four per device, eight on the two devices at once (CPUs are not the limit).
  const auto quarter =
      manta::task(resource_probe_run).options({.num_cpus = 0.25, .num_gpus = 0.25});
  std::vector<manta::ObjectRef<std::vector<int>>> refs;
  for (int i = 0; i < 16; ++i) refs.push_back(quarter.remote(8));
  std::map<int, int> per_device;
  for (const auto& ids : manta::get(refs)) {
    ASSERT_EQ(ids.size(), 1U);
    per_device[ids[0]] += 1;
  }
  EXPECT_EQ(resource_probe.peak(), 8);
  EXPECT_EQ(per_device[0] + per_device[1], 16);
  expect_free(gpu_rank_totals());
}

TEST_F(Resources, FractionsFillOneDeviceBeforeTheNext) {
  // Half a GPU held by an actor: the next half goes to the same device, leaving a whole one.
  auto holder = manta::actor<GpuHolder>().options({.num_gpus = 0.5}).remote();
  const auto held = manta::get(holder.call(&GpuHolder::devices).remote());
  ASSERT_EQ(held.size(), 1U);
  const auto half =
      manta::get(manta::task(resource_probe_run).options({.num_gpus = 0.5}).remote(1));
  EXPECT_EQ(half, held);
  const auto whole = manta::get(manta::task(resource_probe_run).options({.num_gpus = 1}).remote(1));
  ASSERT_EQ(whole.size(), 1U);
  EXPECT_NE(whole[0], held[0]);
}

TEST_F(Resources, CustomResourcesLimitHowManyRunAtOnce) {
  const auto sim = manta::task(resource_probe_run).options({.resources = {{"sim", 1}}});
  std::vector<manta::ObjectRef<std::vector<int>>> refs;
  for (int i = 0; i < 6; ++i) refs.push_back(sim.remote(2));
  manta::get(refs);
  EXPECT_EQ(resource_probe.peak(), 2);  // 4 CPUs free, but 2 sim slots
  expect_free(gpu_rank_totals());
}

TEST_F(Resources, MemoryLimitsHowManyRunAtOnce) {
  const auto big = manta::task(resource_probe_run).options({.memory = std::size_t{400} << 20});
  std::vector<manta::ObjectRef<std::vector<int>>> refs;
  for (int i = 0; i < 6; ++i) refs.push_back(big.remote(2));
  manta::get(refs);
  EXPECT_EQ(resource_probe.peak(), 2);  // 1 GiB holds two 400 MiB tasks
  expect_free(gpu_rank_totals());
}

TEST_F(Resources, FailedTasksGiveTheirResourcesBack) {
  auto failing = manta::task(resources_fail)
                     .options({.num_gpus = 1, .memory = 1000, .resources = {{"sim", 2}}});
  for (int i = 0; i < 3; ++i) EXPECT_THROW(manta::get(failing.remote()), manta::TaskError);
  expect_free(gpu_rank_totals());
}

TEST_F(Resources, AnActorHoldsItsResourcesUntilItIsGone) {
  {
    auto holder = manta::actor<GpuHolder>()
                      .options({.num_cpus = 1, .num_gpus = 1, .resources = {{"sim", 1}}})
                      .remote();
    const auto ids = manta::get(holder.call(&GpuHolder::devices).remote());
    ASSERT_EQ(ids.size(), 1U);
    // Every call runs on the actor's device.
    EXPECT_EQ(manta::get(holder.call(&GpuHolder::devices).remote()), ids);
    const auto free =
        manta::get(manta::task(resources_free_here).options({.num_cpus = 0}).remote());
    EXPECT_EQ(free.at("GPU"), 1);
    EXPECT_EQ(free.at("sim"), 1);
    EXPECT_EQ(free.at("CPU"), 3);
  }
  expect_free(gpu_rank_totals());
}

TEST_F(Resources, ImpossibleRequestsFailAtOnceSayingWhatTheRankHas) {
  const auto expect_infeasible = [](const manta::TaskOptions& options, const std::string& asked) {
    try {
      manta::task(resource_probe_run).options(options).remote(1);
      ADD_FAILURE() << "no InfeasibleError for " << asked;
    } catch (const manta::InfeasibleError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(asked), std::string::npos) << message;
      EXPECT_NE(message.find("2 GPUs"), std::string::npos) << message;
      EXPECT_NE(message.find("sim 2"), std::string::npos) << message;
    }
  };
  expect_infeasible({.num_gpus = 3}, "num_gpus = 3");
  expect_infeasible({.resources = {{"sim", 3}}}, "sim = 3");
  expect_infeasible({.memory = std::size_t{2} << 30}, "memory = 2 GiB");
  EXPECT_THROW(manta::actor<GpuHolder>().options({.num_gpus = 4}).remote(), manta::InfeasibleError);
}

TEST_F(Resources, UnknownResourceNamesTheKnownOnes) {
  try {
    manta::task(resource_probe_run).options({.resources = {{"learner", 1}}}).remote(1);
    FAIL() << "no InfeasibleError";
  } catch (const manta::InfeasibleError& error) {
    EXPECT_NE(std::string(error.what()).find("'learner', which no rank has"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("sim"), std::string::npos) << error.what();
  }
}

TEST_F(Resources, BadAmountsAreInvalidOptions) {
  EXPECT_THROW(manta::task(resource_probe_run).options({.num_gpus = 1.5}).remote(1),
               manta::InvalidOptionError);
  EXPECT_THROW(manta::task(resource_probe_run).options({.num_gpus = -1}).remote(1),
               manta::InvalidOptionError);
  EXPECT_THROW(manta::task(resource_probe_run).options({.resources = {{"sim", -1}}}).remote(1),
               manta::InvalidOptionError);
}

TEST(ResourceOptions, ReservedOrBadCustomNamesAreRefused) {
  auto options = runtime_options(1);
  options.resources = {{"GPU", 1}};
  EXPECT_THROW(manta::Runtime{options}, manta::InvalidOptionError);
  options.resources = {{"sim", -2}};
  EXPECT_THROW(manta::Runtime{options}, manta::InvalidOptionError);
}

TEST(ResourceOptions, ParsedFromFlagsAndEnvironment) {
  std::vector<const char*> arguments{"program",     "--num-gpus",       "3", "--memory", "2G",
                                     "--resources", "sim=4,learner=0.5"};
  const auto options = manta::parse_options(static_cast<int>(arguments.size()), arguments.data());
  EXPECT_EQ(options.num_gpus, 3);
  EXPECT_EQ(options.memory, std::size_t{2} << 30);
  EXPECT_EQ(options.resources, (std::map<std::string, double>{{"sim", 4}, {"learner", 0.5}}));
  std::vector<const char*> bad{"program", "--resources", "sim"};
  EXPECT_THROW(manta::parse_options(static_cast<int>(bad.size()), bad.data()),
               manta::InvalidOptionError);
}

TEST(ResourceOptions, GpusComeFromCudaVisibleDevicesWhenNotGiven) {
  setenv("CUDA_VISIBLE_DEVICES", "3,5", 1);
  {
    manta::Runtime runtime(runtime_options(1));
    EXPECT_EQ(manta::nodes()[0].gpu_ids, (std::vector<std::string>{"3", "5"}));
    EXPECT_EQ(manta::cluster_resources().at("GPU"), 2);
  }
  setenv("CUDA_VISIBLE_DEVICES", "", 1);
  {
    manta::Runtime runtime(runtime_options(1));
    EXPECT_EQ(manta::cluster_resources().at("GPU"), 0);
  }
  unsetenv("CUDA_VISIBLE_DEVICES");
}

}  // namespace
