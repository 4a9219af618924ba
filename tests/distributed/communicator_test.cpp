// transport::Communicator under mpirun: every rank runs every test, as each collective needs.
#include "transport/communicator.hpp"
#include "transport/mpi_bootstrap.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace {

using manta::transport::Communicator;

/// A different, rank-specific payload for each rank, with bytes a C string would cut short.
std::string payload_of(int rank) {
  std::string bytes(static_cast<std::size_t>(rank) * 3, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(rank * 7 + i);
  return bytes;  // rank 0's is empty
}

class Collectives : public ::testing::Test {
 protected:
  Communicator world = Communicator::world();
};

TEST_F(Collectives, BroadcastGivesTheRootsBytesToEveryRank) {
  for (int root = 0; root < world.size(); ++root) {
    std::string bytes = world.rank() == root ? std::string("from\0root ", 10) + std::to_string(root)
                                             : std::string("stale bytes of this rank");
    world.broadcast(bytes, root);
    EXPECT_EQ(bytes, std::string("from\0root ", 10) + std::to_string(root)) << "root " << root;
  }
}

TEST_F(Collectives, BroadcastOfNothingEmptiesEveryRank) {
  std::string bytes = world.rank() == 0 ? "" : "something";
  world.broadcast(bytes);
  EXPECT_TRUE(bytes.empty());
}

TEST_F(Collectives, GatherCollectsEveryRanksBytesInRankOrderAtTheRoot) {
  const int root = world.size() - 1;
  const auto parts = world.gather(payload_of(world.rank()), root);
  if (world.rank() != root) {
    EXPECT_TRUE(parts.empty());
    return;
  }
  ASSERT_EQ(parts.size(), static_cast<std::size_t>(world.size()));
  for (int rank = 0; rank < world.size(); ++rank) {
    EXPECT_EQ(parts[static_cast<std::size_t>(rank)], payload_of(rank)) << "rank " << rank;
  }
}

TEST_F(Collectives, AllGatherGivesEveryRankEveryPart) {
  const auto parts = world.all_gather(payload_of(world.rank()));
  ASSERT_EQ(parts.size(), static_cast<std::size_t>(world.size()));
  for (int rank = 0; rank < world.size(); ++rank) {
    EXPECT_EQ(parts[static_cast<std::size_t>(rank)], payload_of(rank)) << "rank " << rank;
  }
}

TEST_F(Collectives, SumsAndMaximaCombineElementWise) {
  const std::int64_t rank = world.rank();
  const std::int64_t size = world.size();
  std::vector<std::int64_t> values = {rank, -rank, 1LL << 40};
  world.sum(values);
  EXPECT_EQ(values,
            (std::vector<std::int64_t>{size * (size - 1) / 2, -size * (size - 1) / 2, size << 40}));
  values = {rank, -rank};
  world.max(values);
  EXPECT_EQ(values, (std::vector<std::int64_t>{size - 1, 0}));
  EXPECT_EQ(world.sum(std::int64_t{2}), 2 * size);
  EXPECT_EQ(world.max(rank == 0 ? std::int64_t{-5} : std::int64_t{-9}), -5);
}

TEST_F(Collectives, NodeHoldsTheRanksSharingThisMachine) {
  // mpirun starts every rank of these tests on this machine.
  const Communicator node = Communicator::node();
  EXPECT_EQ(node.size(), world.size());
  EXPECT_EQ(node.max(std::int64_t{node.rank()}), node.size() - 1);
}

TEST_F(Collectives, AMovedCommunicatorStillWorks) {
  Communicator moved = std::move(world);
  EXPECT_EQ(moved.sum(std::int64_t{1}), moved.size());
  moved.barrier();
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const auto mpi = std::make_unique<manta::transport::MpiBootstrap>();  // MPI, thread-multiple
  if (mpi->layout().rank != 0) {
    ::testing::TestEventListeners& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());  // rank 0 prints the report
  }
  return RUN_ALL_TESTS();
}
