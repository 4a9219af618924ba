// Damaged checkpoints: each test writes two good checkpoints (epochs 1 and 2), rank 0 damages the
// newer one, and every rank checks that reading it fails with an error naming the file, the actor
// where one is concerned, and what is wrong, and that latest_valid_checkpoint() warns and falls
// back to the older one.
#include "checkpoint/format.hpp"
#include "checkpoint/state.hpp"
#include "support.hpp"

#include <manta/h5_array.hpp>

#include <gtest/gtest.h>
#include <hdf5.h>

#include <fstream>
#include <functional>
#include <string>

namespace {

namespace ckpt = manta::checkpoint;
namespace fs = std::filesystem;
using checkpoint_test::barrier;
using checkpoint_test::rank;

/// Offset in the file of a contiguous dataset's first byte.
std::uint64_t dataset_offset(const fs::path& file, const std::string& dataset) {
  const hid_t opened = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t data = H5Dopen2(opened, dataset.c_str(), H5P_DEFAULT);
  const haddr_t offset = H5Dget_offset(data);
  H5Dclose(data);
  H5Fclose(opened);
  if (offset == HADDR_UNDEF) throw std::runtime_error("no offset for " + dataset);
  return offset;
}

void flip_byte(const fs::path& file, std::uint64_t offset) {
  std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
  stream.seekg(static_cast<std::streamoff>(offset));
  const char byte = static_cast<char>(stream.get() ^ 0x10);
  stream.seekp(static_cast<std::streamoff>(offset));
  stream.put(byte);
}

class DamagedCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    older_ = checkpoint_test::write_samples(directory_.path(), 1);
    newer_ = checkpoint_test::write_samples(directory_.path(), 2);
  }

  /// Rank 0 damages the newer file; the other ranks wait for it.
  void damage(const std::function<void(const fs::path&)>& how) {
    if (rank() == 0) how(newer_);
    barrier();
  }

  /// `read` fails on the newer file naming it, `actor` and `problem`; latest_valid_checkpoint()
  /// logs that it skips the newer file, and why, and returns the older one.
  void expect_detected(const std::function<void()>& read, const std::string& actor,
                       const std::string& problem) {
    try {
      read();
      ADD_FAILURE() << "the damage went unnoticed";
    } catch (const manta::CheckpointError& error) {
      EXPECT_EQ(fs::path(error.file()), newer_);
      EXPECT_EQ(error.actor(), actor);
      const std::string message = error.what();
      EXPECT_NE(message.find("checkpoint '" + newer_.string() + "'"), std::string::npos) << message;
      EXPECT_NE(message.find(problem), std::string::npos) << message;
      if (!actor.empty()) {
        EXPECT_NE(message.find("actor '" + actor + "'"), std::string::npos) << message;
      }
    }
    ::testing::internal::CaptureStderr();
    const auto latest = ckpt::latest_valid_checkpoint(directory_.path());
    const std::string log = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(latest, older_);
    EXPECT_NE(log.find("skipping checkpoint '" + newer_.string() + "'"), std::string::npos) << log;
    EXPECT_NE(log.find(problem), std::string::npos) << log;
  }

  checkpoint_test::SharedDirectory directory_;
  fs::path older_;
  fs::path newer_;
};

TEST_F(DamagedCheckpoint, TruncatedFile) {
  damage([](const fs::path& file) { fs::resize_file(file, checkpoint_test::file_size(file) / 2); });
  expect_detected([&] { ckpt::read_index(newer_); }, "", "truncated file");
}

TEST_F(DamagedCheckpoint, FlippedByteInANativeArray) {
  damage([](const fs::path& file) {
    flip_byte(file, dataset_offset(file, "/actors/rank0-actor0/weights") + 13);
  });
  // The metadata is intact: the index reads; the damaged actor does not; the others do.
  EXPECT_EQ(ckpt::read_index(newer_).actors.size(),
            static_cast<std::size_t>(checkpoint_test::ranks()));
  for (int writer = 1; writer < checkpoint_test::ranks(); ++writer) {
    EXPECT_NO_THROW(ckpt::read_actor(newer_, "rank" + std::to_string(writer) + "-actor0"));
  }
  expect_detected([&] { ckpt::read_actor(newer_, "rank0-actor0"); }, "rank0-actor0",
                  "dataset 'weights' fails its CRC-32 check");
}

