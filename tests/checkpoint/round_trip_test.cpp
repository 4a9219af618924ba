// State of many types through a real checkpoint file written by every rank together: each rank
// saves its actors, all write one file, and every rank restores every actor (its own and the
// other ranks') and compares it with what its writer saved.
#include "checkpoint/state.hpp"
#include "support.hpp"

#include <manta/h5_array.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <variant>
#include <vector>

namespace {

namespace ckpt = manta::checkpoint;
using checkpoint_test::rank;
using checkpoint_test::ranks;
using checkpoint_test::SharedDirectory;

struct Scalars {
  std::int8_t tiny = 0;
  std::int32_t count = 0;
  std::int64_t big = 0;
  std::uint64_t unsigned_big = 0;
  float ratio = 0;
  double value = 0;
  bool flag = false;
  char letter = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& tiny& count& big& unsigned_big& ratio& value& flag& letter;
  }
  bool operator==(const Scalars&) const = default;
};

struct Strings {
  std::string empty;
  std::string word;
  std::string unicode;
  std::string with_nul;
  std::vector<std::string> words;

  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& empty& word& unicode& with_nul& words;
  }
  bool operator==(const Strings&) const = default;
};

struct Nested {
  std::vector<std::vector<int>> matrix;
  std::map<std::string, std::vector<double>> series;
  std::set<int> seen;
  std::unordered_map<int, std::string> names;
  std::pair<int, std::string> pair;
  std::tuple<int, double, std::string> tuple;
  std::optional<std::vector<int>> maybe;
  std::optional<int> nothing;
  std::variant<int, std::string> choice;
  std::map<int, std::map<std::string, std::set<long>>> deep;

  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& matrix& series& seen& names& pair& tuple& maybe& nothing& choice& deep;
  }
  bool operator==(const Nested&) const = default;
};

/// 50 MB of doubles as a native dataset, and 50 MB of bytes inline in the archive.
struct Large {
  std::vector<double> weights;
  std::vector<std::uint8_t> blob;

  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& manta::h5_array("weights", weights);
    ar& blob;
  }
  bool operator==(const Large&) const = default;
};

struct Empty {
  template <class Archive>
  void serialize(Archive&, unsigned) {}
  bool operator==(const Empty&) const = default;
};

/// A class whose only state is an empty native array: a zero-length dataset.
struct EmptyArray {
  std::vector<float> values;
  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& manta::h5_array("values", values);
  }
  bool operator==(const EmptyArray&) const = default;
};

std::string key_of(int writer, int index) {
  return "r" + std::to_string(writer) + "-" + std::to_string(index);
}

/// Every rank saves actors_on(rank) actors made by make(rank, index), all write one checkpoint,
/// and every rank restores all actors of all ranks, both from read_actor's record and straight
/// from the file, and compares each with make(writer, index).
template <class T>
void round_trip(const std::function<T(int, int)>& make, const std::function<int(int)>& actors_on) {
  const SharedDirectory directory;
  std::vector<ckpt::ActorRecord> records;
  for (int index = 0; index < actors_on(rank()); ++index) {
    ckpt::ActorRecord record{.key = key_of(rank(), index), .class_name = "T"};
    ckpt::save_state(make(rank(), index), record);
    records.push_back(std::move(record));
  }
  const auto file = ckpt::write_checkpoint(MPI_COMM_WORLD, directory.path(), records,
                                           {.job_id = "round-trip", .epoch = 1}, 2);
  const ckpt::CheckpointIndex index = ckpt::read_index(file);
  std::size_t expected_actors = 0;
  for (int writer = 0; writer < ranks(); ++writer) {
    for (int i = 0; i < actors_on(writer); ++i) {
      ASSERT_LT(expected_actors, index.actors.size());
      const ckpt::ActorSummary& summary = index.actors[expected_actors++];
      EXPECT_EQ(summary.key, key_of(writer, i));
      EXPECT_EQ(summary.writer_rank, writer);
      const T expected = make(writer, i);
      T loaded{};
      ckpt::load_state(loaded, ckpt::read_actor(file, summary.key), file);
      EXPECT_TRUE(loaded == expected) << "actor " << summary.key << " through read_actor";
      T restored{};
      ckpt::restore_state(restored, file, summary.key);
      EXPECT_TRUE(restored == expected) << "actor " << summary.key << " through restore_state";
    }
  }
  EXPECT_EQ(index.actors.size(), expected_actors);
}

