/// @file core/executor.hpp
/// @brief The rank's worker threads and its resources: runs each queued Runnable once what it
/// asks for (CPUs, GPUs, memory, custom resources) is free.
#pragma once

#include "resources/pool.hpp"
#include "util/mutex.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace manta::core {

class Object;
class Waiter;

/// @brief Work the executor runs: a task, or a drain of an actor's mailbox.
class Runnable {
 public:
  /// What happens to the resources after run(): given back, or kept (an actor keeps what it
  /// was placed with until it is destroyed).
  enum class Units { release, keep };

  virtual ~Runnable() = default;
  /// Runs on a worker thread holding `request`. May delete `this`; the executor does not touch
  /// the runnable after run() returns.
  virtual Units run() = 0;
  /// Whether another rank may run it instead, if it is still queued (a task not pinned to this
  /// rank whose arguments can travel).
  virtual bool stealable() const noexcept { return false; }
  /// It will never run: `reason` says why (its placement-group bundle was removed, or cannot
  /// hold it). Called instead of run(), without locks; may delete `this`.
  virtual void abandon(const std::string& reason) = 0;
  /// What it is, for a message about it while it runs ("task 'NAME'").
  virtual std::string describe() const = 0;
  /// Whether manta::cancel asked it to stop (manta::cancelled() inside it).
  virtual bool cancel_requested() const noexcept { return false; }
  /// It submitted the task producing `child` while it ran: a task keeps it for a recursive
  /// cancel. Returns false when the child is to be cancelled at birth.
  virtual bool submitted(Object& child) {
    static_cast<void>(child);
    return true;
  }

  resources::Request request;
  /// The running runnable whose thread submitted it (0: submitted from outside the executor's
  /// threads). A worker blocked in `get` runs the queued work its own runnable submitted.
  std::uint64_t parent = 0;
  /// The GPU shares the executor gave it for `request` (filled in just before run()). The
  /// executor gives them back with the rest only when `request` asks for GPUs, so an actor's
  /// later drains, which ask for nothing, still run on its devices.
  std::vector<resources::DeviceShare> granted;
};

/// @brief A pool of worker threads sharing the rank's resources.
///
/// Threads start as one per CPU. A worker whose runnable blocks in `get` first runs, on its own
/// stack, the queued work that runnable or the runnables it waits for submitted, newest first
/// (help_until): a recursion of nested tasks then runs depth-first on as many threads as CPUs.
/// Only when that is not enough does it give its CPUs back and sleep (block_begin). Queued work
/// that could run while no thread is free then starts a thread, up to a few beyond the CPUs;
/// past them, it waits for a running thread, and when every thread is blocked a blocked worker
/// is woken to run it on its own stack (a thread starts only when none can, up to max_threads).
/// The thread count is never why work stops. A thread that runs out of work polls the queue for
/// `spin` before it sleeps. Thread-safe.
class Executor {
 public:
  Executor(resources::Capacity total, std::size_t max_threads, std::chrono::microseconds spin);
  /// Stops the threads; queued work that has not started is dropped (shutdown drains first).
  ~Executor();
  /// Stops and joins the threads now (the destructor does it otherwise). Idempotent.
  void stop();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  /// Queues `runnable`; it runs once its request is free. The caller has checked that the
  /// rank's totals hold it.
  void submit(Runnable* runnable);
  const resources::Capacity& total() const noexcept { return total_; }
  /// Gives back what a runnable kept (Units::keep), to the bundle it came from if any.
  void release(const resources::Request& request, std::span<const resources::DeviceShare> granted);

  /// Called by a worker thread about to block until `ready()`: runs the queued work its runnable
  /// submitted or the `awaited` frames submitted (the runnables running to produce what it waits
  /// for), newest first, each once its request is free, until `ready()` or none is left. This is
  /// leapfrogging (Wagner and Calder): what runs on the waiter's stack is always a descendant of
  /// its own runnable or of one it waits for, so it never waits for a runnable below it.
  /// No-op off worker threads and while ready() holds.
  void help_until(const std::function<bool()>& ready, std::span<const std::uint64_t> awaited);
  /// Called by a worker thread before it blocks on something other work must produce: gives its
  /// CPUs back and makes sure a thread is free to run queued work. A `helper` (the waiter it
  /// sleeps on, for waits without a deadline) may be interrupted to run queued work when every
  /// thread is blocked: then call help_blocked. No-op off worker threads.
  void block_begin(Waiter* helper = nullptr);
  /// Called by a blocked worker whose `helper` was interrupted: runs queued work (any, oldest
  /// first) on its stack until `helper->enough()` or none can start, then blocks again.
  void help_blocked(Waiter& helper);
  /// Called when it wakes: takes its CPUs again (possibly overcommitting for a moment).
  void block_end(Waiter* helper = nullptr);

