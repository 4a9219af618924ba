/// @file core/work_stats.hpp
/// @brief What this rank's threads ran and run now, for manta::summary() and manta::list_tasks():
/// per function (or actor method), how many runs finished, failed or were retried and how long
/// they took; per thread, the runs on its stack. Always on: each thread writes counters of its
/// own (atomics with one writer, no lock but when it meets a function for the first time in a
/// row), and publishes its stack under a sequence lock; readers sum over the threads.
#pragma once

#include "util/labelled_output.hpp"
#include "util/mutex.hpp"
#include "util/timeline.hpp"

#include <manta/state.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace manta::core {

class WorkStats {
  struct Counters;
  struct Thread;

 public:
  WorkStats();
  ~WorkStats();
  WorkStats(const WorkStats&) = delete;
  WorkStats& operator=(const WorkStats&) = delete;

  /// @brief A task or actor call running on the calling thread, from construction to
  /// destruction: counted when it ends, listed meanwhile, and a span of the timeline.
  class Run {
   public:
    /// `name` outlives the runtime (a registered function's or method's name); `id` names the
    /// run in the timeline.
    Run(WorkStats& stats, util::timeline::Kind kind, const char* name, std::uint64_t id = 0);
    ~Run();
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    /// It failed (threw, or its worker process died) with no retry left.
    void failed() noexcept;
    /// It failed and runs again.
    void retried() noexcept;
    /// The timeline's flow `id` arrives at its start (a task sent from another rank).
    void flow_in(std::uint64_t id) noexcept { span_.flow_in(id); }

   private:
    enum class Outcome { finished, failed, retried };

    util::OutputLabel label_;  ///< the run's name on the lines it writes (--label-output)
    util::timeline::Span span_;
    Thread* thread_;
    Counters* counters_;
    std::int64_t start_ns_;
    Outcome outcome_ = Outcome::finished;
  };

  /// Every function's counts on this rank (running ones included), in no order.
  std::vector<FunctionSummary> functions() const;
  /// What runs now on this rank's threads (`rank` goes into each entry).
  std::vector<RunningTask> running(int rank) const;

 private:
  /// The calling thread's record, made on its first run.
  Thread& own_thread();

  const std::uint64_t serial_;  ///< tells this instance's thread records from an earlier one's
  mutable util::Mutex mutex_;
  std::vector<std::unique_ptr<Thread>> threads_ MANTA_GUARDED_BY(mutex_);
};

}  // namespace manta::core