int one_actor(int) { return 1; }

TEST(CheckpointRoundTrip, Scalars) {
  round_trip<Scalars>(
      [](int writer, int) {
        return Scalars{.tiny = static_cast<std::int8_t>(-writer - 1),
                       .count = 42 + writer,
                       .big = -(std::int64_t{1} << 40) - writer,
                       .unsigned_big = ~std::uint64_t{0} - static_cast<std::uint64_t>(writer),
                       .ratio = 0.5f * static_cast<float>(writer),
                       .value = 3.14159 + writer,
                       .flag = writer % 2 == 0,
                       .letter = static_cast<char>('a' + writer)};
      },
      one_actor);
}

TEST(CheckpointRoundTrip, Strings) {
  round_trip<Strings>(
      [](int writer, int) {
        return Strings{.empty = "",
                       .word = "rank " + std::to_string(writer),
                       .unicode = "état 状態 🙂",
                       .with_nul = std::string("a\0b", 3),
                       .words = {"", "x", std::string(1000, static_cast<char>('a' + writer))}};
      },
      one_actor);
}

TEST(CheckpointRoundTrip, NestedContainers) {
  round_trip<Nested>(
      [](int writer, int index) {
        Nested state;
        state.matrix = {{1, 2, 3}, {}, {writer, index}};
        state.series = {{"loss", {0.5, 0.25, 0.125}}, {"empty", {}}};
        state.seen = {writer, 7, -1};
        state.names = {{1, "one"}, {writer + 10, "rank"}};
        state.pair = {writer, "pair"};
        state.tuple = {index, 2.5, "tuple"};
        state.maybe = std::vector<int>{writer, writer};
        state.choice = writer % 2 == 0 ? std::variant<int, std::string>(writer)
                                       : std::variant<int, std::string>("odd");
        state.deep[writer]["x"] = {1L, 2L, static_cast<long>(index)};
        return state;
      },
      [](int) { return 3; });
}

TEST(CheckpointRoundTrip, FiftyMegabyteArrays) {
  constexpr std::size_t bytes = 50'000'000;
  round_trip<Large>(
      [](int writer, int) {
        Large state;
        state.weights.resize(bytes / sizeof(double));
        for (std::size_t i = 0; i < state.weights.size(); ++i) {
          state.weights[i] = static_cast<double>(i) * 0.5 + writer;
        }
        state.blob.resize(bytes);
        for (std::size_t i = 0; i < bytes; ++i) {
          state.blob[i] = static_cast<std::uint8_t>(i * 7 + static_cast<std::size_t>(writer));
        }
        return state;
      },
      one_actor);
}

TEST(CheckpointRoundTrip, EmptyState) {
  round_trip<Empty>([](int, int) { return Empty{}; }, one_actor);
  round_trip<EmptyArray>([](int, int) { return EmptyArray{}; }, one_actor);
}

TEST(CheckpointRoundTrip, UnevenActorsPerRank) {
  // 1 rank: 2 actors; 2 ranks: 2 and 0; 4 ranks: 2, 0, 4 and 5.
  round_trip<Scalars>([](int writer, int index) { return Scalars{.count = writer * 100 + index}; },
                      [](int writer) { return writer == 1 ? 0 : writer + 2; });
}

TEST(CheckpointRoundTrip, NoActorsAnywhere) {
  const SharedDirectory directory;
  const auto file = ckpt::write_checkpoint(MPI_COMM_WORLD, directory.path(), {},
                                           {.job_id = "none", .epoch = 3}, 1);
  EXPECT_EQ(file, ckpt::checkpoint_path(directory.path(), 3));
  const auto index = ckpt::read_index(file);
  EXPECT_TRUE(index.actors.empty());
  EXPECT_EQ(index.info.epoch, 3u);
  EXPECT_NO_THROW(ckpt::verify_checkpoint(file));
}

