/// @file core/work_count.hpp
/// @brief The tasks and actor calls of this rank from submission to completion, so that shutdown
/// waits for all of them and the ranks can agree that the job is quiet.
#pragma once

#include "util/mutex.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>

namespace manta::core {

/// @brief Counts work submitted here and not finished, and all work ever submitted here.
/// Thread-safe; started() and finished() take no lock unless the last piece of work finishes.
class WorkCount {
 public:
  void started() noexcept {
    outstanding_.fetch_add(1, std::memory_order_relaxed);
    ever_started_.fetch_add(1, std::memory_order_relaxed);
  }
  void finished() noexcept;

  /// Returns once nothing submitted here is unfinished, saying every 10 s what it waits for.
  void wait_until_done();

  std::int64_t outstanding() const noexcept { return outstanding_.load(); }
  std::int64_t ever_started() const noexcept { return ever_started_.load(); }

 private:
  std::atomic<std::int64_t> outstanding_{0};
  std::atomic<std::int64_t> ever_started_{0};
  util::Mutex mutex_;  ///< orders the last finish's notification after a waiter's check
  std::condition_variable done_;
};

}  // namespace manta::core
