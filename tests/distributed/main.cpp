// The distributed suite runs under mpirun: every rank starts the runtime, rank 0 runs the tests
// as the driver, and the other ranks serve tasks until it is done (Runtime's destructor is
// collective). The exit code of rank 0 is the suite's.
#include <manta/manta.hpp>

#include <gtest/gtest.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  int status = 0;
  {
    manta::Runtime runtime(manta::parse_options(argc, argv));
    if (manta::rank() == 0) status = RUN_ALL_TESTS();
  }
  return status;
}
