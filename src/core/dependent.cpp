#include "core/dependent.hpp"

namespace manta::core {

void Dependent::wait_for(std::span<Object* const> dependencies) {
  for (Object* dependency : dependencies) {
    if (dependency->is_ready()) continue;
    pending_.fetch_add(1, std::memory_order_relaxed);
    dependency->on_ready([this] { one_ready(); });
  }
  one_ready();
}

std::exception_ptr Dependent::first_failure(std::span<Object* const> dependencies) {
  for (const Object* dependency : dependencies) {
    if (dependency->has_failed()) return dependency->error();
  }
  return nullptr;
}

}  // namespace manta::core
