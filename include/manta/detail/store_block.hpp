/// @file detail/store_block.hpp
/// @brief Bytes of an object: a block of this rank's shared-memory store, of a peer's store on
/// the same node (read in place), or of process memory; owned until destroyed.
#pragma once
#include "public_header.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace manta::detail {

/// @brief Move-only owner of `size` bytes of object-store memory; frees them when destroyed.
/// When the store is full the block is a file of its own in the spill directory instead (logged
/// once), paged out of the process once written; only if that fails too (a full disk), process
/// memory. So a large `put` never fails for lack of store space, nor fills the process.
class StoreBlock {
 public:
  /// Allocates `size` bytes from the current runtime's store, or spills them (above).
  /// Thread-safe.
  static StoreBlock allocate(std::size_t size);
  /// `size` bytes of process memory, for small objects that need not be in the store.
  static StoreBlock heap(std::size_t size);
  /// `bytes` of the store of `holder`, a rank on this node, mapped here; the holder keeps them
  /// for object `sequence` of this rank until the block is destroyed (then told to free them).
  static StoreBlock peer(std::span<std::byte> bytes, int holder, std::uint64_t sequence);
  /// `bytes` owned by someone else for longer than this block lives (a peer's object that the
  /// peer keeps while a call reads it): nothing is freed or released.
  static StoreBlock borrowed(std::span<std::byte> bytes);

  StoreBlock() = default;
  StoreBlock(StoreBlock&& other) noexcept { swap(other); }
  StoreBlock& operator=(StoreBlock other) noexcept {
    swap(other);
    return *this;
  }
  ~StoreBlock();

  std::span<std::byte> bytes() const noexcept { return {data_, size_}; }
  /// Says the bytes are all written: a spilled block leaves the process's memory (its pages stay
  /// in the file and the page cache, and come back when read). Nothing for other blocks.
  void written() noexcept;
  /// True when the bytes are in a spill file.
  bool spilled() const noexcept { return holder_ == spill_file; }
  /// True when the bytes are in a shared-memory store, this rank's or a peer's (false: heap).
  bool in_store() const noexcept { return runtime_ != 0; }
  /// True when the bytes are in this rank's own store, where peers can address them.
  bool in_own_store() const noexcept { return runtime_ != 0 && holder_ == own_store; }

 private:
  static constexpr int own_store = -1;   ///< holder_ of a block of this rank's store
  static constexpr int not_owned = -2;   ///< holder_ of a borrowed block
  static constexpr int spill_file = -3;  ///< holder_ of a block in a spill file

  StoreBlock(std::byte* data, std::size_t size, std::uint64_t runtime, int holder = own_store,
             std::uint64_t sequence = 0)
      : data_(data), size_(size), runtime_(runtime), holder_(holder), sequence_(sequence) {}
  void swap(StoreBlock& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(runtime_, other.runtime_);
    std::swap(holder_, other.holder_);
    std::swap(sequence_, other.sequence_);
  }

  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  /// The generation of the runtime whose store holds the bytes; 0 for process memory. A block
  /// outliving its runtime must not be freed into a later one's store at the same address.
  std::uint64_t runtime_ = 0;
  /// The peer whose store holds the bytes, own_store, not_owned or spill_file.
  int holder_ = own_store;
  std::uint64_t sequence_ = 0;  ///< for a peer's block: the object it belongs to
};

}  // namespace manta::detail
