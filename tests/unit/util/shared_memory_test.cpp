// util::SharedMemory: a memfd mapped lazily or at once, opened again by another descriptor.
#include "util/shared_memory.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../support/process_memory.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace {

using manta::util::SharedMemory;

constexpr std::size_t mib = std::size_t{1} << 20;

using manta::testing::mapping_resident_bytes;

TEST(SharedMemory, PagesOfALargeFileAreTakenOnlyWhenUsed) {
  auto memory = SharedMemory::create("manta-test", 1024 * mib, SharedMemory::Pages::on_first_use);
  ASSERT_EQ(memory.bytes().size(), 1024 * mib);
  const auto resident = [&] { return mapping_resident_bytes(memory.bytes().data()); };
  EXPECT_LT(resident(), 16 * mib) << "a 1 GiB mapping was touched at once";
  std::memset(memory.bytes().data(), 7, 64 * mib);
  EXPECT_GE(resident(), 64 * mib) << "64 MiB written are not resident";
  EXPECT_LT(resident(), 96 * mib);
}

TEST(SharedMemory, AnotherDescriptorOfTheFileSeesTheSameBytes) {
  auto memory = SharedMemory::create("manta-test", 3 * 4096, SharedMemory::Pages::at_once);
  std::memcpy(memory.bytes().data() + 5000, "manta", 5);
  // As a worker process receives it: another descriptor of the same file.
  const std::string path = "/proc/self/fd/" + std::to_string(memory.descriptor());
  const int descriptor = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(descriptor, 0) << path;
  auto view = SharedMemory::open(descriptor, SharedMemory::Pages::on_first_use);
  ASSERT_EQ(view.bytes().size(), memory.bytes().size());
  EXPECT_EQ(std::memcmp(view.bytes().data() + 5000, "manta", 5), 0);
  memory.bytes()[5000] = std::byte{'M'};
  EXPECT_EQ(view.bytes()[5000], std::byte{'M'}) << "not the same pages";
}

TEST(SharedMemory, DestroyingItClosesItsDescriptor) {
  int descriptor = -1;
  {
    auto memory = SharedMemory::create("manta-test", 4096, SharedMemory::Pages::at_once);
    descriptor = memory.descriptor();
    ASSERT_NE(fcntl(descriptor, F_GETFD), -1);
    auto moved = std::move(memory);
    EXPECT_FALSE(memory);  // NOLINT(bugprone-use-after-move): moved-from state is specified
    EXPECT_EQ(moved.descriptor(), descriptor);
  }
  EXPECT_EQ(fcntl(descriptor, F_GETFD), -1);
}

TEST(SharedMemory, AnEmptyFileIsRefusedNamingTheCall) {
  const int descriptor = memfd_create("manta-empty", MFD_CLOEXEC);
  ASSERT_GE(descriptor, 0);
  try {
    SharedMemory::open(descriptor, SharedMemory::Pages::at_once);
    FAIL() << "an empty file was mapped";
  } catch (const std::exception& error) {
    EXPECT_NE(std::string(error.what()).find("the file is empty"), std::string::npos)
        << error.what();
  }
}

}  // namespace
