/// @file core/waiter.hpp
/// @brief A thread blocked in get or wait on a batch of objects, and the links that tie it to
/// each object of the batch.
#pragma once

#include "util/mutex.hpp"

#include <manta/detail/core_access.hpp>

#include <atomic>
#include <condition_variable>
#include <cstddef>

namespace manta::core {

class Waiter;

/// @brief One object's entry for a waiter: an intrusive node of that object's list of waiters,
/// so that registering allocates nothing (Object::add_waiter, Object::remove_waiter).
struct WaitLink {
  Waiter* waiter = nullptr;
  WaitLink* previous = nullptr;  ///< guarded by the object's mutex
  WaitLink* next = nullptr;      ///< guarded by the object's mutex
};

/// @brief Counts the ready objects of one batch, and wakes the waiting thread once, when there
/// are enough.
///
/// The batch shares this one waiter: each of its objects holds a WaitLink to it while pending and
/// calls one_ready() when it becomes ready, under the object's mutex. The waiting thread removes
/// every link (Object::remove_waiter) before the waiter goes away, so no object touches a dead
/// waiter. Lock order: an object's mutex, then the waiter's.
class Waiter {
 public:
  /// Waits for `needed` objects.
  explicit Waiter(std::size_t needed) noexcept : needed_(needed) {}
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;

  /// Counts one more object ready; wakes the waiting thread when that makes enough. Thread-safe.
  void one_ready();
  /// Whether `needed` objects are ready. Thread-safe.
  bool enough() const noexcept { return ready_.load(std::memory_order_acquire) >= needed_; }
  /// Blocks until enough(), `deadline` passes or interrupt(); returns enough().
  bool sleep_until(const detail::Deadline& deadline);
  /// Wakes the sleeping thread before enough() (the executor needs it to run queued work). An
  /// interrupt before the sleep ends the next sleep at once. Thread-safe.
  void interrupt();

 private:
  const std::size_t needed_;
  std::atomic<std::size_t> ready_{0};  ///< raised by one_ready, never lowered
  util::Mutex mutex_;                  ///< orders the wake-up after the sleeper's check
  std::condition_variable woken_;
  bool interrupted_ MANTA_GUARDED_BY(mutex_) = false;  ///< cleared by the sleep it ends
};

}  // namespace manta::core