  /// Whether a runnable needing only `cpu` would start at once: it is free and nothing waits.
  bool can_start_now(resources::Amount cpu) const;
  /// Runnables queued, not started yet.
  std::size_t queued() const;
  /// Work on this rank in CPUs: queued runnables plus the CPUs in use.
  double load_in_cpus() const;

  /// Removes and returns queued stealable runnables that need only CPUs, newest first, needing
  /// at most `cpu` in all and at most half of what is queued.
  std::vector<Runnable*> steal(resources::Amount cpu);
  /// Everything free now.
  resources::Capacity available() const;
  /// CPUs free now (may be negative for a moment while blocked workers overcommit).
  resources::Amount free_cpu() const;
  /// Called (on a worker thread, without locks) each time the rank runs out of work: nothing
  /// queued, nothing running. Set once, before work is submitted.
  void set_idle_hook(std::function<void()> hook) { idle_hook_ = std::move(hook); }

  /// Names the runnable running on the calling thread (Runnable::parent of what it submits); 0
  /// off worker threads.
  static std::uint64_t current_frame() noexcept;
  /// Takes `runnable` out of the queue if it is still there (it will not run); returns whether
  /// it was.
  bool withdraw(Runnable* runnable);

  /// The runnable running on the calling thread (the innermost, when it runs nested under a
  /// blocked one); nullptr off worker threads. Valid only during its run().
  static Runnable* current_runnable() noexcept;
  /// The GPUs the calling thread's runnable holds (empty off worker threads).
  static std::span<const resources::DeviceShare> current_devices() noexcept;

  /// Makes a placement-group bundle out of resources a runnable acquired from the rank (and
  /// kept): runnables whose request names `key` draw from it from now on. Returns false, having
  /// given them back, when the bundle was removed before it was made.
  bool add_bundle(std::int64_t key, const resources::Request& reserved,
                  std::vector<resources::DeviceShare> granted);
  /// Removes a bundle: queued work for it is abandoned, and its resources go back to the rank
  /// once nothing running holds any of them.
  void remove_bundle(std::int64_t key);

 private:
  /// @brief A placement-group bundle on this rank: its own pool, carved out of the rank's.
  struct Bundle {
    resources::Pool pool;
    resources::Request reserved;                  ///< taken from the rank's pool
    std::vector<resources::DeviceShare> granted;  ///< GPU shares among them
    std::size_t holders = 0;  ///< runnables running on, or keeping, its resources
    bool removed = false;
  };

