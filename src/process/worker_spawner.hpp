/// @file process/worker_spawner.hpp
/// @brief The clean helper process that forks a rank's worker processes.
///
/// Forking a process that runs MPI and UCX is unsafe (their threads, locks, registered memory
/// and network state are copied half-way), so each process forks one helper before it starts
/// them; the helper forks the workers on request. A worker runs the given entry function on its
/// end of a channel, which the helper passes to the rank. The helper reaps its workers and
/// reports how each ended (its wait status), since the rank is not their parent.
///
/// Lifetimes: the helper dies with the process that forked it (PR_SET_PDEATHSIG, and the end of
/// its channel), and the workers die with the helper.
#pragma once

#include "process/channel.hpp"
#include "util/mutex.hpp"

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace manta::process {

/// What a worker process runs, on its end of the channel to the rank; the worker exits when it
/// returns.
using WorkerMain = void (*)(Channel& channel);

/// @brief The rank's side of the helper process. One per process; thread-safe.
class WorkerSpawner {
 public:
  /// Forks the helper, once per process; later calls return the same one. Call it before MPI
  /// or UCX start (the caller knows whether they have). @throws manta::Error if fork fails
  static WorkerSpawner& start(WorkerMain main);
  /// The helper started in this process, or nullptr.
  static WorkerSpawner* started();

  /// @brief A worker process just started, and the rank's end of its channel.
  struct Worker {
    pid_t pid = -1;
    Channel channel;
  };
  /// Starts a worker process. @throws manta::Error when the helper cannot
  Worker spawn();
  /// How worker `pid` ended (its wait status), once the helper has reported it; waits up to
  /// `timeout` for the report. Empty if none came.
  std::optional<int> wait_status(pid_t pid, std::chrono::milliseconds timeout);

  WorkerSpawner(const WorkerSpawner&) = delete;
  WorkerSpawner& operator=(const WorkerSpawner&) = delete;

 private:
  WorkerSpawner(pid_t helper, Channel channel) : helper_(helper), channel_(std::move(channel)) {}
  static util::Mutex& process_mutex();
  static std::unique_ptr<WorkerSpawner>& process_spawner() MANTA_REQUIRES(process_mutex());
  /// Reads the helper's next report; false if the helper is gone or `deadline` passed.
  bool read_report_locked(const Deadline& deadline, Worker* spawned) MANTA_REQUIRES(mutex_);

  const pid_t helper_;
  util::Mutex mutex_;
  Channel channel_ MANTA_GUARDED_BY(mutex_);
  /// Reported, not asked for yet.
  std::unordered_map<pid_t, int> exit_statuses_ MANTA_GUARDED_BY(mutex_);
};

/// "killed by signal 11 (SIGSEGV)" or "exited with code 3", for a wait status.
std::string describe_wait_status(int status);

}  // namespace manta::process