TEST_F(DamagedCheckpoint, FlippedByteInTheArchive) {
  damage([](const fs::path& file) {
    flip_byte(file, dataset_offset(file, "/actors/rank0-actor0/state"));
  });
  expect_detected([&] { ckpt::verify_checkpoint(newer_); }, "rank0-actor0",
                  "dataset 'state' fails its CRC-32 check");
}

TEST_F(DamagedCheckpoint, FlippedByteInTheSuperblock) {
  damage([](const fs::path& file) { flip_byte(file, 20); });
  expect_detected([&] { ckpt::read_index(newer_); }, "", "checksum");
}

TEST_F(DamagedCheckpoint, WrongFormatVersion) {
  damage([](const fs::path& file) {
    const hid_t opened = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t attribute = H5Aopen(opened, "format_version", H5P_DEFAULT);
    const std::int32_t version = 99;
    H5Awrite(attribute, H5T_NATIVE_INT32, &version);
    H5Aclose(attribute);
    H5Fclose(opened);
  });
  expect_detected([&] { ckpt::read_actor(newer_, "rank0-actor0"); }, "",
                  "format version 99, but this Manta reads version 1");
}

TEST_F(DamagedCheckpoint, DatasetClaimingMoreThanItStores) {
  // A damaged shape (or a hostile file) claims 2^40 doubles: the reader must refuse it from the
  // storage HDF5 reports, not allocate 8 TiB first.
  damage([](const fs::path& file) {
    const hid_t opened = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    H5Ldelete(opened, "/actors/rank0-actor0/weights", H5P_DEFAULT);
    const hsize_t huge = hsize_t{1} << 40;
    const hid_t space = H5Screate_simple(1, &huge, nullptr);
    const hid_t creation = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_alloc_time(creation, H5D_ALLOC_TIME_LATE);
    const hid_t data = H5Dcreate2(opened, "/actors/rank0-actor0/weights", H5T_NATIVE_DOUBLE, space,
                                  H5P_DEFAULT, creation, H5P_DEFAULT);
    const hid_t crc_space = H5Screate(H5S_SCALAR);
    const hid_t crc =
        H5Acreate2(data, "crc32", H5T_NATIVE_UINT32, crc_space, H5P_DEFAULT, H5P_DEFAULT);
    const std::uint32_t zero = 0;
    H5Awrite(crc, H5T_NATIVE_UINT32, &zero);
    H5Aclose(crc);
    H5Sclose(crc_space);
    H5Dclose(data);
    H5Pclose(creation);
    H5Sclose(space);
    H5Fclose(opened);
  });
  expect_detected([&] { ckpt::read_actor(newer_, "rank0-actor0"); }, "rank0-actor0",
                  "dataset 'weights' stores 0 bytes, but its shape needs 8796093022208");
}

TEST_F(DamagedCheckpoint, NotAnHdf5File) {
  damage([](const fs::path& file) { std::ofstream(file) << "these are not the bytes you seek\n"; });
  expect_detected([&] { ckpt::read_index(newer_); }, "", "not an HDF5 file");
}

TEST_F(DamagedCheckpoint, AnHdf5FileButNotACheckpoint) {
  damage([](const fs::path& file) {
    H5Fclose(H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  });
  expect_detected([&] { ckpt::read_index(newer_); }, "",
                  "an HDF5 file, but not a Manta checkpoint");
}

TEST_F(DamagedCheckpoint, EveryCheckpointDamaged) {
  damage([&](const fs::path& file) {
    fs::resize_file(file, 100);
    fs::resize_file(older_, 100);
  });
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(ckpt::latest_valid_checkpoint(directory_.path()), std::nullopt);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("skipping checkpoint '" + newer_.string() + "'"), std::string::npos) << log;
  EXPECT_NE(log.find("skipping checkpoint '" + older_.string() + "'"), std::string::npos) << log;
}

