// store::check_store_size and default_store_size: a node's stores against its memory.
#include "store/sizing.hpp"

#include <manta/error.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace {

using manta::store::NodeMemory;

constexpr std::uint64_t gib = std::uint64_t{1} << 30;
constexpr std::uint64_t mib = std::uint64_t{1} << 20;

NodeMemory node_of(std::uint64_t bytes, int ranks) {
  return {.hostname = "n17",
          .ranks = ranks,
          .bytes = bytes,
          .source = "physical memory",
          .shm_free = 12 * gib};
}

TEST(StoreSizing, StoresLargerThanTheNodeAreRefusedNamingEverything) {
  try {
    manta::store::check_store_size(100 * gib, 200 * gib, node_of(24 * gib, 2));
    FAIL() << "accepted";
  } catch (const manta::InvalidOptionError& error) {
    const std::string text = error.what();
    for (const char* part : {"--object-store-memory 100 GiB", "2 rank(s) on node n17", "200 GiB",
                             "the node has 24 GiB (physical memory)", "at most 12 GiB per rank",
                             "/dev/shm's 12 GiB free"}) {
      EXPECT_NE(text.find(part), std::string::npos) << part << " not in: " << text;
    }
  }
}

TEST(StoreSizing, TheNodeTotalDecidesNotOneRanksShare) {
  // 10 GiB fits a 24 GiB node alone, not four times over.
  EXPECT_NO_THROW(manta::store::check_store_size(10 * gib, 10 * gib, node_of(24 * gib, 1)));
  EXPECT_THROW(manta::store::check_store_size(10 * gib, 40 * gib, node_of(24 * gib, 4)),
               manta::InvalidOptionError);
}

TEST(StoreSizing, ZeroIsRefused) {
  EXPECT_THROW(manta::store::check_store_size(0, 0, node_of(24 * gib, 1)),
               manta::InvalidOptionError);
}

TEST(StoreSizing, TinyAndNearlyFullStoresAreWarnedOf) {
  const auto tiny = manta::store::check_store_size(1024, 2048, node_of(24 * gib, 2));
  ASSERT_EQ(tiny.size(), 1U);
  EXPECT_NE(tiny[0].find("1024 bytes is below 64 MiB"), std::string::npos) << tiny[0];
  const auto nearly_full = manta::store::check_store_size(10 * gib, 20 * gib, node_of(24 * gib, 2));
  ASSERT_EQ(nearly_full.size(), 1U);
  EXPECT_NE(nearly_full[0].find("less than 20%"), std::string::npos) << nearly_full[0];
  EXPECT_TRUE(manta::store::check_store_size(2 * gib, 4 * gib, node_of(24 * gib, 2)).empty());
}

TEST(StoreSizing, DefaultIsTwoGibOrThirtyPercentOfTheNodeShared) {
  EXPECT_EQ(manta::store::default_store_size(node_of(24 * gib, 2)), 2 * gib);
  // 8 GiB among 16 ranks: 30% of it is 153.6 MiB each.
  EXPECT_EQ(manta::store::default_store_size(node_of(8 * gib, 16)), 8 * gib / 10 * 3 / 16);
  EXPECT_EQ(manta::store::default_store_size(node_of(1 * gib, 64)),
            manta::store::smallest_sane_store);
}

TEST(StoreSizing, TheNodeMemoryIsThisMachinesOrLess) {
  const auto node = manta::store::node_memory("here", 3);
  EXPECT_EQ(node.ranks, 3);
  EXPECT_GT(node.bytes, 64 * mib);
  EXPECT_FALSE(node.source.empty());
}

}  // namespace
