/// @file core/actor_policy.hpp
/// @brief How an actor is checkpointed besides on demand, restarted when it dies, and run
/// (ActorOptions, as the host keeps them).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace manta::core {

struct ActorPolicy {
  std::uint64_t every_calls = 0;                ///< 0: never
  std::chrono::steady_clock::duration every{};  ///< 0: never
  int max_restarts = 0;                         ///< -1: no limit
  int max_task_retries = 0;                     ///< -1: no limit
  int max_concurrency = 1;                      ///< calls running at once
  bool isolated = false;                        ///< in a worker process (Isolation::process)

  static ActorPolicy make(std::uint64_t every_calls, double every_seconds, int max_restarts,
                          int max_task_retries, int max_concurrency, bool isolated) {
    return {every_calls,
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                std::chrono::duration<double>(every_seconds)),
            max_restarts,
            max_task_retries,
            max_concurrency,
            isolated};
  }
};

/// Whether `used` is below `limit`, a count of ActorOptions where -1 means no limit (Ray's).
inline bool within(int used, int limit) noexcept { return limit < 0 || used < limit; }
/// A limit as the log shows it.
inline std::string limit_text(int limit) { return limit < 0 ? "unlimited" : std::to_string(limit); }

}  // namespace manta::core
