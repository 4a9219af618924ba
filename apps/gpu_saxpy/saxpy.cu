#include "saxpy.hpp"

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace {

__global__ void saxpy_kernel(int n, float a, const float* x, float* y) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}

void check(cudaError_t status, const char* call) {
  if (status != cudaSuccess) {
    throw std::runtime_error(std::string(call) + " failed: " + cudaGetErrorString(status));
  }
}

}  // namespace

void saxpy_on_current_device(float a, const std::vector<float>& x, std::vector<float>& y) {
  const int n = static_cast<int>(x.size());
  const std::size_t bytes = x.size() * sizeof(float);
  float* device_x = nullptr;
  float* device_y = nullptr;
  check(cudaMalloc(&device_x, bytes), "cudaMalloc");
  check(cudaMalloc(&device_y, bytes), "cudaMalloc");
  check(cudaMemcpy(device_x, x.data(), bytes, cudaMemcpyHostToDevice), "cudaMemcpy");
  check(cudaMemcpy(device_y, y.data(), bytes, cudaMemcpyHostToDevice), "cudaMemcpy");
  saxpy_kernel<<<(n + 255) / 256, 256>>>(n, a, device_x, device_y);
  check(cudaGetLastError(), "saxpy_kernel launch");
  check(cudaMemcpy(y.data(), device_y, bytes, cudaMemcpyDeviceToHost), "cudaMemcpy");
  cudaFree(device_x);
  cudaFree(device_y);
}
