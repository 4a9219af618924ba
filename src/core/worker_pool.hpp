/// @file core/worker_pool.hpp
/// @brief The rank's worker processes, which run process-isolated tasks (Isolation::process),
/// and the loop a worker process runs.
#pragma once

#include "process/worker_spawner.hpp"
#include "transport/wire.hpp"

#include <sys/types.h>

#include <mutex>
#include <string>
#include <vector>

namespace manta::core {

/// @brief The worker process running one task, for a forced cancel to kill it. Thread-safe.
class WorkerWatch {
 public:
  /// Kills the task's worker process if it runs now, and any the task would run in later.
  void kill();

 private:
  friend class WorkerPool;
  std::mutex mutex_;
  pid_t pid_ = 0;  ///< guarded by mutex_; the worker running the task, 0 between runs
  bool killed_ = false;
};

/// @brief Worker processes of this rank: started through the helper process when a
/// process-isolated task finds none idle, reused afterwards, replaced when one dies. Each runs
/// one task at a time; the executor thread that runs the task waits for its reply (and holds the
/// task's CPUs meanwhile, as the worker uses them). Thread-safe.
class WorkerPool {
 public:
  /// `spawner` null: process isolation is not available here, because of `why`.
  WorkerPool(int rank, transport::WireLimits limits, process::WorkerSpawner* spawner,
             std::string why);
  /// Closes the idle workers' channels: they exit.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// @throws InvalidOptionError naming the task and why, when process isolation is not
  /// available on this rank
  void check_available(const std::string& task_name) const;

  /// Runs the call `request` names (arguments inline) in a worker process and returns its reply.
  /// The calling thread waits, up to request.timeout_seconds when set.
  /// @throws WorkerCrashedError when the worker process died before it replied (a signal, exit(),
  /// or `watch` killed it); TaskTimeoutError after the timeout (the worker is killed);
  /// manta::Error when no worker can be started
  transport::TaskReply run(const transport::TaskRequest& request, WorkerWatch& watch);

 private:
  /// An idle worker, or a new one. @throws manta::Error
  process::WorkerSpawner::Worker take();
  /// How `worker` ended, once its channel closed: "killed by signal 9 (SIGKILL)".
  std::string reap(process::WorkerSpawner::Worker& worker);

  const int rank_;
  const transport::WireLimits limits_;
  process::WorkerSpawner* const spawner_;
  const std::string unavailable_;
  std::mutex mutex_;
  std::vector<process::WorkerSpawner::Worker> idle_;  ///< guarded by mutex_
};

/// What a worker process runs: the task requests that arrive on `channel`, one at a time, each
/// answered with its reply, until the channel closes.
void serve_tasks(process::Channel& channel);

}  // namespace manta::core
