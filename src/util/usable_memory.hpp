/// @file util/usable_memory.hpp
/// @brief How much memory this process's node lets it and its neighbours use.
#pragma once

#include <cstdint>
#include <string>

namespace manta::util {

/// @brief A memory size and who set it.
struct UsableMemory {
  std::uint64_t bytes = 0;
  std::string source;  ///< "physical memory", or "the memory limit of cgroup /slurm/uid_0/job_7"
};

/// The machine's physical memory, or less when this process's cgroup or one of its ancestors
/// (Slurm's job, a container) has a lower memory limit (cgroup v2 memory.max, v1
/// memory.limit_in_bytes).
UsableMemory usable_memory();

}  // namespace manta::util
