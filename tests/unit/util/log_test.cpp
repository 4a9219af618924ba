// util::launcher_rank: the rank a process is told by its launcher's environment, for what Manta
// says before MPI is up.
#include "util/log.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

namespace {

/// Sets the launchers' rank variables for one test, and restores them.
class LauncherRank : public ::testing::Test {
 protected:
  static constexpr const char* names[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK",
                                          "SLURM_PROCID"};
  void SetUp() override {
    for (const char* name : names) {
      const char* value = std::getenv(name);
      saved_[name] = value == nullptr ? std::nullopt : std::optional<std::string>(value);
      ::unsetenv(name);
    }
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }
  std::map<std::string, std::optional<std::string>> saved_;
};

TEST_F(LauncherRank, AProcessStartedAloneHasNone) { EXPECT_EQ(manta::util::launcher_rank(), -1); }

TEST_F(LauncherRank, EachLauncherIsRead) {
  for (const char* name : names) {
    ::setenv(name, "7", 1);
    EXPECT_EQ(manta::util::launcher_rank(), 7) << name;
    ::unsetenv(name);
  }
}

TEST_F(LauncherRank, OpenMpiComesBeforeSlurm) {
  // mpirun inside a Slurm allocation: SLURM_PROCID is the batch step's (0) on every rank.
  ::setenv("SLURM_PROCID", "0", 1);
  ::setenv("OMPI_COMM_WORLD_RANK", "3", 1);
  EXPECT_EQ(manta::util::launcher_rank(), 3);
}

TEST_F(LauncherRank, ValuesThatAreNoRankAreSkipped) {
  ::setenv("OMPI_COMM_WORLD_RANK", "3x", 1);
  ::setenv("PMIX_RANK", "-1", 1);
  ::setenv("PMI_RANK", "", 1);
  ::setenv("SLURM_PROCID", "12", 1);
  EXPECT_EQ(manta::util::launcher_rank(), 12);
}

}  // namespace
