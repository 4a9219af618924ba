/// @file eventually.hpp
/// @brief Polls a condition until it holds or a deadline passes: for what the runtime records
/// just after a result is ready (counts, lists), which a test reads right after `get`.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace manta_test {

/// Whether `condition` held within `timeout`, checked every few milliseconds.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::steady_clock::duration timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace manta_test
