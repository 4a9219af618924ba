// Rotation and the directory: the last K checkpoints stay, temporary files of interrupted writes
// go, a write that fails leaves nothing, and epochs continue from the newest file.
#include "support.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>

namespace {

namespace ckpt = manta::checkpoint;
namespace fs = std::filesystem;
using checkpoint_test::barrier;
using checkpoint_test::rank;
using checkpoint_test::SharedDirectory;

std::vector<fs::path> paths(const fs::path& directory,
                            std::initializer_list<std::uint64_t> epochs) {
  std::vector<fs::path> files;
  for (const auto epoch : epochs) files.push_back(ckpt::checkpoint_path(directory, epoch));
  return files;
}

TEST(CheckpointRotation, KeepsExactlyTheLastK) {
  const SharedDirectory directory;
  for (std::uint64_t epoch = 1; epoch <= 6; ++epoch) {
    checkpoint_test::write_samples(directory.path(), epoch, 1, /*keep_last=*/3);
    barrier();
    EXPECT_EQ(ckpt::list_checkpoints(directory.path()).size(), std::min<std::uint64_t>(epoch, 3));
  }
  EXPECT_EQ(ckpt::list_checkpoints(directory.path()), paths(directory.path(), {4, 5, 6}));
  for (const auto& file : ckpt::list_checkpoints(directory.path())) {
    EXPECT_NO_THROW(ckpt::verify_checkpoint(file));
  }
  checkpoint_test::write_samples(directory.path(), 7, 1, /*keep_last=*/1);
  barrier();
  EXPECT_EQ(ckpt::list_checkpoints(directory.path()), paths(directory.path(), {7}));
  // Everything in the directory is accounted for: no temporary file is left.
  EXPECT_EQ(std::distance(fs::directory_iterator(directory.path()), fs::directory_iterator()), 1);
}

TEST(CheckpointRotation, EpochsOrderNumericallyNotByName) {
  const SharedDirectory directory;
  checkpoint_test::write_samples(directory.path(), 99'999'999, 1, 2);
  checkpoint_test::write_samples(directory.path(), 100'000'000, 1, 2);
  checkpoint_test::write_samples(directory.path(), 100'000'001, 1, 2);
  barrier();
  EXPECT_EQ(ckpt::list_checkpoints(directory.path()),
            paths(directory.path(), {100'000'000, 100'000'001}));
  EXPECT_EQ(ckpt::next_epoch(directory.path()), 100'000'002u);
}

TEST(CheckpointRotation, TemporaryFileOfAnInterruptedWriteIsDeleted) {
  const SharedDirectory directory;
  checkpoint_test::write_samples(directory.path(), 1);
  const fs::path interrupted = ckpt::checkpoint_path(directory.path(), 2).concat(".tmp");
  if (rank() == 0) std::ofstream(interrupted) << "half a file";
  barrier();
  checkpoint_test::write_samples(directory.path(), 3);
  barrier();
  EXPECT_FALSE(fs::exists(interrupted));
  EXPECT_EQ(ckpt::list_checkpoints(directory.path()), paths(directory.path(), {1, 3}));
}

TEST(CheckpointRotation, CreatesMissingDirectories) {
  const SharedDirectory directory;
  const fs::path nested = directory.path() / "job" / "checkpoints";
  const auto file = checkpoint_test::write_samples(nested, 1);
  EXPECT_EQ(file, nested / "checkpoint-00000001.h5");
  EXPECT_NO_THROW(ckpt::verify_checkpoint(file));
}

TEST(CheckpointRotation, FailedWriteThrowsOnEveryRankAndLeavesNothing) {
  const SharedDirectory directory;
  const fs::path blocked = directory.path() / "not-a-directory";
  if (rank() == 0) std::ofstream(blocked) << "a file where the directory should be";
  barrier();
  try {
    checkpoint_test::write_samples(blocked / "checkpoints", 1);
    ADD_FAILURE() << "wrote into a path under a regular file";
  } catch (const manta::CheckpointError& error) {
    EXPECT_EQ(fs::path(error.file()), blocked / "checkpoints" / "checkpoint-00000001.h5");
    EXPECT_NE(std::string(error.what()).find("Not a directory"), std::string::npos) << error.what();
  }
  barrier();
  EXPECT_EQ(std::distance(fs::directory_iterator(directory.path()), fs::directory_iterator()), 1);
}

TEST(CheckpointRotation, KeepLastBelowOneIsRefused) {
  const SharedDirectory directory;
  EXPECT_THROW(checkpoint_test::write_samples(directory.path(), 1, 1, 0), manta::CheckpointError);
  EXPECT_TRUE(ckpt::list_checkpoints(directory.path()).empty());
}

/// The mode `path` has, without the file type bits.
fs::perms mode_of(const fs::path& path) { return fs::status(path).permissions() & fs::perms::all; }

TEST(CheckpointRotation, FilesAndNewDirectoriesAreTheOwnersOnly) {
  const SharedDirectory directory;
  const fs::path nested = directory.path() / "job" / "ckpt";
  const mode_t before = ::umask(022);  // the common default: HDF5 alone gives 0644 and 0755
  const fs::path file = checkpoint_test::write_samples(nested, 1);
  barrier();
  EXPECT_EQ(mode_of(file), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(mode_of(nested), fs::perms::owner_all);
  EXPECT_EQ(mode_of(directory.path() / "job"), fs::perms::owner_all);

  // Not even a umask that lets everything through opens actor state to others.
  ::umask(0);
  const fs::path open_umask = directory.path() / "open";
  const fs::path second = checkpoint_test::write_samples(open_umask, 1);
  barrier();
  ::umask(before);
  EXPECT_EQ(mode_of(second), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(mode_of(open_umask), fs::perms::owner_all);
  EXPECT_NO_THROW(ckpt::verify_checkpoint(second));
}

}  // namespace
