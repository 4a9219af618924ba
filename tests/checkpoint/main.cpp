// The checkpoint suite needs MPI but no Manta runtime: every rank runs every test, and the tests
// write their files together (write_checkpoint is collective). Rank 0 prints GoogleTest's usual
// report; the other ranks print only their failures, prefixed with their rank.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>
#include <cstdlib>

namespace {

class FailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit FailurePrinter(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.failed()) return;
    std::fprintf(stderr, "[rank %d] %s:%d: %s\n", rank_,
                 result.file_name() ? result.file_name() : "?", result.line_number(),
                 result.message());
  }

 private:
  int rank_;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Listing the tests (ctest's discovery at build time) needs no MPI.
  if (GTEST_FLAG_GET(list_tests)) return RUN_ALL_TESTS();
  // Started without a launcher (one ctest process per test), a singleton needs neither Open MPI's
  // probing of every messaging layer nor its helper daemon (as tests/unit/api/main.cpp).
  if (std::getenv("OMPI_COMM_WORLD_SIZE") == nullptr && std::getenv("PMIX_RANK") == nullptr) {
    setenv("OMPI_MCA_pml", "ob1", /*overwrite=*/0);
    setenv("OMPI_MCA_ess_singleton_isolated", "1", /*overwrite=*/0);
    // Isolated singletons all share one session directory, which the first to finish removes:
    // MPI-IO's shared file pointers (sharedfp/sm, a file there) then fail in another test's
    // MPI_File_open (1 run in 15 of the checkpoint tests at -j2). Manta uses none.
    setenv("OMPI_MCA_sharedfp", "^sm", /*overwrite=*/0);
  }
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new FailurePrinter(rank));
  }
  const int status = RUN_ALL_TESTS();
  MPI_Finalize();
  return status;
}
