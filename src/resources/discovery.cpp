#include "resources/discovery.hpp"

#include <sched.h>
#include <Kokkos_Core.hpp>

#include <cstdlib>
#include <string>
#include <thread>

namespace manta::resources {

double detect_cpus() {
  if (const char* slurm = std::getenv("SLURM_CPUS_PER_TASK")) {
    const double cpus = std::atof(slurm);
    if (cpus > 0) return cpus;
  }
  cpu_set_t mask;
  if (sched_getaffinity(0, sizeof mask, &mask) == 0) return CPU_COUNT(&mask);
  return std::max(1U, std::thread::hardware_concurrency());
}

void ensure_kokkos_initialized(int num_threads) {
  if (Kokkos::is_initialized()) return;
  Kokkos::InitArguments arguments(num_threads, -1, -1, /*disable_warnings=*/true);
  Kokkos::initialize(arguments);
  std::atexit([] {
    if (Kokkos::is_initialized()) Kokkos::finalize();
  });
}

}  // namespace manta::resources
