/// @file store/spill_file.hpp
/// @brief Object bytes that do not fit in the store, in a file of their own on disk: unlinked
/// from birth (nothing is left behind, whatever ends the process), mapped for reading and
/// writing, and paged out of the process once written, so that the page cache, not the
/// process's memory, holds them until the kernel writes them back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace manta::store {

/// `size` (> 0) bytes in a new unlinked file in `directory`, mapped shared.
/// @throws manta::Error naming the directory and the system's error (ENOSPC: the disk is full)
std::span<std::byte> map_spill_file(const std::string& directory, std::size_t size);
/// Drops the written pages of `bytes` from this process (they stay in the file and the page
/// cache); reading them again faults them back in.
void page_out(std::span<std::byte> bytes) noexcept;
/// Unmaps `bytes` from map_spill_file: the file goes with its last mapping.
void unmap_spill_file(std::span<std::byte> bytes) noexcept;

/// @brief This process's spill files.
struct SpillStats {
  std::uint64_t files = 0;  ///< mapped now
  std::uint64_t bytes = 0;  ///< in the files mapped now
};
/// The spill files mapped now, counted by map_spill_file and unmap_spill_file.
SpillStats spill_stats() noexcept;

/// Why `directory` cannot hold spill files (not a directory, not writable), or empty.
std::string spill_dir_problem(const std::string& directory);
/// Whether `directory` is in memory (tmpfs, ramfs): files there take the node's memory, so
/// spilling to it saves none.
bool spill_dir_in_memory(const std::string& directory);

}  // namespace manta::store
