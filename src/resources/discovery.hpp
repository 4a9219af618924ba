/// @file resources/discovery.hpp
/// @brief What a rank may use, learned from the machine, Slurm, the CUDA runtime and Kokkos.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace manta::resources {

/// CPUs this process may run on: Slurm's SLURM_CPUS_PER_TASK when set, else the size of its
/// affinity mask (what the launcher bound it to), else the hardware's count.
double detect_cpus();

/// @brief The GPUs this process sees, by the ids its launcher gave them, and who said so.
struct GpuInventory {
  std::vector<std::string> ids;  ///< position = CUDA ordinal in this process
  std::string source;            ///< "--num-gpus", "CUDA runtime", "CUDA_VISIBLE_DEVICES", ...
  /// The count was given for this rank (an override): never shared out among the node's ranks.
  bool per_rank = false;
};

/// `count` >= 0 overrides detection (for machines with no GPU, and tests). Otherwise, in order:
/// the CUDA runtime (CUDA builds), CUDA_VISIBLE_DEVICES, SLURM_STEP_GPUS, SLURM_JOB_GPUS,
/// SLURM_GPUS_ON_NODE; none of them means no GPU.
GpuInventory detect_gpus(int count);

/// The devices of `inventory` this rank owns when `node_size` ranks on the node all see the same
/// list: every node_size-th one from `node_rank`, so no device is counted twice. Returns their
/// ordinals.
std::vector<int> share_of_node(const GpuInventory& inventory, int node_rank, int node_size);

/// Memory of the machine, in bytes, or less under a cgroup limit (util::usable_memory).
std::uint64_t detect_memory();

/// Makes `ordinal` the current CUDA device of the calling thread (CUDA builds; no-op otherwise).
/// A failure is logged once, not thrown: the task's own CUDA calls then report it.
void bind_gpu(int ordinal) noexcept;

/// Initializes Kokkos once per process for `num_threads` host threads and, when the backend has
/// devices, `device` (-1: none). Kokkos is finalized at process exit, before MPI.
void ensure_kokkos_initialized(int num_threads, int device);

}  // namespace manta::resources
