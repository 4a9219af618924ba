// put and get round trips: scalars, strings, containers, and objects large enough to go to the
// shared-memory store, read back by copy and by zero-copy view.
#include "test_support.hpp"

#include <cstdint>
#include <map>
#include <numeric>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace {

using namespace manta_test;

int put_get_identity(int x) { return x; }
MANTA_REMOTE(put_get_identity);

class PutGet : public ::testing::Test {
 protected:
  manta::Runtime runtime_{runtime_options(2)};
};

/// Doubles that fill `bytes` bytes.
std::vector<double> doubles(std::size_t bytes) {
  std::vector<double> values(bytes / sizeof(double));
  std::iota(values.begin(), values.end(), 0.5);
  return values;
}

TEST_F(PutGet, Int) {
  const auto ref = manta::put(42);
  EXPECT_TRUE(ref.valid());
  EXPECT_TRUE(ref.ready());
  EXPECT_EQ(manta::get(ref), 42);
  EXPECT_EQ(manta::get(ref), 42);  // a get does not consume the object
}

TEST_F(PutGet, Double) { EXPECT_DOUBLE_EQ(manta::get(manta::put(2.718281828)), 2.718281828); }

TEST_F(PutGet, String) {
  EXPECT_EQ(manta::get(manta::put(std::string("Learning Ray"))), "Learning Ray");
  EXPECT_EQ(manta::get(manta::put(std::string())), "");
}

TEST_F(PutGet, IdsAreOwnedByThisRankAndDistinct) {
  const auto a = manta::put(1);
  const auto b = manta::put(1);
  EXPECT_EQ(a.id().owner_rank, expected_rank());
  EXPECT_NE(a.id(), b.id());
  EXPECT_FALSE(a == b);
  const auto copy = a;
  EXPECT_TRUE(copy == a);
  EXPECT_EQ(copy.id(), a.id());
  EXPECT_EQ(a.id().to_string(),
            std::to_string(a.id().owner_rank) + ":" + std::to_string(a.id().sequence));
}

TEST_F(PutGet, EmptyRefIsInvalid) {
  const manta::ObjectRef<int> empty;
  EXPECT_FALSE(empty.valid());
  EXPECT_FALSE(empty.ready());
  EXPECT_EQ(empty.id(), manta::ObjectId{});
}

TEST_F(PutGet, SmallVectorStaysTypedWithoutCopy) {
  std::vector<double> values = doubles(1024);
  const double* original = values.data();
  const auto ref = manta::put(std::move(values));
  const auto view = manta::get_view(ref);
  EXPECT_EQ(view.data(), original);  // moved into the object, not copied
  EXPECT_EQ(view.size(), 1024 / sizeof(double));
  EXPECT_EQ(manta::get(ref), doubles(1024));
}

TEST_F(PutGet, LargeVectorGoesToStoreAndViewsAreZeroCopy) {
  const std::vector<double> values = doubles(1 << 20);
  const auto ref = manta::put(values);
  const auto first = manta::get_view(ref);
  const auto second = manta::get_view(ref);
  EXPECT_EQ(first.data(), second.data());  // read in place, twice
  EXPECT_NE(first.data(), values.data());  // written once into the store
  ASSERT_EQ(first.size(), values.size());
  EXPECT_TRUE(std::equal(first.begin(), first.end(), values.begin()));
  EXPECT_EQ(manta::get(ref), values);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(first.data()) % alignof(double), 0U);
}

TEST_F(PutGet, InlineLimitIsTheStoreThreshold) {
  // A moved-in vector below the limit keeps its buffer; one at the limit is copied to the store.
  std::vector<double> below = doubles(64 * 1024 - sizeof(double));
  std::vector<double> at = doubles(64 * 1024);
  const double* below_data = below.data();
  const double* at_data = at.data();
  const auto below_ref = manta::put(std::move(below));
  const auto at_ref = manta::put(std::move(at));
  EXPECT_EQ(manta::get_view(below_ref).data(), below_data);
  EXPECT_NE(manta::get_view(at_ref).data(), at_data);
  EXPECT_EQ(manta::get(at_ref), doubles(64 * 1024));
}

