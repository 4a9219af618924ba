/// @file store/sizing.hpp
/// @brief How large a rank's object store may be: what the node has, shared among its ranks.
/// Checked at start, so that a store too large for the node is refused with a message instead
/// of filling the node's memory once objects arrive.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace manta::store {

/// @brief What one node offers the stores of its ranks.
struct NodeMemory {
  std::string hostname;
  int ranks = 1;               ///< ranks on the node, each with a store
  std::uint64_t bytes = 0;     ///< memory its processes may use: physical, or a cgroup's limit
  std::string source;          ///< where `bytes` came from ("physical memory", "cgroup ...")
  std::uint64_t shm_free = 0;  ///< free bytes of /dev/shm (which the stores do not use)
};

/// What the node's processes may use and where that came from: the machine's physical memory,
/// or less when this process's cgroup (Slurm's, a container's) is limited.
NodeMemory node_memory(const std::string& hostname, int ranks);

/// A store's size when none is asked for: 2 GiB, or less so that the node's stores take at
/// most 30% of its memory (Ray's default share).
std::uint64_t default_store_size(const NodeMemory& node);

/// Checks stores of `per_rank` bytes (this rank's) and `node_total` (the node's ranks' together)
/// against `node`, and returns warnings for sizes that fit but are unwise.
/// @throws manta::InvalidOptionError naming the flag, the sizes, the ranks on the node, its
/// memory and /dev/shm, when the stores cannot fit in the node's memory
std::vector<std::string> check_store_size(std::uint64_t per_rank, std::uint64_t node_total,
                                          const NodeMemory& node);

/// Below this, objects of --inline-limit and more hardly fit: a store this small is warned of.
inline constexpr std::uint64_t smallest_sane_store = std::uint64_t{64} << 20;

}  // namespace manta::store
