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
  bool in_store() const noexcept { return in_store_; }

 private:
  StoreBlock(std::byte* data, std::size_t size, bool in_store)
      : data_(data), size_(size), in_store_(in_store) {}
  void swap(StoreBlock& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(in_store_, other.in_store_);
  }

  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  bool in_store_ = false;
};

}  // namespace manta::detail
