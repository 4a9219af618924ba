// Checkpoints through the runtime: handle.checkpoint(), checkpoint_all, checkpoint policies, and
// restarts that restore named actors, from a directory or a file, past damaged files.
#include "test_support.hpp"

#include <manta/checkpoint.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/serialization/map.hpp>
#include <boost/serialization/optional.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class Tally {
 public:
  int add(int amount) { return total_ += amount; }
  int total() const { return total_; }
  /// Takes `ms` milliseconds, with `busy_` set meanwhile: a checkpoint must never see it set.
  int slow_add(int ms) {
    busy_ = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    busy_ = false;
    return ++total_;
  }
  bool busy() const { return busy_; }

  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& total_& busy_;
  }

 private:
  int total_ = 0;
  bool busy_ = false;
};
MANTA_ACTOR(Tally, add, total, slow_add, busy);

/// State of many kinds, to go through a checkpoint and back.
class Journal {
 public:
  void fill(int seed) {
    title_ = "journal " + std::to_string(seed) + " \xce\xbb";  // not only ASCII
    scores_["alpha"] = {1.5 * seed, -2.0};
    scores_["beta"] = {};
    grid_ = {{seed}, {}, {1, 2, 3}};
    maybe_ = seed;
    weights_.resize(1 << 20);
    for (std::size_t i = 0; i < weights_.size(); ++i) weights_[i] = float(i % 1000) * 0.5f + seed;
  }
  /// Everything, as text: equal digests mean equal states.
  std::string digest() const {
    std::string text = title_ + "|";
    for (const auto& [key, values] : scores_) {
      text += key + ":";
      for (double value : values) text += std::to_string(value) + ",";
    }
    for (const auto& row : grid_) text += std::to_string(row.size()) + ";";
    text += maybe_ ? std::to_string(*maybe_) : "none";
    double sum = 0;
    for (float weight : weights_) sum += weight;
    return text + "|" + std::to_string(weights_.size()) + "|" + std::to_string(sum);
  }

  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& title_& scores_& grid_& maybe_& manta::h5_array("weights", weights_);
  }

 private:
  std::string title_;
  std::map<std::string, std::vector<double>> scores_;
  std::vector<std::vector<int>> grid_;
  std::optional<int> maybe_;
  std::vector<float> weights_;
};
MANTA_ACTOR(Journal, fill, digest);

/// No serialize member: not checkpointable.
class Opaque {
 public:
  int get() const { return 7; }
};
MANTA_ACTOR(Opaque, get);

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    directory_ = fs::path(::testing::TempDir()) /
                 ("manta-" + std::string(test->name()) + "-" + std::to_string(getpid()));
    fs::remove_all(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  manta::RuntimeOptions with_directory() const {
    auto options = manta_test::runtime_options(2);
    options.checkpoint_directory = directory_.string();
    return options;
  }

  template <class T>
  static manta::ActorHandle<T> named(const std::string& name, manta::ActorOptions options = {}) {
    options.name = name;
    options.get_if_exists = true;
    return manta::actor<T>().options(options).remote();
  }

  /// Waits (up to 20 s) until the directory holds a checkpoint file.
  void wait_for_a_checkpoint() const {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (fs::exists(directory_) && !fs::is_empty(directory_)) {
        for (const auto& entry : fs::directory_iterator(directory_)) {
          if (entry.path().extension() == ".h5") return;
        }
      }
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "no checkpoint appeared in " << directory_;
  }

  fs::path directory_;
};

TEST_F(CheckpointTest, CheckpointAllWritesEveryActorAndARestartRestoresNamedOnes) {
  fs::path file;
  {
    manta::Runtime runtime(with_directory());
    EXPECT_FALSE(manta::restored_checkpoint());
    auto kept = named<Tally>("kept");
    auto unnamed = manta::actor<Tally>().remote();
    kept.call(&Tally::add).remote(3);
    unnamed.call(&Tally::add).remote(2);
    manta::get(unnamed.call(&Tally::total).remote());
    manta::get(kept.call(&Tally::total).remote());
    file = manta::checkpoint_all();
    EXPECT_EQ(file, fs::absolute(directory_) / "checkpoint-00000001.h5");
    EXPECT_TRUE(fs::exists(file));
  }
  manta::Runtime runtime(with_directory());
  EXPECT_EQ(manta::restored_checkpoint(), file);
  EXPECT_EQ(manta::get(named<Tally>("kept").call(&Tally::total).remote()), 3);
  // Unnamed actors have no identity across runs: a new one starts afresh.
  EXPECT_EQ(manta::get(manta::actor<Tally>().remote().call(&Tally::total).remote()), 0);
}

