/// @file store/object_store.hpp
/// @brief A rank's part of its node's object store: one UCX-allocated shared-memory region,
/// registered once, from which object bytes are allocated. Peers on the node map it and read
/// objects in place; peers elsewhere fetch them with one RMA get (rank, offset, length).
#pragma once

#include "store/region_allocator.hpp"
#include "transport/ucx_context.hpp"
#include "util/mutex.hpp"

#include <cstddef>
#include <cstdint>

namespace manta::store {

/// @brief Usage of a store at one moment.
struct StoreStats {
  std::size_t capacity = 0;  ///< bytes in the region
  std::size_t used = 0;      ///< bytes in live blocks
  std::size_t blocks = 0;    ///< live blocks
};

/// @brief Thread-safe allocation of object bytes in the registered region.
class ObjectStore {
 public:
  /// @throws manta::Error if UCX cannot allocate the region
  ObjectStore(const transport::UcxContext& ucx, std::size_t capacity);

  /// Start of `size` free bytes in the region, or nullptr when the store is full.
  std::byte* allocate(std::size_t size);
  /// Returns a block from allocate().
  void free(std::byte* block);

  /// Offset of `address` (in the region) from the region's start, as peers address it.
  std::uint64_t offset_of(const std::byte* address) const noexcept {
    return static_cast<std::uint64_t>(address - region_.bytes().data());
  }

  StoreStats stats() const;
  /// Largest block allocate() could give now.
  std::size_t largest_free() const;
  const transport::RegisteredRegion& region() const noexcept { return region_; }

 private:
  transport::RegisteredRegion region_;
  mutable util::Mutex mutex_;
  RegionAllocator allocator_ MANTA_GUARDED_BY(mutex_);
};

}  // namespace manta::store
