/// @file core/executor.hpp
/// @brief The rank's worker threads and its CPU slots: runs each queued Runnable once the CPU
/// units it asks for are free.
#pragma once

#include "resources/cpu_pool.hpp"

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace manta::core {

/// @brief Work the executor runs: a task, or a drain of an actor's mailbox.
class Runnable {
 public:
  /// What happens to the CPU units after run(): given back, or kept (an actor keeps the units
  /// it was placed with until it is destroyed).
  enum class Units { release, keep };

  virtual ~Runnable() = default;
  /// Runs on a worker thread holding cpu_units. May delete `this`; the executor does not touch
  /// the runnable after run() returns.
  virtual Units run() = 0;
  /// Whether another rank may run it instead, if it is still queued (a task not pinned to this
  /// rank whose arguments can travel).
  virtual bool stealable() const noexcept { return false; }

  std::int64_t cpu_units = 0;
};

/// @brief A pool of worker threads sharing the rank's CPU units.
///
/// Threads start as one per CPU and grow only when work could run but every thread is blocked
/// (a `get` inside a task gives its units back: see block_begin), up to max_threads.
/// Thread-safe.
class Executor {
 public:
  Executor(std::int64_t total_units, std::size_t max_threads);
  /// Stops the threads; queued work that has not started is dropped (shutdown drains first).
  ~Executor();
  /// Stops and joins the threads now (the destructor does it otherwise). Idempotent.
  void stop();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  /// Queues `runnable`; it runs once `runnable->cpu_units` are free. The caller has checked
  /// that they are at most total_units().
  void submit(Runnable* runnable);
  std::int64_t total_units() const noexcept { return total_units_; }
  /// Gives back units a runnable kept (Units::keep).
  void release(std::int64_t units);

  /// Called by a worker thread before it blocks on something other work must produce: gives its
  /// units back and makes sure a thread is free to run queued work. No-op off worker threads.
  void block_begin();
  /// Called when it wakes: takes its units again (possibly overcommitting for a moment).
  void block_end();

  /// Whether a runnable needing `units` would start at once: they are free and nothing waits.
  bool can_start_now(std::int64_t units) const;
  /// Work on this rank in CPUs: queued runnables plus the CPUs in use.
  double load_in_cpus() const;

  /// Removes and returns queued stealable runnables, newest first, needing at most `units` in
  /// all and at most half of what is queued. Thread-safe.
  std::vector<Runnable*> steal(std::int64_t units);
  /// Units free now (may be negative for a moment while blocked workers overcommit).
  std::int64_t free_units() const;
  /// Called (on a worker thread, without locks) each time the rank runs out of work: nothing
  /// queued, nothing running. Set once, before work is submitted.
  void set_idle_hook(std::function<void()> hook) { idle_hook_ = std::move(hook); }

 private:
  void worker_loop();
  Runnable* take_runnable_locked();
  /// Starts a worker thread unless max_threads are running (then warns, once).
  void spawn_locked();

  const std::int64_t total_units_;
  const std::size_t max_threads_;
  mutable std::mutex mutex_;
  std::condition_variable work_available_;
  resources::CpuPool pool_;           ///< guarded by mutex_
  std::deque<Runnable*> queue_;       ///< guarded by mutex_; in submission order
  std::vector<std::thread> threads_;  ///< guarded by mutex_
  std::size_t idle_ = 0;              ///< guarded by mutex_; threads waiting for work
  std::size_t wakeups_ = 0;           ///< guarded by mutex_; of those, notified and not yet up
  bool stopping_ = false;             ///< guarded by mutex_
  bool warned_thread_limit_ = false;  ///< guarded by mutex_
  std::size_t running_ = 0;           ///< guarded by mutex_; runnables started, not returned
  std::function<void()> idle_hook_;
};

}  // namespace manta::core