  void worker_loop();
  /// Runs a runnable take_runnable_locked or take_child_locked returned, on this thread, and
  /// gives back what it held; the lock is released meanwhile. Restores the thread's WorkerState
  /// afterwards, as it runs nested under a blocked runnable too.
  void run_locked(util::UniqueLock<>& lock, Runnable* runnable, Bundle* bundle)
      MANTA_REQUIRES(mutex_);
  /// Runs queued work on this blocked worker's stack until `ready()`: what `parents` submitted
  /// (newest first), or, with no parents, any (oldest first). `lock` is released while work
  /// runs and held again on return.
  void run_nested_locked(util::UniqueLock<>& lock, const std::function<bool()>& ready,
                         std::span<const std::uint64_t> parents) MANTA_REQUIRES(mutex_);
  /// The first queued runnable (within a lookahead) whose request is free now, acquired; sets
  /// `bundle` to the bundle it drew from.
  Runnable* take_runnable_locked(Bundle*& bundle) MANTA_REQUIRES(mutex_);
  /// The newest queued runnable one of `parents` submitted whose request is free now, acquired.
  Runnable* take_child_locked(std::span<const std::uint64_t> parents, Bundle*& bundle)
      MANTA_REQUIRES(mutex_);
  /// Removes a runnable from queue_, keeping holding_no_cpu_ right.
  std::deque<Runnable*>::iterator erase_locked(std::deque<Runnable*>::iterator it)
      MANTA_REQUIRES(mutex_);
  /// Acquires what `runnable` asks for from its pool; sets `bundle` to the bundle it drew from.
  bool acquire_locked(Runnable& runnable, Bundle*& bundle) MANTA_REQUIRES(mutex_);
  void release_locked(const resources::Request& request,
                      std::span<const resources::DeviceShare> granted, Bundle* bundle)
      MANTA_REQUIRES(mutex_);
  /// Gives a removed bundle's resources back to the rank once nothing holds them.
  void retire_if_unused_locked(std::int64_t key) MANTA_REQUIRES(mutex_);
  /// Runs abandon() on what take_runnable_locked set aside, without the lock.
  void abandon_set_aside(util::UniqueLock<>& lock) MANTA_REQUIRES(mutex_);
  /// Starts a worker thread unless eager_threads_ run (then, when every thread is blocked, wakes a
  /// blocked helper to run queued work, or starts one if there is none, up to max_threads);
  /// returns whether the queued work will find a thread.
  bool spawn_locked() MANTA_REQUIRES(mutex_);
  /// Sends an idle thread to queued work unless enough are on their way already; returns
  /// whether a sleeping one must be notified (after unlocking).
  bool claim_idle_locked() MANTA_REQUIRES(mutex_);
  /// Whether a thread woken for `runnable` would find its CPUs free, counting the threads already
  /// on their way and `taken` CPUs that the calling thread is about to take.
  bool worth_waking_locked(const Runnable& runnable, resources::Amount taken = 0) const
      MANTA_REQUIRES(mutex_);
  /// Sends every idle thread to look at the queue again; notify_all after unlocking.
  void claim_all_locked() MANTA_REQUIRES(mutex_);
  /// Waits for work: polls for spin_ first unless `spun` (the last poll found nothing), then
  /// sleeps. Returns whether this call polled and found nothing.
  bool wait_for_work(util::UniqueLock<>& lock, bool spun) MANTA_REQUIRES(mutex_);

  const resources::Capacity total_;
  const std::size_t max_threads_;
  /// Threads that start whenever queued work could run and none is free; beyond them, one starts
  /// only when no thread is running work (all are blocked or idle).
  std::size_t eager_threads_ = 0;
  const std::chrono::microseconds spin_;
  mutable util::Mutex mutex_;
  std::condition_variable work_available_;
  resources::Pool pool_ MANTA_GUARDED_BY(mutex_);
  /// The runnables holding no CPU first, then the others, each kind in submission order (work
  /// that takes no CPU slot must not wait behind work waiting for one).
  std::deque<Runnable*> queue_ MANTA_GUARDED_BY(mutex_);
  std::size_t holding_no_cpu_ MANTA_GUARDED_BY(mutex_) = 0;  ///< how many lead queue_
  std::vector<std::thread> threads_ MANTA_GUARDED_BY(mutex_);
  std::size_t idle_ MANTA_GUARDED_BY(mutex_) = 0;     ///< threads waiting for work
  std::size_t blocked_ MANTA_GUARDED_BY(mutex_) = 0;  ///< threads between block_begin and end
  /// Waiters of blocked threads that may be interrupted to run queued work.
  std::vector<Waiter*> helpers_ MANTA_GUARDED_BY(mutex_);
  std::size_t spinning_ MANTA_GUARDED_BY(mutex_) = 0;  ///< of those, polling (not asleep)
  std::size_t wakeups_ MANTA_GUARDED_BY(mutex_) = 0;   ///< of those, sent to work, not yet up
  /// Raised (under mutex_) whenever idle threads are sent to work; polling threads watch it.
  std::atomic<std::uint64_t> claims_{0};
  bool stopping_ MANTA_GUARDED_BY(mutex_) = false;
  bool warned_thread_limit_ MANTA_GUARDED_BY(mutex_) = false;
  std::size_t running_ MANTA_GUARDED_BY(mutex_) = 0;  ///< runnables started, not returned
  /// Bundles on this rank, and keys removed before their bundle was made.
  std::unordered_map<std::int64_t, std::unique_ptr<Bundle>> bundles_ MANTA_GUARDED_BY(mutex_);
  std::unordered_set<std::int64_t> removed_early_ MANTA_GUARDED_BY(mutex_);
  /// Runnables that will never run, with why, to abandon without the lock.
  std::vector<std::pair<Runnable*, std::string>> set_aside_ MANTA_GUARDED_BY(mutex_);
  std::function<void()> idle_hook_;
};

}  // namespace manta::core
