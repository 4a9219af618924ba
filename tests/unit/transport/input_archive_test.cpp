// detail::InputArchive, which reads back every serialized value (arguments, results, actor
// state, control messages): sizes are checked against the bytes that are there, bools are 0/1.
#include "patched_bytes.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <manta/manta.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

namespace {

using ::testing::HasSubstr;

template <class T>
std::vector<std::byte> serialized(const T& value) {
  std::vector<std::byte> bytes(manta::detail::serialized_size(value));
  manta::detail::serialize_into(value, bytes);
  return bytes;
}

/// deserialize's errors for each of `variants`, joined ("" for one it accepted).
template <class T>
std::string deserialize_errors(const std::vector<std::vector<std::byte>>& variants) {
  std::string errors;
  for (const auto& bytes : variants) {
    try {
      manta::detail::deserialize<T>(bytes);
    } catch (const std::exception& error) {
      errors += error.what();
    }
    errors += "\n";
  }
  return errors;
}

TEST(InputArchive, NestedValuesRoundTrip) {
  using Nested = std::tuple<std::vector<std::vector<std::string>>, std::map<std::string, int>,
                            std::set<std::int64_t>, std::optional<bool>,
                            std::variant<int, std::string>, std::vector<bool>>;
  const Nested value{{{"a", "bc"}, {}, {"def"}}, {{"x", 1}, {"y", -2}}, {5, 3, 1}, true,
                     std::string("alt"),         {true, false, true}};
  EXPECT_EQ(manta::detail::deserialize<Nested>(serialized(value)), value);
}

TEST(InputArchive, CollectionCountBeyondTheBytesIsRefused) {
  const auto variants = manta_test::with_u64_replaced(
      serialized(std::vector<std::string>{"one", "two"}), 2, std::uint64_t{1} << 40);
  ASSERT_FALSE(variants.empty());
  EXPECT_THAT(deserialize_errors<std::vector<std::string>>(variants),
              HasSubstr("claims 1099511627776 elements in a collection"));
}

TEST(InputArchive, MapCountBeyondTheBytesIsRefused) {
  using Map = std::map<int, int>;
  const auto variants =
      manta_test::with_u64_replaced(serialized(Map{{1, 2}, {3, 4}, {5, 6}}), 3, 1'000'000'000);
  ASSERT_FALSE(variants.empty());
  EXPECT_THAT(deserialize_errors<Map>(variants),
              HasSubstr("claims 1000000000 elements in a collection"));
}

TEST(InputArchive, StringLengthBeyondTheBytesIsRefused) {
  const auto variants =
      manta_test::with_u64_replaced(serialized(std::tuple<std::string>{"hello"}), 5, 4'000'000'000);
  ASSERT_FALSE(variants.empty());
  EXPECT_THAT(deserialize_errors<std::tuple<std::string>>(variants),
              HasSubstr("claims 4000000000 characters in a string, but only 5 bytes are left"));
}

TEST(InputArchive, BoolBytesOtherThanZeroAndOneAreRefused) {
  using Pair = std::tuple<bool, int>;
  const auto variants =
      manta_test::with_byte_replaced(serialized(Pair{true, 7}), std::byte{1}, std::byte{0x7f});
  ASSERT_FALSE(variants.empty());
  EXPECT_THAT(deserialize_errors<Pair>(variants), HasSubstr("bool of byte value 127"));
}

TEST(InputArchive, ReadingPastTheEndIsAnError) {
  const auto bytes = serialized(std::tuple<std::int64_t, std::int64_t>{1, 2});
  const std::vector<std::byte> cut(bytes.begin(), bytes.end() - 1);
  EXPECT_THROW((manta::detail::deserialize<std::tuple<std::int64_t, std::int64_t>>(cut)),
               std::exception);
}

TEST(InputArchive, RawArrayOfAPartialElementIsAnError) {
  const auto bytes = serialized(std::vector<double>{1.5, 2.5});
  EXPECT_EQ(manta::detail::deserialize<std::vector<double>>(bytes),
            (std::vector<double>{1.5, 2.5}));
  const std::vector<std::byte> cut(bytes.begin(), bytes.end() - 3);
  EXPECT_THAT(deserialize_errors<std::vector<double>>({cut}),
              HasSubstr("an array of 8-byte elements cannot be 13 bytes long"));
}

}  // namespace
