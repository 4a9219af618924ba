// The test binary's main: GoogleTest's, after making MPI's singleton start cheap.
//
// Started without a launcher, each test process starts MPI as a singleton, and Open MPI then
// probes every messaging layer and forks a helper daemon: 0.3 s per process, most of the suite's
// time since ctest runs each test in its own process. One rank needs neither, so the plain ob1
// layer and no daemon are asked for (0.02 s) unless the environment already chose. Under mpirun
// or srun nothing is changed.
#include <gtest/gtest.h>

#include <cstdlib>

int main(int argc, char** argv) {
  const bool launched =
      std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr;
  if (!launched) {
    setenv("OMPI_MCA_pml", "ob1", /*overwrite=*/0);
    setenv("OMPI_MCA_ess_singleton_isolated", "1", /*overwrite=*/0);
    // Isolated singletons all share one session directory, which the first to finish removes:
    // MPI-IO's shared file pointers (sharedfp/sm, a file there) then fail in another test's
    // MPI_File_open (1 run in 15 of the checkpoint tests at -j2). Manta uses none.
    setenv("OMPI_MCA_sharedfp", "^sm", /*overwrite=*/0);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
