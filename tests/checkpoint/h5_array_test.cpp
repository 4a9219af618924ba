// manta::h5_array in both of its modes: inline, as when state travels between ranks (plain Boost
// serialization), and native, as when save_state() takes a checkpoint; and the errors of each.
#include "checkpoint/state.hpp"
#include "support.hpp"

#include <manta/detail/serialization.hpp>
#include <manta/h5_array.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

namespace ckpt = manta::checkpoint;
using manta::detail::deserialize;
using manta::detail::serialize_into;
using manta::detail::serialized_size;

/// A policy with a scalar, a 2-D weight matrix and a 1-D bias.
struct Policy {
  std::uint64_t steps = 0;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> weights;
  std::vector<float> bias;

  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& steps& rows& cols;
    ar& manta::h5_array("weights", weights, {rows, cols});
    ar& manta::h5_array("bias", bias);
  }
  bool operator==(const Policy&) const = default;
};

Policy sample_policy() {
  return Policy{.steps = 12345,
                .rows = 2,
                .cols = 3,
                .weights = {0.5, 1.5, 2.5, 3.5, 4.5, 5.5},
                .bias = {-1.0f, 1.0f}};
}

/// Vectors of every element type h5_array takes.
struct AllTypes {
  std::vector<std::int8_t> i8 = {-1, 2};
  std::vector<std::uint8_t> u8 = {255};
  std::vector<std::int16_t> i16 = {-300};
  std::vector<std::uint16_t> u16 = {60000};
  std::vector<std::int32_t> i32 = {-70000, 1};
  std::vector<std::uint32_t> u32 = {4000000000u};
  std::vector<std::int64_t> i64 = {-(std::int64_t{1} << 50)};
  std::vector<std::uint64_t> u64 = {~std::uint64_t{0}};
  std::vector<float> f32 = {0.25f};
  std::vector<double> f64 = {1e300};
  std::vector<char> text = {'h', 'i'};
  std::vector<long> longs = {-5L};

  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& manta::h5_array("i8", i8) & manta::h5_array("u8", u8) & manta::h5_array("i16", i16);
    ar& manta::h5_array("u16", u16) & manta::h5_array("i32", i32) & manta::h5_array("u32", u32);
    ar& manta::h5_array("i64", i64) & manta::h5_array("u64", u64) & manta::h5_array("f32", f32);
    ar& manta::h5_array("f64", f64) & manta::h5_array("text", text);
    ar& manta::h5_array("longs", longs);
  }
  bool operator==(const AllTypes&) const = default;
};

/// Policy with float weights: the same names, another element type.
struct FloatPolicy {
  std::uint64_t steps = 0;
  std::size_t rows = 1;
  std::size_t cols = 1;
  std::vector<float> weights = {1.0f};
  std::vector<float> bias;

  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& steps& rows& cols;
    ar& manta::h5_array("weights", weights, {rows, cols});
    ar& manta::h5_array("bias", bias);
  }
};

/// Policy read as cols x rows.
struct TransposedWeights {
  std::uint64_t steps = 0;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> weights;
  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& steps& rows& cols;
    ar& manta::h5_array("weights", weights, {cols, rows});
  }
};

struct TwoArraysOneName {
  std::vector<int> a = {1}, b = {2};
  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& manta::h5_array("same", a) & manta::h5_array("same", b);
  }
};

template <class T>
T inline_round_trip(const T& value) {
  std::vector<std::byte> bytes(serialized_size(value));
  serialize_into(value, bytes);
  return deserialize<T>(bytes);
}

TEST(H5Array, InlineRoundTripAsBetweenRanks) {
  const Policy policy = sample_policy();
  EXPECT_EQ(inline_round_trip(policy), policy);
  EXPECT_EQ(inline_round_trip(AllTypes{}), AllTypes{});
  EXPECT_EQ(inline_round_trip(Policy{}), Policy{});
  // Inline, the values are in the bytes themselves.
  EXPECT_GT(serialized_size(policy), 6 * sizeof(double) + 2 * sizeof(float));
}

