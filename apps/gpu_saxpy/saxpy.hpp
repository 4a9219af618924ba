// y = a·x + y on the calling thread's current CUDA device (compiled by nvcc, in saxpy.cu).
#pragma once

#include <vector>

/// @throws std::runtime_error naming the CUDA call that failed
void saxpy_on_current_device(float a, const std::vector<float>& x, std::vector<float>& y);