TEST_F(CheckpointTest, HandleCheckpointHoldsTheCallsMadeBeforeIt) {
  std::string file;
  {
    manta::Runtime runtime(with_directory());
    auto tally = named<Tally>("tally");
    for (int i = 0; i < 5; ++i) tally.call(&Tally::add).remote(1);
    auto written = tally.checkpoint();
    for (int i = 0; i < 5; ++i) tally.call(&Tally::add).remote(100);
    file = manta::get(written);
    EXPECT_EQ(manta::get(tally.call(&Tally::total).remote()), 505);
  }
  auto options = manta_test::runtime_options(2);
  options.restore = file;
  manta::Runtime runtime(options);
  EXPECT_EQ(manta::restored_checkpoint(), fs::path(file));
  EXPECT_EQ(manta::get(named<Tally>("tally").call(&Tally::total).remote()), 5);
}

TEST_F(CheckpointTest, CheckpointWithoutADirectoryNamesTheFlag) {
  manta::Runtime runtime(manta_test::runtime_options(2));
  auto tally = manta::actor<Tally>().remote();
  try {
    manta::get(tally.checkpoint());
    ADD_FAILURE() << "no directory, yet the checkpoint succeeded";
  } catch (const manta::InvalidOptionError& error) {
    EXPECT_NE(std::string(error.what()).find("--checkpoint-dir"), std::string::npos)
        << error.what();
  }
  EXPECT_THROW(manta::checkpoint_all(), manta::InvalidOptionError);
}

TEST_F(CheckpointTest, ClassWithoutSerializeCannotBeCheckpointed) {
  manta::Runtime runtime(with_directory());
  auto opaque = manta::actor<Opaque>().remote();
  try {
    manta::get(opaque.checkpoint());
    ADD_FAILURE() << "an actor without serialize was checkpointed";
  } catch (const manta::InvalidOptionError& error) {
    EXPECT_NE(std::string(error.what()).find("class Opaque has no serialize member"),
              std::string::npos)
        << error.what();
  }
  try {
    manta::actor<Opaque>().options({.checkpoint_every_calls = 2}).remote();
    ADD_FAILURE() << "a checkpoint policy was accepted for a class without serialize";
  } catch (const manta::InvalidOptionError& error) {
    EXPECT_NE(std::string(error.what()).find("no serialize member"), std::string::npos);
  }
  // Checkpoints of the job skip it, and still hold the others.
  named<Tally>("other").call(&Tally::add).remote(4);
  EXPECT_TRUE(fs::exists(manta::checkpoint_all()));
}

TEST_F(CheckpointTest, PolicyNeedsADirectory) {
  manta::Runtime runtime(manta_test::runtime_options(2));
  EXPECT_THROW(manta::actor<Tally>().options({.checkpoint_every_calls = 2}).remote(),
               manta::InvalidOptionError);
  EXPECT_THROW(manta::actor<Tally>().options({.checkpoint_every = 1s}).remote(),
               manta::InvalidOptionError);
}

TEST_F(CheckpointTest, EveryNCallsPolicyCheckpoints) {
  {
    manta::Runtime runtime(with_directory());
    auto tally = named<Tally>("policy", {.checkpoint_every_calls = 4});
    for (int i = 0; i < 7; ++i) tally.call(&Tally::add).remote(1);
    EXPECT_EQ(manta::get(tally.call(&Tally::total).remote()), 7);
    wait_for_a_checkpoint();
  }
  manta::Runtime runtime(with_directory());
  const int restored = manta::get(named<Tally>("policy").call(&Tally::total).remote());
  EXPECT_GE(restored, 4);  // taken once 4 calls were done, or later
  EXPECT_LE(restored, 7);
}

TEST_F(CheckpointTest, TimePolicyCheckpointsAnIdleActor) {
  {
    manta::Runtime runtime(with_directory());
    auto tally = named<Tally>("timed", {.checkpoint_every = 50ms});
    EXPECT_EQ(manta::get(tally.call(&Tally::add).remote(9)), 9);
    wait_for_a_checkpoint();  // the actor is idle: the checkpointer notices on its own
  }
  manta::Runtime runtime(with_directory());
  EXPECT_EQ(manta::get(named<Tally>("timed").call(&Tally::total).remote()), 9);
}

TEST_F(CheckpointTest, StateIsTakenBetweenCallsNeverDuringOne) {
  {
    manta::Runtime runtime(with_directory());
    auto tally = named<Tally>("slow");
    auto done = tally.call(&Tally::slow_add).remote(300);
    std::this_thread::sleep_for(50ms);  // most likely inside slow_add by now; correct either way
    manta::checkpoint_all();
    EXPECT_EQ(manta::get(done), 1);
  }
  manta::Runtime runtime(with_directory());
  auto tally = named<Tally>("slow");
  EXPECT_FALSE(manta::get(tally.call(&Tally::busy).remote()));
}