TEST(H5Array, NativeRoundTripInMemory) {
  ckpt::ActorRecord record{.key = "policy", .class_name = "Policy"};
  ckpt::save_state(sample_policy(), record);
  ASSERT_EQ(record.arrays.size(), 2u);
  EXPECT_EQ(record.arrays[0].name, "weights");
  EXPECT_EQ(record.arrays[0].type, ckpt::ElementType::float64);
  EXPECT_EQ(record.arrays[0].dims, (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(record.arrays[0].bytes.size(), 6 * sizeof(double));
  EXPECT_EQ(record.arrays[1].name, "bias");
  EXPECT_EQ(record.arrays[1].type, ckpt::ElementType::float32);
  EXPECT_EQ(record.arrays[1].dims, (std::vector<std::uint64_t>{2}));
  // The archive holds markers, not the 56 bytes of values: Boost's header, 3 scalars, 2 names.
  EXPECT_LT(record.archive.size(), 100u);
  Policy restored;
  ckpt::load_state(restored, record);
  EXPECT_EQ(restored, sample_policy());

  ckpt::ActorRecord all{.key = "all"};
  ckpt::save_state(AllTypes{}, all);
  EXPECT_EQ(all.arrays.size(), 12u);
  AllTypes restored_all;
  restored_all.i8.clear();
  restored_all.longs = {1, 2, 3};
  ckpt::load_state(restored_all, all);
  EXPECT_EQ(restored_all, AllTypes{});
}

TEST(H5Array, NativeRoundTripThroughAFile) {
  const checkpoint_test::SharedDirectory directory;
  Policy mine = sample_policy();
  mine.steps = static_cast<std::uint64_t>(checkpoint_test::rank());
  std::vector<ckpt::ActorRecord> records(1);
  records[0].key = "policy-" + std::to_string(checkpoint_test::rank());
  ckpt::save_state(mine, records[0]);
  const auto file =
      ckpt::write_checkpoint(MPI_COMM_WORLD, directory.path(), records, {.epoch = 1}, 1);
  for (int writer = 0; writer < checkpoint_test::ranks(); ++writer) {
    Policy restored;
    ckpt::load_state(restored, ckpt::read_actor(file, "policy-" + std::to_string(writer)), file);
    Policy expected = sample_policy();
    expected.steps = static_cast<std::uint64_t>(writer);
    EXPECT_EQ(restored, expected);
  }
}

TEST(H5Array, DimsThatDoNotHoldTheVectorAreRefused) {
  Policy wrong = sample_policy();
  wrong.cols = 4;
  try {
    static_cast<void>(serialized_size(wrong));
    ADD_FAILURE() << "saved 6 values as 2 x 4";
  } catch (const manta::InvalidOptionError& error) {
    EXPECT_STREQ(error.what(),
                 "h5_array 'weights': dims 2 x 4 hold 8 elements, but the vector has 6");
  }
  ckpt::ActorRecord record{.key = "policy", .class_name = "Policy"};
  try {
    ckpt::save_state(wrong, record);
    ADD_FAILURE() << "saved 6 values as 2 x 4";
  } catch (const manta::CheckpointError& error) {
    EXPECT_STREQ(error.what(),
                 "checkpoint, actor 'policy': cannot save its state (class Policy): h5_array "
                 "'weights': dims 2 x 4 hold 8 elements, but the vector has 6");
  }
}

TEST(H5Array, ArraysNeedDistinctUsableNames) {
  ckpt::ActorRecord record{.key = "twins"};
  try {
    ckpt::save_state(TwoArraysOneName{}, record);
    ADD_FAILURE() << "two arrays saved under one name";
  } catch (const manta::CheckpointError& error) {
    EXPECT_NE(std::string(error.what()).find("h5_array 'same' appears twice"), std::string::npos)
        << error.what();
  }
  // Inline, names do not matter: nothing is stored under them.
  EXPECT_NO_THROW(inline_round_trip(TwoArraysOneName{}));
}

TEST(H5Array, MissingArrayOnRestoreIsNamed) {
  ckpt::ActorRecord record{.key = "policy", .class_name = "Policy"};
  ckpt::save_state(sample_policy(), record);
  record.arrays.erase(record.arrays.begin());
  Policy restored;
  try {
    ckpt::load_state(restored, record, "/tmp/some-checkpoint.h5");
    ADD_FAILURE() << "restored without the weights";
  } catch (const manta::CheckpointError& error) {
    EXPECT_EQ(error.actor(), "policy");
    EXPECT_STREQ(error.what(),
                 "checkpoint '/tmp/some-checkpoint.h5', actor 'policy': cannot restore its state "
                 "(class Policy): h5_array 'weights' is missing from the checkpoint (the actor has "
                 "arrays 'bias')");
  }
}

TEST(H5Array, WrongElementTypeOrShapeOnRestore) {
  ckpt::ActorRecord record{.key = "policy", .class_name = "Policy"};
  ckpt::save_state(sample_policy(), record);
  ckpt::ActorRecord floats{.key = "floats"};
  ckpt::save_state(FloatPolicy{}, floats);

  // Native: the dataset's type and shape are checked against the load.
  Policy as_double;
  try {
    ckpt::load_state(as_double, floats);
    ADD_FAILURE();
  } catch (const manta::CheckpointError& error) {
    EXPECT_NE(std::string(error.what())
                  .find("h5_array 'weights' holds float32 values in the checkpoint, but is "
                        "loaded as float64"),
              std::string::npos)
        << error.what();
  }
  TransposedWeights transposed;
  try {
    ckpt::load_state(transposed, record);
    ADD_FAILURE();
  } catch (const manta::CheckpointError& error) {
    EXPECT_NE(std::string(error.what())
                  .find("h5_array 'weights' has shape 2 x 3 in the checkpoint, but is loaded as "
                        "3 x 2"),
              std::string::npos)
        << error.what();
  }

  // Inline: the same checks, from the type and shape saved beside the values.
  std::vector<std::byte> bytes(serialized_size(FloatPolicy{}));
  serialize_into(FloatPolicy{}, bytes);
  try {
    static_cast<void>(deserialize<Policy>(bytes));
    ADD_FAILURE();
  } catch (const manta::TypeMismatchError& error) {
    EXPECT_STREQ(error.what(), "h5_array 'weights' holds float32 values, but is loaded as float64");
  }
  const Policy policy = sample_policy();
  std::vector<std::byte> policy_bytes(serialized_size(policy));
  serialize_into(policy, policy_bytes);
  try {
    static_cast<void>(deserialize<TransposedWeights>(policy_bytes));
    ADD_FAILURE();
  } catch (const manta::TypeMismatchError& error) {
    EXPECT_STREQ(error.what(), "h5_array 'weights' has shape 2 x 3, but is loaded as 3 x 2");
  }
}

TEST(H5Array, NativeMarkerReadWithoutACheckpointIsExplained) {
  ckpt::ActorRecord record{.key = "policy"};
  ckpt::save_state(sample_policy(), record);
  // The archive alone, read outside a restore: its arrays are elsewhere.
  manta::detail::InputArchive archive(record.archive, ckpt::state_archive_flags);
  Policy restored;
  try {
    archive >> restored;
    ADD_FAILURE();
  } catch (const manta::Error& error) {
    EXPECT_NE(std::string(error.what())
                  .find("h5_array 'weights' was saved as a checkpoint dataset, but no checkpoint "
                        "is being restored on this thread"),
              std::string::npos)
        << error.what();
  }
}

TEST(H5Array, SinkAndSourceAreScopedToTheThreadAndTheCall) {
  ckpt::ActorRecord record{.key = "policy"};
  ckpt::save_state(sample_policy(), record);
  EXPECT_FALSE(manta::detail::h5_array_saving_natively());
  // After save_state, ordinary serialization is inline again.
  EXPECT_EQ(inline_round_trip(sample_policy()), sample_policy());
}

}  // namespace
