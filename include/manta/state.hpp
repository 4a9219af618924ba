/// @file state.hpp
/// @brief What the job is doing now, asked from inside the program: Ray's state API
/// (`ray.util.state.list_tasks`, `list_actors`, `summarize_tasks`) as plain structs. Every rank
/// answers for itself; the calling rank gathers the answers.
#pragma once
#include "detail/public_header.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace manta {

/// @brief A task or actor call running now.
struct RunningTask {
  int rank = 0;
  std::string thread;  ///< the worker thread running it ("worker 3")
  std::string name;    ///< the registered function, or "Class.method" for an actor call
  bool actor_call = false;
  /// Seconds since it started (since it started this time, if it was retried).
  double running_seconds = 0;
  /// How deep it runs on its thread: 0, or 1 and more for work a blocked `get` runs on its stack.
  int depth = 0;
};

/// @brief An actor hosted by a rank of the job.
struct ActorState {
  /// starting: its constructor has not finished; restarting: a new instance is being built after
  /// a crash or a kill; dead: its calls fail (ActorDiedError).
  enum class Phase { starting, alive, restarting, dead };

  int rank = 0;
  std::string class_name;
  std::string name;  ///< its name option ("" for an unnamed actor)
  Phase phase = Phase::starting;
  int restarts = 0;                 ///< instances built after the first one
  std::uint64_t calls_waiting = 0;  ///< calls submitted, not finished yet (the running ones too)
  std::uint64_t calls_finished = 0;
};

/// The phase's name ("alive").
const char* to_string(ActorState::Phase phase) noexcept;

/// @brief What ran of one function or actor method, over the job.
struct FunctionSummary {
  std::string name;  ///< the registered function, or "Class.method"
  bool actor_method = false;
  std::uint64_t running = 0;
  std::uint64_t finished = 0;  ///< returned a value
  std::uint64_t failed = 0;    ///< threw, or its worker process died, with no retry left
  std::uint64_t retried = 0;   ///< runs that failed and were run again
  double total_seconds = 0;    ///< over the runs that ended (finished, failed or retried)
  double max_seconds = 0;

  /// Runs that ended.
  std::uint64_t ended() const noexcept { return finished + failed + retried; }
  /// Mean duration of the runs that ended (0 when none did).
  double mean_seconds() const noexcept {
    return ended() == 0 ? 0 : total_seconds / static_cast<double>(ended());
  }
  /// Adds the counts of other runs of the same function (another thread's, another rank's).
  FunctionSummary& operator+=(const FunctionSummary& other) noexcept {
    running += other.running;
    finished += other.finished;
    failed += other.failed;
    retried += other.retried;
    total_seconds += other.total_seconds;
    max_seconds = other.max_seconds > max_seconds ? other.max_seconds : max_seconds;
    return *this;
  }
};

/// @brief One rank's work now.
struct RankSummary {
  int rank = 0;
  std::string hostname;
  std::uint64_t queued = 0;   ///< tasks and actor drains waiting for a thread and resources
  std::uint64_t running = 0;  ///< tasks and actor calls running
  std::uint64_t actors = 0;   ///< actors hosted, dead ones not yet collected included
  std::uint64_t store_used_bytes = 0;      ///< in the rank's shared-memory object store
  std::uint64_t store_capacity_bytes = 0;  ///< of that store
  /// Objects that did not fit in the store and live in spill files now (--spill-dir), and
  /// their bytes.
  std::uint64_t spilled_objects = 0;
  std::uint64_t spilled_bytes = 0;
};

/// @brief The job's work: per function (summed over the ranks, most run first) and per rank.
struct JobSummary {
  std::vector<FunctionSummary> functions;
  std::vector<RankSummary> ranks;
};

/// @brief How long to wait for the ranks' answers.
struct StateOptions {
  /// A rank that has not answered by then is named in the GetTimeoutError thrown. A rank answers
  /// from its progress thread, so a rank whose threads all run long tasks still answers at once.
  std::chrono::duration<double> timeout = std::chrono::seconds(10);
};

/// @brief The tasks and actor calls running now on every rank, longest-running first.
/// @throws GetTimeoutError naming the ranks that did not answer within `options.timeout`
std::vector<RunningTask> list_tasks(StateOptions options = {});

/// @brief Every actor hosted on a rank of the job, by rank.
/// @throws GetTimeoutError naming the ranks that did not answer within `options.timeout`
std::vector<ActorState> list_actors(StateOptions options = {});

/// @brief Counts and durations per function and actor method since the runtime started, and
/// each rank's queue (Ray's `ray summary tasks`).
/// @code
/// for (const auto& f : manta::summary().functions)
///   std::printf("%s: %llu finished, mean %.3f s\n", f.name.c_str(),
///               static_cast<unsigned long long>(f.finished), f.mean_seconds());
/// @endcode
/// @throws GetTimeoutError naming the ranks that did not answer within `options.timeout`
JobSummary summary(StateOptions options = {});

}  // namespace manta
