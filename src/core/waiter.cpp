#include "core/waiter.hpp"

namespace manta::core {

void Waiter::one_ready() {
  if (ready_.fetch_add(1, std::memory_order_acq_rel) + 1 != needed_) return;
  // Taken so the notify cannot fall between the sleeper's check of enough() and its sleep.
  std::lock_guard lock(mutex_);
  woken_.notify_one();
}

bool Waiter::sleep_until(const detail::Deadline& deadline) {
  std::unique_lock lock(mutex_);
  const auto woken = [this] { return interrupted_ || enough(); };
  if (!deadline) {
    woken_.wait(lock, woken);
  } else {
    woken_.wait_until(lock, *deadline, woken);
  }
  interrupted_ = false;
  return enough();
}

void Waiter::interrupt() {
  std::lock_guard lock(mutex_);
  interrupted_ = true;
  woken_.notify_one();
}

}  // namespace manta::core
