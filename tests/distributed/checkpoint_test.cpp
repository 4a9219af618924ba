// Checkpoints of a job on many ranks: every rank writes the actors it hosts into one file, a
// handle checkpoints an actor on another rank, any rank may ask for a checkpoint, and policies
// travel with the actors they belong to. The files are read back with the checkpoint layer.
// Run with --checkpoint-dir (a fresh directory); rank 0 is the driver.
#include "checkpoint/checkpoint.hpp"
#include "checkpoint/state.hpp"

#include <manta/checkpoint.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
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
  int host() const { return manta::rank(); }

  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& total_;
  }

 private:
  int total_ = 0;
};
MANTA_ACTOR(Tally, add, total, host);

std::string checkpoint_from_a_task() { return manta::checkpoint_all().string(); }
MANTA_REMOTE(checkpoint_from_a_task);

manta::ActorHandle<Tally> tally_on(int rank, const std::string& name,
                                   manta::ActorOptions options = {}) {
  options.name = name;
  options.rank = rank;
  return manta::actor<Tally>().options(options).remote();
}

const manta::checkpoint::ActorSummary* find(const manta::checkpoint::CheckpointIndex& index,
                                            const std::string& key) {
  for (const auto& actor : index.actors) {
    if (actor.key == key) return &actor;
  }
  return nullptr;
}

TEST(JobCheckpoint, EveryRankWritesTheActorsItHosts) {
  const int ranks = manta::world_size();
  for (int rank = 0; rank < ranks; ++rank) {
    auto tally = tally_on(rank, "every-" + std::to_string(rank));
    EXPECT_EQ(manta::get(tally.call(&Tally::add).remote(rank + 1)), rank + 1);
    EXPECT_EQ(manta::get(tally.call(&Tally::host).remote()), rank);
  }
  const fs::path file = manta::checkpoint_all();
  const auto index = manta::checkpoint::read_index(file);
  EXPECT_EQ(index.ranks, ranks);
  for (int rank = 0; rank < ranks; ++rank) {
    const auto* actor = find(index, "every-" + std::to_string(rank));
    ASSERT_NE(actor, nullptr) << "every-" << rank << " is not in " << file;
    EXPECT_EQ(actor->writer_rank, rank);
    EXPECT_EQ(actor->class_name, "Tally");
    EXPECT_EQ(actor->name, "every-" + std::to_string(rank));
    EXPECT_EQ(actor->sequence, 2u);  // add and host
    Tally restored;
    manta::checkpoint::restore_state(restored, file, actor->key);
    EXPECT_EQ(restored.total(), rank + 1);
  }
}

TEST(JobCheckpoint, HandleCheckpointsAnActorOnAnotherRank) {
  const int last = manta::world_size() - 1;
  auto tally = tally_on(last, "remote-handle");
  tally.call(&Tally::add).remote(5);
  tally.call(&Tally::add).remote(5);
  auto written = tally.checkpoint();
  tally.call(&Tally::add).remote(1000);  // after the checkpoint: not in its state
  const std::string file = manta::get(written);
  ASSERT_TRUE(fs::exists(file)) << file;
  const auto record = manta::checkpoint::read_actor(file, "remote-handle");
  EXPECT_EQ(record.sequence, 2u);
  Tally restored;
  manta::checkpoint::load_state(restored, record, file);
  EXPECT_EQ(restored.total(), 10);
  EXPECT_EQ(manta::get(tally.call(&Tally::total).remote()), 1010);
}

TEST(JobCheckpoint, AnyRankMayAskAndConcurrentRequestsAllComplete) {
  const int ranks = manta::world_size();
  EXPECT_EQ(manta::get(tally_on(ranks - 1, "concurrent").call(&Tally::add).remote(3)), 3);
  std::vector<manta::ObjectRef<std::string>> files;
  for (int i = 0; i < 2 * ranks; ++i) {
    files.push_back(manta::task(checkpoint_from_a_task).options({.rank = i % ranks}).remote());
  }
  std::set<std::string> distinct;
  for (const auto& file : manta::get(files)) {
    EXPECT_TRUE(fs::exists(file) || !distinct.empty()) << file;  // rotation may remove old ones
    distinct.insert(file);
  }
  EXPECT_GE(distinct.size(), 1u);
  EXPECT_LE(distinct.size(), files.size());  // rounds are shared by the requests they satisfy
  const auto newest =
      manta::checkpoint::list_checkpoints(fs::path(*distinct.rbegin()).parent_path());
  ASSERT_FALSE(newest.empty());
  const auto index = manta::checkpoint::read_index(newest.back());
  EXPECT_NE(find(index, "concurrent"), nullptr);
}

TEST(JobCheckpoint, PolicyTravelsWithAnActorPlacedElsewhere) {
  const int last = manta::world_size() - 1;
  auto tally = tally_on(last, "policy-remote", {.checkpoint_every_calls = 3});
  for (int i = 0; i < 3; ++i) tally.call(&Tally::add).remote(2);
  EXPECT_EQ(manta::get(tally.call(&Tally::total).remote()), 6);
  const fs::path directory = manta::options().checkpoint_directory;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  std::uint64_t sequence = 0;
  while (sequence < 3 && std::chrono::steady_clock::now() < deadline) {
    const auto files = manta::checkpoint::list_checkpoints(directory);
    if (!files.empty()) {
      const auto index = manta::checkpoint::read_index(files.back());
      if (const auto* actor = find(index, "policy-remote")) sequence = actor->sequence;
    }
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GE(sequence, 3u) << "no checkpoint after 3 calls of an every-3-calls actor";
}

TEST(JobCheckpoint, ActorOnAnotherRankIsKilledAndRestartedFromItsCheckpoint) {
  const int last = manta::world_size() - 1;
  auto tally = tally_on(last, "killed-remote", {.max_restarts = 1});
  tally.call(&Tally::add).remote(5);
  manta::get(tally.checkpoint());
  EXPECT_EQ(manta::get(tally.call(&Tally::add).remote(3)), 8);
  manta::kill(tally, true);
  EXPECT_EQ(manta::get(tally.call(&Tally::total).remote()), 5);
  EXPECT_EQ(manta::get(tally.call(&Tally::host).remote()), last);
  manta::kill(tally);
  try {
    manta::get(tally.call(&Tally::total).remote());
    ADD_FAILURE() << "a killed actor answered";
  } catch (const manta::ActorDiedError& error) {
    EXPECT_NE(std::string(error.what()).find("killed by manta::kill"), std::string::npos)
        << error.what();
  }
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  int status = 0;
  {
    manta::Runtime runtime(manta::parse_options(argc, argv));
    if (manta::options().checkpoint_directory.empty()) {
      std::fprintf(stderr, "run with --checkpoint-dir DIR (a fresh directory)\n");
      status = 2;
    } else if (manta::rank() == 0) {
      status = RUN_ALL_TESTS();
    }
  }
  return status;
}
