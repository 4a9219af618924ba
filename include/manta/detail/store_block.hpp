/// @file detail/store_block.hpp
/// @brief A block of this rank's shared-memory object store, owned until destroyed.
#pragma once
#include "public_header.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace manta::detail {

/// @brief Move-only owner of `size` bytes of object-store memory; frees them when destroyed.
/// When the store is full the block comes from the process heap instead (logged once), so a large
/// `put` never fails for lack of store space.
class StoreBlock {
 public:
  /// Allocates `size` bytes from the current runtime's store. Thread-safe.
  static StoreBlock allocate(std::size_t size);
  /// `size` bytes of process memory, for small objects that need not be in the store.
  static StoreBlock heap(std::size_t size);

  StoreBlock() = default;
  StoreBlock(StoreBlock&& other) noexcept { swap(other); }
  StoreBlock& operator=(StoreBlock other) noexcept {
    swap(other);
    return *this;
  }
  ~StoreBlock();

  std::span<std::byte> bytes() const noexcept { return {data_, size_}; }
  /// True when the bytes are in the shared-memory store (false: heap fallback).
  bool in_store() const noexcept { return runtime_ != 0; }

 private:
  StoreBlock(std::byte* data, std::size_t size, std::uint64_t runtime)
      : data_(data), size_(size), runtime_(runtime) {}
  void swap(StoreBlock& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(runtime_, other.runtime_);
  }

  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  /// The generation of the runtime whose store holds the bytes; 0 for process memory. A block
  /// outliving its runtime must not be freed into a later one's store at the same address.
  std::uint64_t runtime_ = 0;
};

}  // namespace manta::detail
