#include "resources/discovery.hpp"

#include "util/log.hpp"
#include "util/usable_memory.hpp"

#include <sched.h>
#include <unistd.h>
#include <Kokkos_Core.hpp>
#if MANTA_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

namespace manta::resources {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

/// A comma-separated device list from the environment; empty when unset. CUDA's "-1" and
/// Slurm's "NoDevFiles" mean no device.
std::optional<std::vector<std::string>> listed_devices(const char* variable) {
  const char* value = std::getenv(variable);
  if (value == nullptr) return std::nullopt;
  const std::string text(value);
  if (text == "-1" || text == "NoDevFiles" || text == "none") return std::vector<std::string>{};
  return split_list(text);
}

std::vector<std::string> numbered(int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) ids.push_back(std::to_string(i));
  return ids;
}

}  // namespace

double detect_cpus() {
  if (const char* slurm = std::getenv("SLURM_CPUS_PER_TASK")) {
    const double cpus = std::atof(slurm);
    if (cpus > 0) return cpus;
  }
  cpu_set_t mask;
  if (sched_getaffinity(0, sizeof mask, &mask) == 0) return CPU_COUNT(&mask);
  return std::max(1U, std::thread::hardware_concurrency());
}

GpuInventory detect_gpus(int count) {
  if (count >= 0) {
    // Name them as the launcher does when it can, so logs match the devices really meant.
    auto visible = listed_devices("CUDA_VISIBLE_DEVICES").value_or(std::vector<std::string>{});
    auto ids = static_cast<int>(visible.size()) >= count ? visible : numbered(count);
    ids.resize(static_cast<std::size_t>(count));
    return {std::move(ids), "--num-gpus", true};
  }
#if MANTA_WITH_CUDA
  int devices = 0;
  if (cudaGetDeviceCount(&devices) == cudaSuccess) {
    auto ids = listed_devices("CUDA_VISIBLE_DEVICES").value_or(numbered(devices));
    ids.resize(static_cast<std::size_t>(devices), "?");
    return {std::move(ids), "CUDA runtime", false};
  }
#endif
  for (const char* variable : {"CUDA_VISIBLE_DEVICES", "SLURM_STEP_GPUS", "SLURM_JOB_GPUS"}) {
    if (auto ids = listed_devices(variable)) return {std::move(*ids), variable, false};
  }
  if (const char* on_node = std::getenv("SLURM_GPUS_ON_NODE")) {
    return {numbered(std::atoi(on_node)), "SLURM_GPUS_ON_NODE", false};
  }
  return {{}, "no GPU found", false};
}

std::vector<int> share_of_node(const GpuInventory& inventory, int node_rank, int node_size) {
  std::vector<int> ordinals;
  const int count = static_cast<int>(inventory.ids.size());
  const int step = inventory.per_rank ? 1 : node_size;
  for (int ordinal = inventory.per_rank ? 0 : node_rank; ordinal < count; ordinal += step) {
    ordinals.push_back(ordinal);
  }
  return ordinals;
}

std::uint64_t detect_memory() { return util::usable_memory().bytes; }

void bind_gpu([[maybe_unused]] int ordinal) noexcept {
#if MANTA_WITH_CUDA
  if (const cudaError_t status = cudaSetDevice(ordinal); status != cudaSuccess) {
    // Counted GPUs without a usable device (--num-gpus on a machine without one): the task
    // still runs, and its own CUDA calls report the same error.
    static std::once_flag warned;
    std::call_once(warned, [&] {
      util::log().warn("cudaSetDevice({}) failed: {}; GPU tasks run without a current device",
                       ordinal, cudaGetErrorString(status));
    });
  }
#endif
}

void ensure_kokkos_initialized(int num_threads, int device) {
  if (Kokkos::is_initialized()) return;
  Kokkos::InitArguments arguments(num_threads, -1, device, /*disable_warnings=*/true);
  Kokkos::initialize(arguments);
  std::atexit([] {
    if (Kokkos::is_initialized()) Kokkos::finalize();
  });
}

}  // namespace manta::resources