TEST(CheckpointRoundTrip, FileAndActorAttributes) {
  const SharedDirectory directory;
  const auto given = checkpoint_test::write_samples(directory.path(), 7, 2);
  const auto index = ckpt::read_index(given);
  EXPECT_EQ(given.filename(), "checkpoint-00000007.h5");
  EXPECT_EQ(index.path, given);
  EXPECT_EQ(index.format_version, 1);
  EXPECT_EQ(index.ranks, ranks());
  EXPECT_EQ(index.info.job_id, "test");
  EXPECT_EQ(index.info.epoch, 7u);
  EXPECT_TRUE(std::regex_match(index.info.time, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << index.info.time;
  ASSERT_EQ(index.actors.size(), static_cast<std::size_t>(2 * ranks()));
  for (int writer = 0; writer < ranks(); ++writer) {
    for (int i = 0; i < 2; ++i) {
      const auto expected = checkpoint_test::sample_record(writer, i);
      const auto& summary = index.actors[static_cast<std::size_t>(2 * writer + i)];
      EXPECT_EQ(summary.key, expected.key);
      EXPECT_EQ(summary.class_name, "Sample");
      EXPECT_EQ(summary.name, expected.name);
      EXPECT_EQ(summary.sequence, expected.sequence);
      EXPECT_EQ(summary.resources, "num_cpus=1");
      EXPECT_EQ(summary.writer_rank, writer);
      EXPECT_EQ(summary.state_bytes, 40u);
      ASSERT_EQ(summary.arrays.size(), 1u);
      EXPECT_EQ(summary.arrays[0].name, "weights");
      EXPECT_EQ(summary.arrays[0].type, ckpt::ElementType::float64);
      EXPECT_EQ(summary.arrays[0].dims, (std::vector<std::uint64_t>{2, 3}));
      const auto record = ckpt::read_actor(given, expected.key);
      EXPECT_EQ(record.archive, expected.archive);
      ASSERT_EQ(record.arrays.size(), 1u);
      EXPECT_EQ(record.arrays[0].bytes, expected.arrays[0].bytes);
    }
  }

  // A time given by the caller is written as given; rank 0's info wins.
  const auto timed = ckpt::write_checkpoint(
      MPI_COMM_WORLD, directory.path(), {},
      {.job_id = "job-" + std::to_string(rank()), .epoch = 8, .time = "2026-01-02T03:04:05Z"}, 5);
  const auto timed_index = ckpt::read_index(timed);
  EXPECT_EQ(timed_index.info.time, "2026-01-02T03:04:05Z");
  EXPECT_EQ(timed_index.info.job_id, "job-0");
}

TEST(CheckpointRoundTrip, EveryElementTypeAndShape) {
  const SharedDirectory directory;
  const ckpt::ElementType types[] = {ckpt::ElementType::int8,    ckpt::ElementType::uint8,
                                     ckpt::ElementType::int16,   ckpt::ElementType::uint16,
                                     ckpt::ElementType::int32,   ckpt::ElementType::uint32,
                                     ckpt::ElementType::int64,   ckpt::ElementType::uint64,
                                     ckpt::ElementType::float32, ckpt::ElementType::float64};
  const auto make = [&](int writer) {
    ckpt::ActorRecord record{.key = "typed-" + std::to_string(writer)};
    for (const auto type : types) {
      const std::vector<std::uint64_t> dims = {2, 3, static_cast<std::uint64_t>(writer + 1)};
      ckpt::NativeArray array{
          .name = std::string(manta::detail::element_type_name(type)), .type = type, .dims = dims};
      array.bytes.resize(6 * static_cast<std::size_t>(writer + 1) *
                         manta::detail::element_size(type));
      for (std::size_t i = 0; i < array.bytes.size(); ++i) {
        array.bytes[i] = static_cast<std::byte>(i * 13 + static_cast<std::size_t>(writer));
      }
      record.arrays.push_back(std::move(array));
    }
    return record;
  };
  const std::vector<ckpt::ActorRecord> mine = {make(rank())};
  const auto file = ckpt::write_checkpoint(MPI_COMM_WORLD, directory.path(), mine, {.epoch = 1}, 1);
  for (int writer = 0; writer < ranks(); ++writer) {
    const auto expected = make(writer);
    const auto record = ckpt::read_actor(file, expected.key);
    ASSERT_EQ(record.arrays.size(), expected.arrays.size());
    for (std::size_t a = 0; a < expected.arrays.size(); ++a) {
      EXPECT_EQ(record.arrays[a].name, expected.arrays[a].name);
      EXPECT_EQ(record.arrays[a].type, expected.arrays[a].type);
      EXPECT_EQ(record.arrays[a].dims, expected.arrays[a].dims);
      EXPECT_EQ(record.arrays[a].bytes, expected.arrays[a].bytes);
    }
  }
}

TEST(CheckpointRoundTrip, ReadingAnActorTheFileLacksNamesIt) {
  const SharedDirectory directory;
  const auto file = checkpoint_test::write_samples(directory.path(), 1);
  try {
    ckpt::read_actor(file, "ghost");
    FAIL() << "read_actor found an actor that was never written";
  } catch (const manta::CheckpointError& error) {
    EXPECT_EQ(std::filesystem::path(error.file()), file);
    EXPECT_EQ(error.actor(), "ghost");
    EXPECT_NE(std::string(error.what())
                  .find("no such actor in the file (it holds " + std::to_string(ranks()) +
                        ": rank0-actor0"),
              std::string::npos)
        << error.what();
  }
}

/// Runs a collective write expected to fail, and checks that every rank throws the same error
/// naming `actor` and containing `problem`, and that nothing is left in the directory.
void expect_write_fails_everywhere(const SharedDirectory& directory,
                                   const std::vector<ckpt::ActorRecord>& mine,
                                   const std::string& actor, const std::string& problem) {
  try {
    ckpt::write_checkpoint(MPI_COMM_WORLD, directory.path(), mine, {.epoch = 4}, 1);
    ADD_FAILURE() << "the write succeeded";
  } catch (const manta::CheckpointError& error) {
    EXPECT_EQ(error.actor(), actor);
    EXPECT_NE(std::string(error.what()).find(problem), std::string::npos) << error.what();
    EXPECT_EQ(std::filesystem::path(error.file()), ckpt::checkpoint_path(directory.path(), 4));
  }
  checkpoint_test::barrier();
  std::error_code ignored;
  EXPECT_TRUE(std::filesystem::is_empty(directory.path(), ignored) || ignored);
}

TEST(CheckpointRoundTrip, DuplicateKeysFailOnEveryRank) {
  const SharedDirectory directory;
  std::vector<ckpt::ActorRecord> mine;
  // 1 rank: two records share a key; more ranks: the last rank reuses rank 0's key.
  if (rank() == 0) mine.push_back({.key = "same"});
  if (rank() == ranks() - 1) mine.push_back({.key = "same"});
  const std::string ranks_text =
      ranks() == 1 ? "ranks 0 and 0" : "ranks 0 and " + std::to_string(ranks() - 1);
  expect_write_fails_everywhere(directory, mine, "same",
                                "two actors have this key (on " + ranks_text + ")");
}

TEST(CheckpointRoundTrip, InvalidRecordFailsOnEveryRankNamingIt) {
  const SharedDirectory directory;
  std::vector<ckpt::ActorRecord> mine = {checkpoint_test::sample_record(rank(), 0)};
  if (rank() == ranks() - 1) mine[0].arrays[0].bytes.pop_back();
  expect_write_fails_everywhere(
      directory, mine, "rank" + std::to_string(ranks() - 1) + "-actor0",
      "rank " + std::to_string(ranks() - 1) +
          ": array 'weights' holds 47 bytes, but 2 x 3 float64 values take 48");
}

TEST(CheckpointRoundTrip, BadNamesAreRefused) {
  const SharedDirectory directory;
  std::vector<ckpt::ActorRecord> slash = {{.key = "a/b"}};
  expect_write_fails_everywhere(directory, slash, "a/b", "is not a usable HDF5 group name");
  std::vector<ckpt::ActorRecord> reserved = {checkpoint_test::sample_record(rank(), 0)};
  reserved[0].arrays[0].name = "state";
  // Every rank's record is refused; the lowest rank's error is the one every rank reports.
  expect_write_fails_everywhere(directory, reserved, "rank0-actor0",
                                "rank 0: array name 'state' is taken by the actor's archive");
}

}  // namespace
