// One GPU task per device: each computes y = a·x + y on the GPU Manta gave it (the runtime makes
// it the current device before the task runs; manta::gpu_ids() names it). Needs a CUDA build.
//
//   srun -n 4 --gpus-per-task=1 --mpi=pmix build/apps/gpu_saxpy
#include <manta/manta.hpp>

#include "saxpy.hpp"

#include <iostream>
#include <vector>

std::pair<int, float> saxpy_task(float a, std::vector<float> x, std::vector<float> y) {
  saxpy_on_current_device(a, x, y);
  float sum = 0;
  for (const float value : y) sum += value;
  return {manta::gpu_ids().front(), sum};
}
MANTA_REMOTE(saxpy_task);

int main(int argc, char** argv) {
  return manta::run(argc, argv, [] {
    const int gpus = static_cast<int>(manta::cluster_resources()["GPU"]);
    if (gpus == 0) {
      std::cout << "no GPU in this job (see --num-gpus and CUDA_VISIBLE_DEVICES)\n";
      return;
    }
    const std::vector<float> x(1 << 20, 1.0F);
    const std::vector<float> y(1 << 20, 2.0F);
    std::vector<manta::ObjectRef<std::pair<int, float>>> results;
    for (int i = 0; i < gpus; ++i) {
      results.push_back(manta::task(saxpy_task).options({.num_gpus = 1}).remote(3.0F, x, y));
    }
    for (const auto& [device, sum] : manta::get(results)) {
      std::cout << "device " << device << ": sum " << sum << " (expected " << 5.0 * (1 << 20)
                << ")\n";
    }
  });
}
