/// @file util/shared_memory.hpp
/// @brief Bytes in an anonymous shared-memory file (memfd), mapped in this process: the payloads
/// a rank and its worker processes hand each other by descriptor.
#pragma once

#include <cstddef>
#include <span>
#include <utility>

namespace manta::util {

/// @brief A mapped memfd. Move-only; unmaps and closes it when destroyed (the file lives on while
/// another process still maps it or holds its descriptor). Never left behind in /dev/shm or
/// anywhere else: it has no name, and the kernel frees it with its last user, also after SIGKILL.
/// Its pages count as the node's shared memory (Shmem in /proc/meminfo), not /dev/shm's size.
class SharedMemory {
 public:
  /// When the pages of a new mapping are faulted in.
  enum class Pages {
    on_first_use,  ///< as they are written or read: a large, mostly idle store costs nothing
    at_once,       ///< in one pass at mapping time (MAP_POPULATE): for bytes used whole at once
  };

  SharedMemory() = default;
  /// A new file of `size` (> 0) bytes. `name` shows in /proc/PID/maps.
  /// @throws manta::Error naming the system's error
  static SharedMemory create(const char* name, std::size_t size, Pages pages);
  /// Maps the file behind `descriptor` (passed by another process; taken over, closed on
  /// failure). @throws manta::Error naming the system's error
  static SharedMemory open(int descriptor, Pages pages);

  ~SharedMemory() { reset(); }
  SharedMemory(SharedMemory&& other) noexcept { swap(other); }
  SharedMemory& operator=(SharedMemory other) noexcept {
    swap(other);
    return *this;
  }

  std::span<std::byte> bytes() const noexcept { return {data_, size_}; }
  /// The memfd's descriptor, to pass to another process; -1 for an empty one.
  int descriptor() const noexcept { return descriptor_; }
  explicit operator bool() const noexcept { return descriptor_ >= 0; }

 private:
  SharedMemory(int descriptor, std::byte* data, std::size_t size) noexcept
      : descriptor_(descriptor), data_(data), size_(size) {}
  void swap(SharedMemory& other) noexcept {
    std::swap(descriptor_, other.descriptor_);
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
  }
  void reset() noexcept;

  int descriptor_ = -1;
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace manta::util
