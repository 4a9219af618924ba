#include "store/spill_file.hpp"

#include "util/failure.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

namespace manta::store {
namespace {

/// An unlinked file in `directory`: O_TMPFILE where the file system has it, else a named one
/// removed at once. -1 with errno set on failure.
int open_unlinked(const std::string& directory) {
  const int descriptor = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (descriptor >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) {
    return descriptor;
  }
  std::string name = directory + "/manta-spill-XXXXXX";
  std::vector<char> path(name.begin(), name.end());
  path.push_back('\0');
  const int named = mkostemp(path.data(), O_CLOEXEC);
  if (named >= 0) ::unlink(path.data());
  return named;
}

[[noreturn]] void fail_in(const std::string& directory, const char* call, int error) {
  util::fail_call(call, __FILE__, __LINE__,
                  "spill directory " + directory + ": " + std::strerror(error));
}

std::atomic<std::uint64_t> spilled_files{0};
std::atomic<std::uint64_t> spilled_bytes{0};

}  // namespace

std::span<std::byte> map_spill_file(const std::string& directory, std::size_t size) {
  const int descriptor = open_unlinked(directory);
  if (descriptor < 0) fail_in(directory, "open", errno);
  // posix_fallocate reserves the blocks now: a full disk is an error here, not SIGBUS later.
  if (const int error = posix_fallocate(descriptor, 0, static_cast<off_t>(size)); error != 0) {
    ::close(descriptor);
    fail_in(directory, "posix_fallocate", error);
  }
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0);
  const int error = errno;
  ::close(descriptor);  // the mapping keeps the file
  if (data == MAP_FAILED) fail_in(directory, "mmap", error);
  spilled_files.fetch_add(1, std::memory_order_relaxed);
  spilled_bytes.fetch_add(size, std::memory_order_relaxed);
  return {static_cast<std::byte*>(data), size};
}

void page_out(std::span<std::byte> bytes) noexcept {
  // Shared file pages keep their data when unmapped: dirty ones are written back later.
  madvise(bytes.data(), bytes.size(), MADV_DONTNEED);
}

void unmap_spill_file(std::span<std::byte> bytes) noexcept {
  munmap(bytes.data(), bytes.size());
  spilled_files.fetch_sub(1, std::memory_order_relaxed);
  spilled_bytes.fetch_sub(bytes.size(), std::memory_order_relaxed);
}

SpillStats spill_stats() noexcept {
  return {spilled_files.load(std::memory_order_relaxed),
          spilled_bytes.load(std::memory_order_relaxed)};
}

std::string spill_dir_problem(const std::string& directory) {
  struct stat status {};
  if (::stat(directory.c_str(), &status) != 0) {
    return "spill directory " + directory + ": " + std::strerror(errno);
  }
  if (!S_ISDIR(status.st_mode)) return "spill directory " + directory + " is not a directory";
  if (::access(directory.c_str(), W_OK | X_OK) != 0) {
    return "spill directory " + directory + " is not writable: " + std::strerror(errno);
  }
  return {};
}

bool spill_dir_in_memory(const std::string& directory) {
  constexpr long tmpfs_magic = 0x01021994;
  constexpr long ramfs_magic = 0x858458f6;
  struct statfs status {};
  if (::statfs(directory.c_str(), &status) != 0) return false;
  const long type = static_cast<long>(status.f_type);
  return type == tmpfs_magic || type == ramfs_magic;
}

}  // namespace manta::store
