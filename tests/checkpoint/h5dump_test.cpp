// The files are plain HDF5: h5dump (hdf5-tools) lists the actor groups and prints a policy's
// weights straight from the file, with their element type and shape.
#include "checkpoint/state.hpp"
#include "support.hpp"

#include <manta/h5_array.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

namespace {

namespace ckpt = manta::checkpoint;

struct Policy {
  std::size_t rows = 2;
  std::size_t cols = 3;
  std::vector<double> weights;

  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& rows& cols& manta::h5_array("weights", weights, {rows, cols});
  }
};

/// Everything `command` prints on stdout; fails the test if it exits with an error.
std::string output_of(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return "";
  std::string output;
  char buffer[4096];
  while (const std::size_t read = std::fread(buffer, 1, sizeof buffer, pipe.get())) {
    output.append(buffer, read);
  }
  EXPECT_EQ(::pclose(pipe.release()), 0) << command;
  return output;
}

TEST(CheckpointH5dump, ShowsActorGroupsAndANativeArray) {
  const std::string h5dump = MANTA_H5DUMP;
  ASSERT_FALSE(h5dump.empty() || h5dump.ends_with("NOTFOUND"))
      << "h5dump is missing: install hdf5-tools (cmake/install-debian-deps.sh does)";
  const checkpoint_test::SharedDirectory directory;
  const int rank = checkpoint_test::rank();
  Policy policy{.weights = {0.5, 1.5, 2.5, 3.5, 4.5, 5.5 + rank}};
  std::vector<ckpt::ActorRecord> records(1);
  records[0] = {.key = "policy-" + std::to_string(rank), .class_name = "Policy", .sequence = 17};
  ckpt::save_state(policy, records[0]);
  const auto file = ckpt::write_checkpoint(MPI_COMM_WORLD, directory.path(), records,
                                           {.job_id = "h5dump", .epoch = 1}, 1);
  if (rank != 0) return;  // one h5dump is enough

  const std::string contents = output_of(h5dump + " -n " + file.string());
  for (int writer = 0; writer < checkpoint_test::ranks(); ++writer) {
    const std::string group = "/actors/policy-" + std::to_string(writer);
    EXPECT_NE(contents.find(" group      " + group + "\n"), std::string::npos) << contents;
    EXPECT_NE(contents.find(" dataset    " + group + "/state\n"), std::string::npos) << contents;
    EXPECT_NE(contents.find(" dataset    " + group + "/weights\n"), std::string::npos) << contents;
  }

  const std::string weights = output_of(h5dump + " -d /actors/policy-0/weights " + file.string());
  EXPECT_NE(weights.find("DATATYPE  H5T_IEEE_F64LE"), std::string::npos) << weights;
  EXPECT_NE(weights.find("DATASPACE  SIMPLE { ( 2, 3 ) / ( 2, 3 ) }"), std::string::npos)
      << weights;
  EXPECT_NE(weights.find("(0,0): 0.5, 1.5, 2.5,"), std::string::npos) << weights;
  EXPECT_NE(weights.find("(1,0): 3.5, 4.5, 5.5"), std::string::npos) << weights;

  const std::string attributes = output_of(h5dump + " -A -g /actors/policy-0 " + file.string());
  EXPECT_NE(attributes.find("ATTRIBUTE \"class_name\""), std::string::npos) << attributes;
  EXPECT_NE(attributes.find("\"Policy\""), std::string::npos) << attributes;
  EXPECT_NE(attributes.find("ATTRIBUTE \"sequence\""), std::string::npos) << attributes;
  EXPECT_NE(attributes.find("(0): 17"), std::string::npos) << attributes;
}

}  // namespace
