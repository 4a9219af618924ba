/// @file core/dependent.hpp
/// @brief Something that waits for objects before it can run: a task or an actor call.
#pragma once

#include "core/object.hpp"

#include <atomic>
#include <exception>
#include <span>

namespace manta::core {

/// @brief Counts the dependencies still pending and reacts once when none are.
class Dependent {
 public:
  virtual ~Dependent() = default;

  /// Registers with each object of `dependencies` not yet ready. dependencies_ready() runs once
  /// all are ready: on the thread that makes the last one ready, or on this one, before this
  /// returns, if they already are. Call once.
  void wait_for(std::span<Object* const> dependencies);
  /// True once every dependency is ready (and wait_for has finished registering).
  bool dependencies_done() const noexcept { return pending_.load(std::memory_order_acquire) == 0; }

 protected:
  virtual void dependencies_ready() = 0;
  /// The error of the first failed dependency, or null: a call whose input failed fails too.
  static std::exception_ptr first_failure(std::span<Object* const> dependencies);

 private:
  void one_ready() {
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) dependencies_ready();
  }

  /// Pending dependencies, plus one held by wait_for while it registers.
  std::atomic<int> pending_{1};
};

}  // namespace manta::core
