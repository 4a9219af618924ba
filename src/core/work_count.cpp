#include "core/work_count.hpp"

#include "util/log.hpp"

#include <chrono>

namespace manta::core {

void WorkCount::finished() noexcept {
  if (outstanding_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    util::LockGuard lock(mutex_);
    done_.notify_all();
  }
}

void WorkCount::wait_until_done() {
  util::UniqueLock lock(mutex_);
  while (!done_.wait_for(lock.native(), std::chrono::seconds(10),
                         [&] { return outstanding_.load() == 0; })) {
    util::log().warn("shutdown: waiting for {} tasks and actor calls to finish",
                     outstanding_.load());
  }
}

}  // namespace manta::core
