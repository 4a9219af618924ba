/// @file store/region_allocator.hpp
/// @brief Places variable-sized blocks in one fixed region: first fit, coalescing frees, so the
/// lowest (most recently touched, already faulted-in) pages are reused first.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <unordered_map>

namespace manta::store {

/// @brief Offsets into a region of `capacity` bytes. Not thread-safe: the owner locks.
class RegionAllocator {
 public:
  /// @param alignment every offset is a multiple of it (a power of two)
  explicit RegionAllocator(std::size_t capacity, std::size_t alignment = 64);

  /// Offset of a block of at least `size` bytes, or nullopt when no free extent fits.
  std::optional<std::size_t> allocate(std::size_t size);
  /// Returns the block at `offset` (from allocate). @throws std::logic_error for an unknown offset
  void free(std::size_t offset);

  std::size_t capacity() const noexcept { return capacity_; }
  /// Bytes in allocated blocks (sizes rounded up to the alignment).
  std::size_t used() const noexcept { return used_; }
  std::size_t blocks() const noexcept { return allocated_.size(); }
  /// Size of the largest free extent: the largest block allocate() can give now.
  std::size_t largest_free() const noexcept;

 private:
  std::size_t capacity_;
  std::size_t alignment_;
  std::size_t used_ = 0;
  std::map<std::size_t, std::size_t> free_;                 ///< offset -> length, coalesced
  std::unordered_map<std::size_t, std::size_t> allocated_;  ///< offset -> length
};

}  // namespace manta::store
