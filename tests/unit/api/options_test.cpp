// Options: parse_options (flags, suffixes, environment), and the running runtime's view of its
// rank, job and CPUs; starting and stopping runtimes.
#include "test_support.hpp"

#include <sched.h>

#include <array>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace manta_test;

int options_add_one(int x) { return x + 1; }
MANTA_REMOTE(options_add_one);

/// Unsets Manta's environment variables for a test and restores them afterwards.
class Options : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : names_) {
      const char* value = std::getenv(name);
      saved_.push_back(value ? std::optional<std::string>(value) : std::nullopt);
      unsetenv(name);
    }
  }
  void TearDown() override {
    for (std::size_t i = 0; i < names_.size(); ++i) {
      if (saved_[i]) {
        setenv(names_[i], saved_[i]->c_str(), 1);
      } else {
        unsetenv(names_[i]);
      }
    }
  }

  static manta::RuntimeOptions parse(std::vector<const char*> arguments) {
    arguments.insert(arguments.begin(), "program");
    return manta::parse_options(static_cast<int>(arguments.size()), arguments.data());
  }

 private:
  const std::array<const char*, 5> names_{"MANTA_NUM_CPUS", "MANTA_OBJECT_STORE_MEMORY",
                                          "MANTA_INLINE_LIMIT", "MANTA_LOG_LEVEL", "MANTA_SPIN_US"};
  std::vector<std::optional<std::string>> saved_;
};

TEST_F(Options, Defaults) {
  const auto options = parse({});
  EXPECT_EQ(options.num_cpus, 0.0);
  EXPECT_EQ(options.object_store_memory, 0U);
  EXPECT_EQ(options.inline_object_limit, 64U * 1024);
  EXPECT_EQ(options.log_level, "warn");
}

TEST_F(Options, NumCpus) {
  EXPECT_EQ(parse({"--num-cpus", "8"}).num_cpus, 8.0);
  EXPECT_EQ(parse({"--num-cpus=2.5"}).num_cpus, 2.5);
}

TEST_F(Options, ObjectStoreMemoryWithSuffixes) {
  EXPECT_EQ(parse({"--object-store-memory", "1G"}).object_store_memory, std::size_t{1} << 30);
  EXPECT_EQ(parse({"--object-store-memory", "512M"}).object_store_memory, std::size_t{512} << 20);
  EXPECT_EQ(parse({"--object-store-memory", "4096"}).object_store_memory, 4096U);
}

TEST_F(Options, InlineLimit) {
  EXPECT_EQ(parse({"--inline-limit", "1K"}).inline_object_limit, 1024U);
}

TEST_F(Options, LogLevel) { EXPECT_EQ(parse({"--log-level", "debug"}).log_level, "debug"); }

TEST_F(Options, SpinUs) {
  EXPECT_EQ(parse({}).spin_us, 50);
  EXPECT_EQ(parse({"--spin-us", "0"}).spin_us, 0);
  setenv("MANTA_SPIN_US", "7", 1);
  EXPECT_EQ(parse({}).spin_us, 7);
}

TEST_F(Options, EnvironmentVariables) {
  setenv("MANTA_NUM_CPUS", "3", 1);
  setenv("MANTA_OBJECT_STORE_MEMORY", "2G", 1);
  setenv("MANTA_LOG_LEVEL", "error", 1);
  const auto options = parse({});
  EXPECT_EQ(options.num_cpus, 3.0);
  EXPECT_EQ(options.object_store_memory, std::size_t{2} << 30);
  EXPECT_EQ(options.log_level, "error");
}

TEST_F(Options, FlagsWinOverEnvironment) {
  setenv("MANTA_NUM_CPUS", "3", 1);
  EXPECT_EQ(parse({"--num-cpus", "5"}).num_cpus, 5.0);
}

TEST_F(Options, UnknownFlagsAreIgnored) {
  const auto options =
      parse({"--verbose", "--output", "out.h5", "positional", "--num-cpus", "6", "-x"});
  EXPECT_EQ(options.num_cpus, 6.0);
  EXPECT_EQ(options.log_level, "warn");
}

TEST_F(Options, BadValuesThrow) {
  EXPECT_THROW(parse({"--num-cpus", "abc"}), manta::InvalidOptionError);
  EXPECT_THROW(parse({"--object-store-memory", "lots"}), manta::InvalidOptionError);
  setenv("MANTA_NUM_CPUS", "many", 1);
  EXPECT_THROW(parse({}), manta::InvalidOptionError);
}

TEST_F(Options, RunReportsBadFlags) {
  std::vector<const char*> arguments{"program", "--num-cpus", "abc"};
  bool ran = false;
  EXPECT_EQ(manta::run(static_cast<int>(arguments.size()), const_cast<char**>(arguments.data()),
                       [&] { ran = true; }),
            2);
  EXPECT_FALSE(ran);
}

TEST(Runtime, RankWorldSizeAndCpus) {
  manta::Runtime runtime(runtime_options(3));
  EXPECT_EQ(manta::rank(), expected_rank());
  EXPECT_EQ(manta::world_size(), expected_world_size());
  EXPECT_EQ(manta::num_cpus(), 3.0);
}

