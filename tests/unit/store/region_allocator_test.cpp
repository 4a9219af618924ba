// store::RegionAllocator: aligned first-fit placement in one region, coalescing on free.
#include "store/region_allocator.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>

namespace {

using manta::store::RegionAllocator;

TEST(RegionAllocator, CapacityIsRoundedDownToTheAlignment) {
  EXPECT_EQ(RegionAllocator(1000).capacity(), 960U);
  EXPECT_EQ(RegionAllocator(1 << 20).capacity(), std::size_t{1} << 20);
  EXPECT_EQ(RegionAllocator(10000, 4096).capacity(), 8192U);
  RegionAllocator empty(10);
  EXPECT_EQ(empty.capacity(), 0U);
  EXPECT_EQ(empty.largest_free(), 0U);
  EXPECT_FALSE(empty.allocate(1));
}

TEST(RegionAllocator, OffsetsAreAligned) {
  for (std::size_t alignment : {64, 256, 4096}) {
    RegionAllocator allocator(1 << 20, alignment);
    for (std::size_t size : {1, 7, 63, 64, 65, 100, 1000, 4097}) {
      const auto offset = allocator.allocate(size);
      ASSERT_TRUE(offset);
      EXPECT_EQ(*offset % alignment, 0U) << "size " << size << ", alignment " << alignment;
    }
  }
}

TEST(RegionAllocator, SizesAreRoundedUp) {
  RegionAllocator allocator(1 << 20);
  EXPECT_EQ(*allocator.allocate(1), 0U);
  EXPECT_EQ(*allocator.allocate(65), 64U);
  EXPECT_EQ(*allocator.allocate(64), 192U);
  EXPECT_EQ(allocator.used(), 64U + 128U + 64U);
  EXPECT_EQ(allocator.blocks(), 3U);
}

TEST(RegionAllocator, ZeroSizeGetsItsOwnBlock) {
  RegionAllocator allocator(1024);
  const auto a = allocator.allocate(0);
  const auto b = allocator.allocate(0);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(allocator.blocks(), 2U);
  allocator.free(*a);
  allocator.free(*b);
  EXPECT_EQ(allocator.used(), 0U);
}

TEST(RegionAllocator, FirstFitReusesTheLowestHole) {
  RegionAllocator allocator(64 * 100);
  const auto a = *allocator.allocate(640);
  const auto b = *allocator.allocate(640);
  const auto c = *allocator.allocate(640);
  EXPECT_EQ(a, 0U);
  EXPECT_EQ(b, 640U);
  EXPECT_EQ(c, 1280U);
  allocator.free(c);
  allocator.free(a);
  EXPECT_EQ(*allocator.allocate(100), a);      // lowest hole that fits
  EXPECT_EQ(*allocator.allocate(600), 1280U);  // the rest of a's hole is too small
  EXPECT_EQ(*allocator.allocate(500), 128U);   // but fits this one
}

TEST(RegionAllocator, FreeCoalescesWithTheNextBlock) {
  RegionAllocator allocator(64 * 4);
  const auto a = *allocator.allocate(64);
  const auto b = *allocator.allocate(64);
  const auto c = *allocator.allocate(64);
  const auto d = *allocator.allocate(64);
  allocator.free(c);
  allocator.free(b);  // joins c's hole after it
  EXPECT_EQ(allocator.largest_free(), 128U);
  EXPECT_EQ(*allocator.allocate(128), b);
  allocator.free(a);
  allocator.free(d);
}

TEST(RegionAllocator, FreeCoalescesWithThePreviousBlock) {
  RegionAllocator allocator(64 * 4);
  const auto a = *allocator.allocate(64);
  const auto b = *allocator.allocate(64);
  const auto c = *allocator.allocate(64);
  ASSERT_TRUE(allocator.allocate(64));
  allocator.free(b);
  allocator.free(c);  // joins b's hole before it
  EXPECT_EQ(allocator.largest_free(), 128U);
  EXPECT_EQ(*allocator.allocate(128), b);
  allocator.free(a);
}

TEST(RegionAllocator, FreeCoalescesWithBothNeighbours) {
  RegionAllocator allocator(64 * 3);
  const auto a = *allocator.allocate(64);
  const auto b = *allocator.allocate(64);
  const auto c = *allocator.allocate(64);
  EXPECT_EQ(allocator.largest_free(), 0U);
  allocator.free(a);
  allocator.free(c);
  EXPECT_EQ(allocator.largest_free(), 64U);
  allocator.free(b);
  EXPECT_EQ(allocator.largest_free(), allocator.capacity());
  EXPECT_EQ(allocator.used(), 0U);
  EXPECT_EQ(allocator.blocks(), 0U);
  EXPECT_EQ(*allocator.allocate(allocator.capacity()), 0U);
}

TEST(RegionAllocator, BeyondCapacityReturnsNullopt) {
  RegionAllocator allocator(4096);
  EXPECT_FALSE(allocator.allocate(4097));
  EXPECT_FALSE(allocator.allocate(std::numeric_limits<std::size_t>::max()));
  EXPECT_FALSE(allocator.allocate(std::numeric_limits<std::size_t>::max() - 10));
  const auto all = allocator.allocate(4096);
  ASSERT_TRUE(all);
  EXPECT_FALSE(allocator.allocate(1));
  allocator.free(*all);
  EXPECT_TRUE(allocator.allocate(1));
}

TEST(RegionAllocator, FragmentedSpaceIsNotOneBlock) {
  RegionAllocator allocator(64 * 8);
  std::size_t offsets[8];
  for (auto& offset : offsets) offset = *allocator.allocate(64);
  for (int i = 0; i < 8; i += 2) allocator.free(offsets[i]);
  EXPECT_EQ(allocator.used(), 64U * 4);
  EXPECT_EQ(allocator.largest_free(), 64U);
  EXPECT_FALSE(allocator.allocate(128));  // 256 bytes free, but in pieces
  EXPECT_TRUE(allocator.allocate(64));
}

TEST(RegionAllocator, FreeOfUnknownOffsetThrows) {
  RegionAllocator allocator(4096);
  EXPECT_THROW(allocator.free(0), std::logic_error);
  const auto a = *allocator.allocate(128);
  EXPECT_THROW(allocator.free(a + 64), std::logic_error);  // inside a block, not its start
  EXPECT_THROW(allocator.free(100000), std::logic_error);
  allocator.free(a);
  EXPECT_THROW(allocator.free(a), std::logic_error);  // twice
  EXPECT_EQ(allocator.largest_free(), 4096U);
}

TEST(RegionAllocator, RandomAllocationsNeverOverlapAndAllCoalesceBack) {
  RegionAllocator allocator(1 << 20);
  std::mt19937 random(12345);
  std::map<std::size_t, std::size_t> live;  // offset -> requested size
  for (int step = 0; step < 20000; ++step) {
    if (live.empty() || random() % 3 != 0) {
      const std::size_t size = 1 + random() % 8192;
      const auto offset = allocator.allocate(size);
      if (!offset) {
        EXPECT_LT(allocator.largest_free(), size);
        continue;
      }
      ASSERT_EQ(*offset % 64, 0U);
      ASSERT_LE(*offset + size, allocator.capacity());
      const auto next = live.lower_bound(*offset);
      if (next != live.end()) {
        ASSERT_LE(*offset + size, next->first);
      }
      if (next != live.begin()) {
        const auto previous = std::prev(next);
        ASSERT_LE(previous->first + previous->second, *offset);
      }
      live.emplace(*offset, size);
    } else {
      auto victim = live.begin();
      std::advance(victim, random() % live.size());
      allocator.free(victim->first);
      live.erase(victim);
    }
    ASSERT_EQ(allocator.blocks(), live.size());
  }
  for (const auto& [offset, size] : live) allocator.free(offset);
  EXPECT_EQ(allocator.used(), 0U);
  EXPECT_EQ(allocator.blocks(), 0U);
  EXPECT_EQ(allocator.largest_free(), allocator.capacity());
}

}  // namespace
