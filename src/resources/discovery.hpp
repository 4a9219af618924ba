/// @file resources/discovery.hpp
/// @brief What a rank may use, learned from the machine, Slurm and Kokkos.
#pragma once

namespace manta::resources {

/// CPUs this process may run on: Slurm's SLURM_CPUS_PER_TASK when set, else the size of its
/// affinity mask (what the launcher bound it to), else the hardware's count.
double detect_cpus();

/// Initializes Kokkos once per process for `num_threads` host threads (Debian's Kokkos is
/// Serial-only and ignores it); Kokkos is finalized at process exit, before MPI.
void ensure_kokkos_initialized(int num_threads);

}  // namespace manta::resources