TEST(Runtime, FractionalCpus) {
  manta::Runtime runtime(runtime_options(1.5));
  EXPECT_EQ(manta::num_cpus(), 1.5);
  EXPECT_EQ(manta::get(manta::task(options_add_one).options({.num_cpus = 1.5}).remote(1)), 2);
  EXPECT_THROW(manta::task(options_add_one).options({.num_cpus = 2}).remote(1),
               manta::InfeasibleError);
}

TEST(Runtime, ZeroCpusMeansTheCoresThisProcessMayUse) {
  cpu_set_t mask;
  ASSERT_EQ(sched_getaffinity(0, sizeof mask, &mask), 0);
  manta::Runtime runtime(runtime_options(0));
  if (std::getenv("SLURM_CPUS_PER_TASK") == nullptr) {
    EXPECT_EQ(manta::num_cpus(), static_cast<double>(CPU_COUNT(&mask)));
  }
  EXPECT_GT(manta::num_cpus(), 0.0);
}

TEST(Runtime, StartsAndStopsRepeatedly) {
  for (int i = 0; i < 3; ++i) {
    manta::Runtime runtime(runtime_options(1 + i));
    EXPECT_EQ(manta::num_cpus(), 1.0 + i);
    EXPECT_EQ(manta::get(manta::task(options_add_one).remote(i)), i + 1);
  }
  EXPECT_THROW(manta::rank(), manta::Error);
}

TEST(Runtime, OneAtATime) {
  manta::Runtime runtime(runtime_options(1));
  EXPECT_THROW(manta::Runtime(runtime_options(1)), manta::Error);
  EXPECT_EQ(manta::get(manta::task(options_add_one).remote(1)), 2);  // the first still runs
}

TEST(Runtime, InvalidOptionsFailToStart) {
  EXPECT_THROW(manta::Runtime(runtime_options(-1)), manta::InvalidOptionError);
  EXPECT_THROW(manta::Runtime(runtime_options(0.00001)), manta::InvalidOptionError);
  auto loud = runtime_options(1);
  loud.log_level = "loud";
  EXPECT_THROW(manta::Runtime{loud}, manta::InvalidOptionError);
  auto backwards = runtime_options(1);
  backwards.spin_us = -1;
  EXPECT_THROW(manta::Runtime{backwards}, manta::InvalidOptionError);
  manta::Runtime runtime(runtime_options(1));  // a failed start leaves nothing behind
  EXPECT_EQ(manta::get(manta::task(options_add_one).remote(1)), 2);
}

TEST(Runtime, DestructionWaitsForSubmittedWork) {
  std::vector<manta::ObjectRef<int>> refs;
  {
    manta::Runtime runtime(runtime_options(2));
    for (int i = 0; i < 200; ++i) refs.push_back(manta::task(options_add_one).remote(i));
  }
  // Every task finished before the runtime stopped; the refs kept their values.
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(refs[i].ready());
    EXPECT_EQ(manta::get(refs[i]), i + 1);
  }
}

TEST(Runtime, StoreRefKeptPastShutdownLeavesTheNextRuntimeAlone) {
  using Doubles = std::vector<double>;
  manta::ObjectRef<Doubles> stale;
  {
    manta::Runtime first(runtime_options(1));
    stale = manta::put(Doubles(100'000, 1.0));  // 800 kB: a block of the first runtime's store
  }
  manta::Runtime second(runtime_options(1));
  auto* fresh = new manta::ObjectRef<Doubles>(manta::put(Doubles(100'000, 2.0)));
  stale = {};  // its store is gone; the second runtime's blocks are none of its business
  auto* other = new manta::ObjectRef<Doubles>(manta::put(Doubles(100'000, 3.0)));
  const bool intact = manta::get_view(*fresh)[0] == 2.0 && manta::get_view(*other)[0] == 3.0;
  EXPECT_TRUE(intact) << "dropping a ref from a stopped runtime freed a block of the running one, "
                         "and a later put overwrote a live object";
  if (intact) {  // otherwise both own one block: freeing both would abort, so they are leaked
    delete fresh;
    delete other;
  }
}

TEST(Runtime, RunRunsTheDriverOnRankZero) {
  bool ran = false;
  double cpus = 0;
  EXPECT_EQ(manta::run(runtime_options(2),
                       [&] {
                         ran = true;
                         cpus = manta::num_cpus();
                         EXPECT_EQ(manta::get(manta::task(options_add_one).remote(1)), 2);
                       }),
            0);
  EXPECT_EQ(ran, expected_rank() == 0);
  if (ran) {
    EXPECT_EQ(cpus, 2.0);
  }
  EXPECT_THROW(manta::rank(), manta::Error);  // run stopped the runtime
}

TEST(Runtime, RunReadsFlags) {
  std::vector<const char*> arguments{"program", "--app-flag", "--num-cpus", "3"};
  double cpus = 0;
  EXPECT_EQ(manta::run(static_cast<int>(arguments.size()), const_cast<char**>(arguments.data()),
                       [&] { cpus = manta::num_cpus(); }),
            0);
  if (expected_rank() == 0) {
    EXPECT_EQ(cpus, 3.0);
  }
}

// Single rank only: on several ranks a failing driver aborts the whole job (MPI_Abort).
TEST(Runtime, RunReturnsOneWhenTheDriverThrows) {
  EXPECT_EQ(manta::run(runtime_options(1), [] { throw std::runtime_error("driver failed"); }), 1);
  EXPECT_THROW(manta::rank(), manta::Error);
}

}  // namespace
