// store::map_spill_file and friends: object bytes in an unlinked file of their own.
#include "store/spill_file.hpp"

#include "../../support/process_memory.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr std::size_t mib = std::size_t{1} << 20;

using manta::testing::mapping_resident_bytes;

std::string temporary_directory() {
  const char* directory = std::getenv("TMPDIR");
  return directory != nullptr && *directory != '\0' ? directory : "/tmp";
}

TEST(SpillFile, PagedOutBytesLeaveTheProcessAndReadBackUnchanged) {
  const auto bytes = manta::store::map_spill_file(temporary_directory(), 64 * mib);
  ASSERT_EQ(bytes.size(), 64 * mib);
  const auto resident = [&] { return mapping_resident_bytes(bytes.data()); };
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(i % 251);
  EXPECT_GE(resident(), 64 * mib);
  manta::store::page_out(bytes);
  EXPECT_EQ(resident(), 0U) << "paged-out bytes are still resident";
  for (std::size_t i = 0; i < bytes.size(); i += 4093) {
    ASSERT_EQ(bytes[i], static_cast<std::byte>(i % 251)) << "byte " << i;
  }
  manta::store::unmap_spill_file(bytes);
}

TEST(SpillFile, ADirectoryThatCannotHoldThemIsNamed) {
  EXPECT_EQ(manta::store::spill_dir_problem(temporary_directory()), "");
  const auto missing = manta::store::spill_dir_problem("/no/such/manta/dir");
  EXPECT_NE(missing.find("spill directory /no/such/manta/dir: No such file"), std::string::npos)
      << missing;
  const auto file = manta::store::spill_dir_problem("/proc/self/status");
  EXPECT_NE(file.find("is not a directory"), std::string::npos) << file;
}

TEST(SpillFile, MappingInAMissingDirectoryThrowsNamingIt) {
  try {
    manta::store::map_spill_file("/no/such/manta/dir", mib);
    FAIL() << "mapped";
  } catch (const std::exception& error) {
    EXPECT_NE(std::string(error.what()).find("spill directory /no/such/manta/dir"),
              std::string::npos)
        << error.what();
  }
}

TEST(SpillFile, DevShmIsInMemory) { EXPECT_TRUE(manta::store::spill_dir_in_memory("/dev/shm")); }

}  // namespace
