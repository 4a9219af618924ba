/// @file core/timers.hpp
/// @brief Callbacks run at deadlines, on a thread of their own: the timeouts of thread tasks.
#pragma once

#include "util/mutex.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <thread>
#include <utility>

namespace manta::core {

/// @brief Runs each scheduled callback once its deadline passes, unless it was cancelled first.
/// The thread starts with the first callback; callbacks run one at a time, without the lock.
/// Thread-safe.
class Timers {
 public:
  using Clock = std::chrono::steady_clock;
  using Id = std::uint64_t;

  Timers() = default;
  /// Stops the thread; callbacks still pending are dropped (destroyed, not run).
  ~Timers();
  Timers(const Timers&) = delete;
  Timers& operator=(const Timers&) = delete;

  /// Runs `callback` at `when` (at once if it has passed).
  Id schedule(Clock::time_point when, std::function<void()> callback);
  /// Drops the callback `id` if it has not started (it is destroyed here, not run).
  void cancel(Id id);

 private:
  void loop();

  util::Mutex mutex_;
  std::condition_variable changed_;
  /// Pending callbacks by deadline, then by id.
  std::map<std::pair<Clock::time_point, Id>, std::function<void()>> pending_
      MANTA_GUARDED_BY(mutex_);
  std::map<Id, Clock::time_point> deadlines_ MANTA_GUARDED_BY(mutex_);  ///< of the pending ones
  Id next_id_ MANTA_GUARDED_BY(mutex_) = 1;
  bool stopping_ MANTA_GUARDED_BY(mutex_) = false;
  std::thread thread_ MANTA_GUARDED_BY(mutex_);  ///< started by the first schedule()
};

}  // namespace manta::core