TEST_F(PutGet, LargeVectorOfIntegers) {
  std::vector<std::int64_t> values(200'000);
  std::iota(values.begin(), values.end(), -100'000);
  const auto ref = manta::put(values);
  const auto view = manta::get_view(ref);
  ASSERT_EQ(view.size(), values.size());
  EXPECT_EQ(view.front(), -100'000);
  EXPECT_EQ(view.back(), 99'999);
  EXPECT_EQ(manta::get(ref), values);
}

TEST_F(PutGet, LargeStringViewIsZeroCopy) {
  std::string text(300'000, 'x');
  for (std::size_t i = 0; i < text.size(); i += 7) text[i] = static_cast<char>('a' + i % 26);
  const auto ref = manta::put(text);
  const std::string_view first = manta::get_view(ref);
  const std::string_view second = manta::get_view(ref);
  EXPECT_EQ(first.data(), second.data());
  EXPECT_NE(first.data(), text.data());
  EXPECT_EQ(first, text);
  EXPECT_EQ(manta::get(ref), text);
}

TEST_F(PutGet, EmptyVectorView) {
  const auto ref = manta::put(std::vector<float>{});
  EXPECT_TRUE(manta::get_view(ref).empty());
  EXPECT_TRUE(manta::get(ref).empty());
}

TEST_F(PutGet, MapOfVectors) {
  const std::map<std::string, std::vector<int>> value{
      {"primes", {2, 3, 5, 7}}, {"empty", {}}, {"squares", {0, 1, 4, 9, 16}}};
  EXPECT_EQ(manta::get(manta::put(value)), value);
}

TEST_F(PutGet, LargeMapOfVectorsGoesThroughTheStore) {
  std::map<std::string, std::vector<int>> value;
  for (int i = 0; i < 200; ++i) value["key" + std::to_string(i)] = std::vector<int>(200, i);
  EXPECT_EQ(manta::get(manta::put(value)), value);
}

TEST_F(PutGet, Pair) {
  const std::pair<int, std::string> value{7, "seven"};
  EXPECT_EQ(manta::get(manta::put(value)), value);
}

TEST_F(PutGet, Tuple) {
  const std::tuple<int, double, std::string, std::vector<int>> value{1, 2.5, "three", {4, 5}};
  EXPECT_EQ(manta::get(manta::put(value)), value);
}

TEST_F(PutGet, LargeVectorOfStrings) {
  std::vector<std::string> value;
  for (int i = 0; i < 10'000; ++i) value.push_back("string number " + std::to_string(i));
  const auto ref = manta::put(value);
  EXPECT_EQ(manta::get(ref), value);
  EXPECT_EQ(manta::get(ref), value);  // deserialized once, read twice
}

TEST_F(PutGet, VectorOfRefs) {
  std::vector<manta::ObjectRef<int>> refs;
  for (int i = 0; i < 100; ++i) {
    refs.push_back(i % 2 == 0 ? manta::put(i) : manta::task(put_get_identity).remote(i));
  }
  std::vector<int> expected(100);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(manta::get(refs), expected);
  EXPECT_TRUE(manta::get(std::vector<manta::ObjectRef<int>>{}).empty());
}

TEST_F(PutGet, VectorOfRefsWithTimeout) {
  std::vector<manta::ObjectRef<std::string>> refs{manta::put(std::string("a")),
                                                  manta::put(std::string("b"))};
  EXPECT_EQ(manta::get(refs, 30s), (std::vector<std::string>{"a", "b"}));
}

TEST(PutGetInlineLimit, SmallerLimitSendsSmallerObjectsToTheStore) {
  manta::Runtime runtime(
      {.num_cpus = 1, .object_store_memory = std::size_t{64} << 20, .inline_object_limit = 1024});
  std::vector<double> above = doubles(2048);
  std::vector<double> below = doubles(512);
  const double* above_data = above.data();
  const double* below_data = below.data();
  const auto above_ref = manta::put(std::move(above));
  const auto below_ref = manta::put(std::move(below));
  EXPECT_NE(manta::get_view(above_ref).data(), above_data);
  EXPECT_EQ(manta::get_view(below_ref).data(), below_data);
  EXPECT_EQ(manta::get(above_ref), doubles(2048));
  const std::map<std::string, std::vector<int>> map{{"k", std::vector<int>(1000, 3)}};
  EXPECT_EQ(manta::get(manta::put(map)), map);
}

TEST(PutGetInlineLimit, ZeroLimitStoresEverythingButScalars) {
  manta::Runtime runtime(
      {.num_cpus = 1, .object_store_memory = std::size_t{64} << 20, .inline_object_limit = 0});
  EXPECT_EQ(manta::get(manta::put(std::string())), "");
  EXPECT_TRUE(manta::get_view(manta::put(std::vector<int>{})).empty());
  EXPECT_EQ(manta::get(manta::put(std::pair<int, int>{1, 2})), (std::pair<int, int>{1, 2}));
  EXPECT_EQ(manta::get(manta::put(5)), 5);
}

}  // namespace
