// transport::BatchOrder and header_problem: what a rank does with each batch a peer sends
// (issue 14, item 5): frames that overrun their batch, numbers out of order, duplicated, old or
// far ahead, and headers naming ranks outside the job are refused before any byte is believed.
#include "transport/batch_order.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

using manta::transport::BatchOrder;

/// A batch of frames with these texts.
std::vector<std::byte> batch_of(const std::vector<std::string>& frames) {
  std::vector<std::byte> batch;
  for (const auto& frame : frames) {
    const auto length = static_cast<std::uint32_t>(frame.size());
    const auto* length_bytes = reinterpret_cast<const std::byte*>(&length);
    batch.insert(batch.end(), length_bytes, length_bytes + sizeof length);
    const auto* text = reinterpret_cast<const std::byte*>(frame.data());
    batch.insert(batch.end(), text, text + frame.size());
  }
  return batch;
}

class BatchOrderTest : public ::testing::Test {
 protected:
  std::string accept(std::uint64_t sequence, std::vector<std::byte> batch) {
    return order.accept(sequence, std::move(batch), [this](std::span<const std::byte> frame) {
      delivered.emplace_back(reinterpret_cast<const char*>(frame.data()), frame.size());
    });
  }
  BatchOrder order{4};
  std::vector<std::string> delivered;
};

TEST_F(BatchOrderTest, FramesOfBatchesInOrderAreDeliveredInOrder) {
  EXPECT_EQ(accept(0, batch_of({"a", "bc"})), "");
  EXPECT_EQ(accept(1, batch_of({"", "def"})), "");
  EXPECT_EQ(delivered, (std::vector<std::string>{"a", "bc", "", "def"}));
  EXPECT_EQ(order.next(), 2U);
}

TEST_F(BatchOrderTest, AnOvertakenBatchHoldsBackTheLaterOnesUntilItArrives) {
  EXPECT_EQ(accept(2, batch_of({"third"})), "");
  EXPECT_EQ(accept(1, batch_of({"second"})), "");
  EXPECT_TRUE(delivered.empty());
  EXPECT_EQ(order.held(), 2U);
  EXPECT_EQ(accept(0, batch_of({"first"})), "");
  EXPECT_EQ(delivered, (std::vector<std::string>{"first", "second", "third"}));
  EXPECT_EQ(order.held(), 0U);
}

TEST_F(BatchOrderTest, FramesOverrunningTheBatchAreRefusedWithNothingDelivered) {
  auto batch = batch_of({"abc", "defg"});
  const std::uint32_t lie = 1u << 30;  // a length far beyond the bytes
  std::memcpy(batch.data() + 4 + 3, &lie, sizeof lie);
  const auto problem = accept(0, batch);
  EXPECT_NE(problem.find("frames adding up to the batch's size"), std::string::npos) << problem;
  EXPECT_TRUE(delivered.empty()) << "the frame before the bad one was delivered";
  EXPECT_EQ(order.next(), 0U);
}

TEST_F(BatchOrderTest, TrailingBytesShorterThanALengthAreRefused) {
  auto batch = batch_of({"abc"});
  batch.push_back(std::byte{1});
  EXPECT_NE(accept(0, batch), "");
  EXPECT_FALSE(BatchOrder::well_formed(batch));
  EXPECT_TRUE(BatchOrder::well_formed(batch_of({})));
}

TEST_F(BatchOrderTest, OldAndDuplicateNumbersAreRefused) {
  ASSERT_EQ(accept(0, batch_of({"x"})), "");
  const auto old = accept(0, batch_of({"again"}));
  EXPECT_NE(old.find("sent batch 0 of"), std::string::npos) << old;
  EXPECT_NE(old.find("expected batch 1"), std::string::npos) << old;
  ASSERT_EQ(accept(3, batch_of({"early"})), "");
  EXPECT_NE(accept(3, batch_of({"early twice"})), "") << "a duplicate held batch was accepted";
  EXPECT_EQ(delivered, (std::vector<std::string>{"x"}));
}

TEST_F(BatchOrderTest, NumbersTooFarAheadAreRefusedSoTheHeldBatchesStayBounded) {
  EXPECT_EQ(accept(4, batch_of({"4 ahead: the limit"})), "");
  EXPECT_NE(accept(5, batch_of({"5 ahead"})), "");
  EXPECT_NE(accept(UINT64_MAX, batch_of({"wraps"})), "");
  EXPECT_EQ(order.held(), 1U);
}

TEST(BatchHeader, OnlyAHeaderOfTheRightSizeNamingAnotherRankOfTheJobPasses) {
  using manta::transport::header_problem;
  EXPECT_EQ(header_problem(16, 16, 1, 0, 4, 100), "");
  EXPECT_EQ(header_problem(16, 16, 3, 0, 4, 100), "");
  const auto beyond = header_problem(16, 16, 4, 0, 4, 100);
  EXPECT_NE(beyond.find("naming rank 4, not another rank of this job of 4"), std::string::npos)
      << beyond;
  EXPECT_NE(header_problem(16, 16, -1, 0, 4, 100), "");
  EXPECT_NE(header_problem(16, 16, 0, 0, 4, 100), "") << "a batch from itself was accepted";
  const auto short_header = header_problem(8, 16, 1, 0, 4, 100);
  EXPECT_NE(short_header.find("a header of 8 bytes"), std::string::npos) << short_header;
}

}  // namespace
