#include "util/shared_memory.hpp"

#include "util/failure.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace manta::util {
namespace {

/// Closes `descriptor` and throws the system's error of `call`.
[[noreturn]] void fail_closing(int descriptor, const char* call, int error, int line) {
  ::close(descriptor);
  fail_call(call, __FILE__, line, std::strerror(error));
}

}  // namespace

SharedMemory SharedMemory::create(const char* name, std::size_t size, Pages pages) {
  const int descriptor = memfd_create(name, MFD_CLOEXEC);
  if (descriptor < 0) fail_call("memfd_create", __FILE__, __LINE__, std::strerror(errno));
  if (ftruncate(descriptor, static_cast<off_t>(size)) != 0) {
    fail_closing(descriptor, "ftruncate", errno, __LINE__);
  }
  return open(descriptor, pages);
}

SharedMemory SharedMemory::open(int descriptor, Pages pages) {
  struct stat status {};
  if (fstat(descriptor, &status) != 0) fail_closing(descriptor, "fstat", errno, __LINE__);
  if (status.st_size <= 0) {
    ::close(descriptor);
    fail_call("SharedMemory::open", __FILE__, __LINE__, "the file is empty: nothing to map");
  }
  const auto size = static_cast<std::size_t>(status.st_size);
  const int flags = MAP_SHARED | (pages == Pages::at_once ? MAP_POPULATE : 0);
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, flags, descriptor, 0);
  if (data == MAP_FAILED) fail_closing(descriptor, "mmap", errno, __LINE__);
  return {descriptor, static_cast<std::byte*>(data), size};
}

void SharedMemory::reset() noexcept {
  if (data_ != nullptr) munmap(data_, size_);
  if (descriptor_ >= 0) ::close(descriptor_);
  descriptor_ = -1;
  data_ = nullptr;
  size_ = 0;
}

}  // namespace manta::util
