/// @file util/spin.hpp
/// @brief Polling for a moment before sleeping. Waking a thread that sleeps on an idle core
/// takes tens of µs on a VM (the vCPU halts and the host must schedule it again); a thread that
/// polls sees the change within a µs, but only while it has a core to itself.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

namespace manta::util {

/// How long polling stays off in the whole process once a poll found its core busy.
constexpr auto spin_backoff = std::chrono::milliseconds(100);

/// Until when (steady_clock ticks) polling is off; written by any thread.
inline std::atomic<std::chrono::steady_clock::rep> spin_off_until{0};

/// Threads of this process allowed to poll at once: the cores it can have to itself (set by the
/// runtime). More pollers than cores would take turns on them and delay the very threads they
/// wait for; the others sleep at once.
inline std::atomic<int> spin_slots{1};
/// Threads polling now.
inline std::atomic<int> spinning{0};

/// @brief Polls `done` until it returns true or `budget` has passed; returns its last result.
///
/// Yields the core between polls, so that polling threads take turns with the threads they wait
/// for. A yield that does not come back within `budget` means other threads needed the core; a
/// yielding thread then loses whole time slices to them (EEVDF), far longer than a wake-up, so
/// polling stops, and stays off in the process for spin_backoff. A zero budget polls once.
/// @code
/// if (!util::spin_until([&] { return flag.load(); }, budget)) sleep_until_flag();
/// @endcode
template <class Done>
bool spin_until(Done&& done, std::chrono::microseconds budget) {
  if (done()) return true;
  if (budget <= std::chrono::microseconds::zero()) return false;
  using Clock = std::chrono::steady_clock;
  auto now = Clock::now();
  if (now.time_since_epoch().count() < spin_off_until.load(std::memory_order_relaxed)) {
    return false;
  }
  if (spinning.fetch_add(1, std::memory_order_acquire) >=
      spin_slots.load(std::memory_order_relaxed)) {
    spinning.fetch_sub(1, std::memory_order_release);
    return false;
  }
  const auto end = now + budget;
  bool result = false;
  do {
    std::this_thread::yield();
    if (done()) {
      result = true;
      break;
    }
    const auto before = now;
    now = Clock::now();
    if (now - before > budget) {
      spin_off_until.store((now + spin_backoff).time_since_epoch().count(),
                           std::memory_order_relaxed);
      break;
    }
  } while (now < end);
  spinning.fetch_sub(1, std::memory_order_release);
  return result;
}

}  // namespace manta::util
