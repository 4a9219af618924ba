#include "resources/pool.hpp"

#include <algorithm>

namespace manta::resources {

Pool::Pool(Capacity total) : total_(std::move(total)), available_(total_) {}

DeviceShare* Pool::device(int ordinal) {
  for (auto& device : available_.devices) {
    if (device.device == ordinal) return &device;
  }
  return nullptr;
}

bool Pool::try_acquire(const Request& request, std::vector<DeviceShare>& granted) {
  if (request.gpu == 0 && request.memory == 0 && request.custom.empty()) {
    return try_acquire_cpu(request.cpu);
  }
  if (!available_.holds(request)) return false;
  granted.clear();
  if (request.gpu > 0 && request.gpu < units_per_unit) {
    DeviceShare* fullest = nullptr;
    for (auto& device : available_.devices) {
      if (device.share >= request.gpu && (fullest == nullptr || device.share < fullest->share)) {
        fullest = &device;
      }
    }
    fullest->share -= request.gpu;
    granted.push_back({fullest->device, request.gpu});
  } else if (request.gpu > 0) {
    for (auto& device : available_.devices) {
      if (device.share != units_per_unit) continue;
      device.share = 0;
      granted.push_back({device.device, units_per_unit});
      if (static_cast<Amount>(granted.size()) * units_per_unit == request.gpu) break;
    }
  }
  available_.cpu -= request.cpu;
  available_.memory -= request.memory;
  for (const auto& [index, units] : request.custom) available_.custom[index] -= units;
  return true;
}

void Pool::release(const Request& request, std::span<const DeviceShare> granted) {
  available_.cpu += request.cpu;
  available_.memory += request.memory;
  for (const auto& [index, units] : request.custom) available_.custom[index] += units;
  for (const auto& share : granted) device(share.device)->share += share.share;
}

}  // namespace manta::resources
