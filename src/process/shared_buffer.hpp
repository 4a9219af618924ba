/// @file process/shared_buffer.hpp
/// @brief Bytes in an anonymous shared-memory file (memfd), mapped in this process: what a rank
/// and its worker processes hand each other by descriptor, beside a channel's frame, instead of
/// copying them through the socket.
#pragma once

#include <cstddef>
#include <span>
#include <utility>

namespace manta::process {

/// @brief A mapped memfd. Move-only; unmaps and closes it when destroyed (the file lives on while
/// another process still maps it or holds its descriptor). Never left behind in /dev/shm: it has
/// no name, and the kernel frees it with its last user, also after SIGKILL.
class SharedBuffer {
 public:
  SharedBuffer() = default;
  /// A new buffer of `size` (> 0) bytes. Both sides map it with MAP_POPULATE: the pages are
  /// faulted in at once, in one pass, as they are about to be written or read whole.
  /// @throws manta::Error naming the system's error
  static SharedBuffer create(std::size_t size);
  /// Maps the buffer behind `descriptor` (passed by another process; taken over).
  /// @throws manta::Error naming the system's error
  static SharedBuffer open(int descriptor);

  ~SharedBuffer() { reset(); }
  SharedBuffer(SharedBuffer&& other) noexcept { swap(other); }
  SharedBuffer& operator=(SharedBuffer other) noexcept {
    swap(other);
    return *this;
  }

  std::span<std::byte> bytes() const noexcept { return {data_, size_}; }
  /// The memfd's descriptor, to pass to another process; -1 for an empty buffer.
  int descriptor() const noexcept { return descriptor_; }
  explicit operator bool() const noexcept { return descriptor_ >= 0; }

 private:
  SharedBuffer(int descriptor, std::byte* data, std::size_t size) noexcept
      : descriptor_(descriptor), data_(data), size_(size) {}
  void swap(SharedBuffer& other) noexcept {
    std::swap(descriptor_, other.descriptor_);
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
  }
  void reset() noexcept;

  int descriptor_ = -1;
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace manta::process
