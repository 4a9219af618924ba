#include "core/waiter.hpp"

namespace manta::core {

void Waiter::one_ready() {
  if (ready_.fetch_add(1, std::memory_order_acq_rel) + 1 != needed_) return;
  // Taken so the notify cannot fall between the sleeper's check of enough() and its sleep.
  util::LockGuard lock(mutex_);
  woken_.notify_one();
}

bool Waiter::sleep_until(const detail::Deadline& deadline) {
  util::UniqueLock lock(mutex_);
  const auto woken = [this]() MANTA_REQUIRES(mutex_) { return interrupted_ || enough(); };
  if (!deadline) {
    woken_.wait(lock.native(), woken);
  } else {
    woken_.wait_until(lock.native(), *deadline, woken);
  }
  interrupted_ = false;
  return enough();
}

void Waiter::interrupt() {
  util::LockGuard lock(mutex_);
  interrupted_ = true;
  woken_.notify_one();
}

}  // namespace manta::core