TEST_F(DamagedCheckpoint, TemporaryFilesAreIgnored) {
  const fs::path interrupted = directory_.path() / "checkpoint-00000003.h5.tmp";
  damage([&](const fs::path&) { std::ofstream(interrupted) << "half a file"; });
  EXPECT_EQ(ckpt::list_checkpoints(directory_.path()), (std::vector<fs::path>{older_, newer_}));
  EXPECT_EQ(ckpt::latest_valid_checkpoint(directory_.path()), newer_);
  EXPECT_EQ(ckpt::next_epoch(directory_.path()), 3u);
}

struct Policy {
  std::vector<float> weights;
  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& manta::h5_array("weights", weights);
  }
};

TEST(CheckpointRestore, DetectsADamagedArrayReadInPlace) {
  const checkpoint_test::SharedDirectory directory;
  std::vector<ckpt::ActorRecord> records(1);
  records[0] = {.key = "policy-" + std::to_string(rank()), .class_name = "Policy"};
  ckpt::save_state(Policy{.weights = std::vector<float>(1000, 0.5f)}, records[0]);
  const auto file =
      ckpt::write_checkpoint(MPI_COMM_WORLD, directory.path(), records, {.epoch = 1}, 1);
  if (rank() == 0) flip_byte(file, dataset_offset(file, "/actors/policy-0/weights") + 999);
  barrier();
  Policy restored;
  try {
    ckpt::restore_state(restored, file, "policy-0");
    ADD_FAILURE() << "restored damaged weights";
  } catch (const manta::CheckpointError& error) {
    EXPECT_EQ(error.actor(), "policy-0");
    EXPECT_TRUE(error.problem().starts_with(
        "cannot restore its state (class Policy): dataset 'weights' fails its CRC-32 check "
        "(stored 0x"))
        << error.problem();
    EXPECT_TRUE(error.problem().ends_with("): the file is damaged")) << error.problem();
  }
  try {
    ckpt::restore_state(restored, file, "nobody");
    ADD_FAILURE() << "restored an actor the file does not hold";
  } catch (const manta::CheckpointError& error) {
    EXPECT_EQ(error.actor(), "nobody");
    EXPECT_NE(error.problem().find("no such actor in the file"), std::string::npos);
  }
  if (checkpoint_test::ranks() > 1) {
    EXPECT_NO_THROW(ckpt::restore_state(restored, file, "policy-1"));
    EXPECT_EQ(restored.weights, std::vector<float>(1000, 0.5f));
  }
}

TEST(CheckpointFiles, Crc32IsZlibsSoPythonCanCheckIt) {
  // zlib.crc32(b"123456789") == 0xcbf43926, the CRC-32 check value.
  const std::string text = "123456789";
  EXPECT_EQ(ckpt::format::crc32(std::as_bytes(std::span(text))), 0xcbf43926u);
  EXPECT_EQ(ckpt::format::crc32({}), 0u);
}

TEST(CheckpointFiles, MissingFileAndDirectory) {
  const checkpoint_test::SharedDirectory directory;
  const fs::path missing = directory.path() / "checkpoint-00000001.h5";
  try {
    ckpt::read_index(missing);
    ADD_FAILURE() << "read a file that does not exist";
  } catch (const manta::CheckpointError& error) {
    EXPECT_EQ(error.what(), "checkpoint '" + missing.string() + "': the file does not exist");
  }
  EXPECT_EQ(ckpt::latest_valid_checkpoint(directory.path() / "absent"), std::nullopt);
  EXPECT_EQ(ckpt::latest_valid_checkpoint(directory.path()), std::nullopt);
  EXPECT_EQ(ckpt::next_epoch(directory.path()), 1u);
}

}  // namespace