TEST_F(CheckpointTest, ManyKindsOfStateRoundTrip) {
  std::string before;
  {
    manta::Runtime runtime(with_directory());
    auto journal = named<Journal>("journal");
    journal.call(&Journal::fill).remote(42);
    before = manta::get(journal.call(&Journal::digest).remote());
    manta::checkpoint_all();
  }
  manta::Runtime runtime(with_directory());
  EXPECT_EQ(manta::get(named<Journal>("journal").call(&Journal::digest).remote()), before);
}

TEST_F(CheckpointTest, DamagedNewestCheckpointGivesWayToThePreviousOne) {
  fs::path first;
  {
    manta::Runtime runtime(with_directory());
    auto tally = named<Tally>("tally");
    EXPECT_EQ(manta::get(tally.call(&Tally::add).remote(1)), 1);
    first = manta::checkpoint_all();
    EXPECT_EQ(manta::get(tally.call(&Tally::add).remote(1)), 2);
    const fs::path second = manta::checkpoint_all();
    EXPECT_NE(first, second);
    fs::resize_file(second, fs::file_size(second) / 2);  // a write cut short by a node failure
  }
  manta::Runtime runtime(with_directory());
  EXPECT_EQ(manta::restored_checkpoint(), first);
  EXPECT_EQ(manta::get(named<Tally>("tally").call(&Tally::total).remote()), 1);
}

TEST_F(CheckpointTest, RestoringADamagedFileWithNothingBeforeItFailsToStart) {
  fs::path file;
  {
    manta::Runtime runtime(with_directory());
    named<Tally>("tally").call(&Tally::add).remote(1);
    file = manta::checkpoint_all();
  }
  fs::resize_file(file, 100);
  auto options = manta_test::runtime_options(2);
  options.restore = file.string();
  try {
    manta::Runtime runtime(options);
    ADD_FAILURE() << "started from a damaged checkpoint";
  } catch (const manta::Error& error) {
    EXPECT_NE(std::string(error.what()).find(file.string()), std::string::npos) << error.what();
  }
}

TEST_F(CheckpointTest, NameTakenByAnotherClassInTheCheckpointKillsTheActor) {
  {
    manta::Runtime runtime(with_directory());
    EXPECT_EQ(manta::get(named<Tally>("shared-name").call(&Tally::add).remote(1)), 1);
    manta::checkpoint_all();
  }
  manta::Runtime runtime(with_directory());
  auto journal = named<Journal>("shared-name");
  try {
    manta::get(journal.call(&Journal::digest).remote());
    ADD_FAILURE() << "a Journal was restored from a Tally's state";
  } catch (const manta::ActorDiedError& error) {
    EXPECT_NE(std::string(error.what()).find("holds a Tally of this name, not a Journal"),
              std::string::npos)
        << error.what();
  }
}

TEST_F(CheckpointTest, RestoredActorsNotYetCreatedAreKeptInNewCheckpoints) {
  {
    manta::Runtime runtime(with_directory());
    EXPECT_EQ(manta::get(named<Tally>("early").call(&Tally::add).remote(4)), 4);
    EXPECT_EQ(manta::get(named<Tally>("late").call(&Tally::add).remote(9)), 9);
    manta::checkpoint_all();
  }
  {
    // A restart that checkpoints (a policy, a signal) before the driver re-creates "late", more
    // often than the directory keeps files: the file it was restored from is rotated away.
    auto options = with_directory();
    options.checkpoint_keep = 2;
    manta::Runtime runtime(options);
    EXPECT_EQ(manta::get(named<Tally>("early").call(&Tally::add).remote(1)), 5);
    for (int i = 0; i < 3; ++i) manta::checkpoint_all();
    EXPECT_FALSE(fs::exists(directory_ / "checkpoint-00000001.h5"));
  }
  manta::Runtime runtime(with_directory());
  EXPECT_EQ(manta::get(named<Tally>("early").call(&Tally::total).remote()), 5);
  EXPECT_EQ(manta::get(named<Tally>("late").call(&Tally::total).remote()), 9);
}

TEST_F(CheckpointTest, RotationKeepsTheLastK) {
  auto options = with_directory();
  options.checkpoint_keep = 2;
  manta::Runtime runtime(options);
  named<Tally>("tally").call(&Tally::add).remote(1);
  for (int i = 0; i < 4; ++i) manta::checkpoint_all();
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory_)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"checkpoint-00000003.h5", "checkpoint-00000004.h5"}));
}

}  // namespace
