/// @file util/spin.hpp
/// @brief Polling for a moment before sleeping. Waking a thread that sleeps on an idle core
/// takes tens of µs on a VM (the vCPU halts and the host must schedule it again); a thread that
/// polls sees the change within a µs.
#pragma once

#include <chrono>
#include <thread>

namespace manta::util {

/// @brief Polls `done` until it returns true or `budget` has passed; returns its last result.
///
/// Yields the core between polls: on a node with more threads than cores, the thread that will
/// make `done` true may need it. A zero budget polls once.
/// @code
/// if (!util::spin_until([&] { return flag.load(); }, budget)) sleep_until_flag();
/// @endcode
template <class Done>
bool spin_until(Done&& done, std::chrono::microseconds budget) {
  if (done()) return true;
  if (budget <= std::chrono::microseconds::zero()) return false;
  const auto end = std::chrono::steady_clock::now() + budget;
  do {
    std::this_thread::yield();
    if (done()) return true;
  } while (std::chrono::steady_clock::now() < end);
  return false;
}

}  // namespace manta::util
