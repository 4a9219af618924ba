#include "process/shared_buffer.hpp"

#include "util/failure.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace manta::process {
namespace {

/// Maps all of `descriptor` (closed on failure). @throws manta::Error
std::byte* map_all(int descriptor, std::size_t size) {
  void* data =
      mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, descriptor, 0);
  if (data == MAP_FAILED) {
    const int error = errno;
    ::close(descriptor);
    util::fail_call("mmap", __FILE__, __LINE__, std::strerror(error));
  }
  return static_cast<std::byte*>(data);
}

}  // namespace

SharedBuffer SharedBuffer::create(std::size_t size) {
  const int descriptor = memfd_create("manta-payload", MFD_CLOEXEC);
  if (descriptor < 0) util::fail_call("memfd_create", __FILE__, __LINE__, std::strerror(errno));
  if (ftruncate(descriptor, static_cast<off_t>(size)) != 0) {
    const int error = errno;
    ::close(descriptor);
    util::fail_call("ftruncate", __FILE__, __LINE__, std::strerror(error));
  }
  return {descriptor, map_all(descriptor, size), size};
}

SharedBuffer SharedBuffer::open(int descriptor) {
  struct stat status {};
  if (fstat(descriptor, &status) != 0) {
    const int error = errno;
    ::close(descriptor);
    util::fail_call("fstat", __FILE__, __LINE__, std::strerror(error));
  }
  if (status.st_size <= 0) {
    ::close(descriptor);
    util::fail_call("fstat", __FILE__, __LINE__, "the passed buffer is empty");
  }
  const auto size = static_cast<std::size_t>(status.st_size);
  return {descriptor, map_all(descriptor, size), size};
}

void SharedBuffer::reset() noexcept {
  if (data_ != nullptr) munmap(data_, size_);
  if (descriptor_ >= 0) ::close(descriptor_);
  descriptor_ = -1;
  data_ = nullptr;
  size_ = 0;
}

}  // namespace manta::process
