#include "core/executor.hpp"
#include "core/waiter.hpp"

#include "resources/discovery.hpp"
#include "util/log.hpp"
#include "util/spin.hpp"
#include "util/timeline.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace manta::core {
namespace {

/// What the current thread is running, when it is one of an executor's workers.
struct WorkerState {
  Executor* executor = nullptr;
  resources::Pool* pool = nullptr;  ///< the rank's, or the bundle's the runnable drew from
  resources::Amount cpu = 0;
  std::span<const resources::DeviceShare> devices;
  Runnable* runnable = nullptr;  ///< running; valid only while it runs (run() may delete it)
  std::uint64_t frame = 0;  ///< names the running runnable (Runnable::parent of what it submits)
  unsigned depth = 0;       ///< runnables on this thread's stack: the running one, those it helps
};

bool only_cpu(const resources::Request& request) noexcept {
  return request.gpu == 0 && request.memory == 0 && request.custom.empty();
}
thread_local WorkerState current_worker;

/// How far down the queue a free thread looks for work that fits the free units, so that a
/// large request at the head does not hold back small ones behind it.
constexpr std::size_t lookahead = 64;
/// How far up from the queue's tail a blocked worker looks for the work its runnable submitted
/// (it was submitted last, unless other threads submitted much since).
constexpr std::size_t child_lookback = 4096;
/// Runnables one thread's stack holds at most (each helping the one below it); 128 levels of
/// nested tasks are far inside the default 8 MiB thread stack.
constexpr unsigned max_nesting = 128;
/// Frames of awaited runnables a blocked worker looks for the children of.
constexpr std::size_t max_awaited_frames = 4;
/// Threads beyond one per CPU that start without waiting for every thread to block: enough to
/// keep the CPUs busy while a few workers wait for other ranks, few enough that waits nested
/// across ranks do not start a thread each (fib(25) on 4 ranks reached 512).
constexpr std::size_t spare_threads = 4;
/// How long an idle thread sleeps before it looks at the queue again without being woken.
constexpr auto idle_recheck = std::chrono::milliseconds(100);

/// A name for a runnable about to run on this thread, distinct from every other thread's.
std::uint64_t next_frame() {
  static std::atomic<std::uint64_t> threads{0};
  thread_local const std::uint64_t prefix = (threads.fetch_add(1) + 1) << 32;
  thread_local std::uint32_t count = 0;
  return prefix | ++count;
}

}  // namespace

Executor::Executor(resources::Capacity total, std::size_t max_threads,
                   std::chrono::microseconds spin)
    : total_(std::move(total)), max_threads_(max_threads), spin_(spin), pool_(total_) {
  const auto initial = std::max<resources::Amount>(
      1, (total_.cpu + resources::units_per_unit - 1) / resources::units_per_unit);
  util::LockGuard lock(mutex_);
  eager_threads_ = static_cast<std::size_t>(initial) + spare_threads;
  for (std::int64_t i = 0; i < initial; ++i) spawn_locked();
}

Executor::~Executor() { stop(); }

void Executor::stop() {
  std::vector<std::thread> threads;
  {
    util::LockGuard lock(mutex_);
    stopping_ = true;
    threads.swap(threads_);
    claim_all_locked();
  }
  work_available_.notify_all();
  for (auto& thread : threads) thread.join();
}

bool Executor::spawn_locked() {
  if (stopping_) return false;
  if (threads_.size() >= eager_threads_) {
    if (threads_.size() > blocked_ + idle_) return false;  // a running thread takes it next
    if (!helpers_.empty()) {
      // Every thread is blocked: one of them runs the work rather than a thread per blocked get.
      helpers_.back()->interrupt();
      helpers_.pop_back();
      return true;
    }
  }
  if (threads_.size() >= max_threads_) {
    if (!warned_thread_limit_) {
      warned_thread_limit_ = true;
      util::log().warn("executor: all {} worker threads are blocked and none can run queued work",
                       max_threads_);
    }
    return false;
  }
  threads_.emplace_back([this, index = threads_.size()] {
    util::timeline::name_thread("worker " + std::to_string(index));
    worker_loop();
  });
  return true;
}

bool Executor::claim_idle_locked() {
  ++wakeups_;
  claims_.fetch_add(1, std::memory_order_release);
  // Polling threads see claims_ change; only the claims beyond them need a sleeper woken.
  return wakeups_ > spinning_;
}

void Executor::claim_all_locked() {
  wakeups_ = idle_;
  claims_.fetch_add(1, std::memory_order_release);
}

bool Executor::wait_for_work(util::UniqueLock<>& lock, bool spun) {
  ++idle_;
  if (!spun && spin_ > std::chrono::microseconds::zero()) {
    // Work submitted within spin_ starts at once, without the wake-up of a sleeping thread.
    ++spinning_;
    const auto seen = claims_.load(std::memory_order_relaxed);
    lock.unlock(mutex_);
    util::spin_until([&] { return claims_.load(std::memory_order_acquire) != seen; }, spin_);
    lock.lock(mutex_);
    --spinning_;
    --idle_;
    const bool claimed = claims_.load(std::memory_order_relaxed) != seen;
    if (claimed && wakeups_ > 0) --wakeups_;
    return !claimed;
  }
  // A bounded sleep: a lost wake-up then delays work by idle_recheck instead of leaving it
  // queued beside a sleeping thread. glibc 2.36 (Debian 12) can lose a notify_one among several
  // waiters (sourceware bug 25847). The decrement below also takes back a wake-up that was lost,
  // so later submissions notify again.
  work_available_.wait_for(lock.native(), idle_recheck);
  --idle_;
  if (wakeups_ > 0) --wakeups_;
  return false;
}

bool Executor::worth_waking_locked(const Runnable& runnable, resources::Amount taken) const {
  const auto& request = runnable.request;
  if (request.bundle >= 0 || !only_cpu(request)) return true;  // the woken thread looks closer
  if (request.cpu == 0) return true;  // starts even while blocked workers overcommit the rank
  const auto on_their_way = static_cast<resources::Amount>(wakeups_ + 1);
  return taken + on_their_way * request.cpu <= pool_.available().cpu;
}

void Executor::submit(Runnable* runnable) {
  runnable->parent = current_worker.executor == this ? current_worker.frame : 0;
  util::UniqueLock lock(mutex_);
  if (runnable->request.cpu == 0) {
    // Work that holds no CPU (a zero-CPU actor's calls, as Ray's default actors) goes before the
    // work that waits for CPUs, in order among its kind: an actor's first call waited 4 s behind
    // 160 queued 50 ms tasks on 2 CPUs, out of the lookahead of a thread started to run it.
    queue_.insert(queue_.begin() + static_cast<std::ptrdiff_t>(holding_no_cpu_), runnable);
    ++holding_no_cpu_;
  } else {
    queue_.push_back(runnable);
  }
  // A thread sent to work counts as busy until it is up, so one submission sends one thread, and
  // only if the work can start: while every CPU is taken, the threads that hold them take the
  // queued work as they finish (waking idle threads that find no CPU made bursts of tasks cost
  // a futex wake-up and a sleep each). A new thread starts only when none is waiting and this
  // work can start now (a full rank keeps its threads, and a burst does not start a thread per
  // task).
  if (idle_ > wakeups_) {
    if (worth_waking_locked(*runnable) && claim_idle_locked()) {
      lock.unlock();
      work_available_.notify_one();
    }
    return;
  }
  // Zero-CPU work starts also while blocked workers, back from their wait, overcommit the rank
  // (free CPUs below zero): no CPU would come free for it while they run.
  const bool can_start =
      runnable->request.cpu == 0 || runnable->request.cpu <= pool_.available().cpu;
  if (idle_ == 0 && can_start) spawn_locked();
}

void Executor::release(const resources::Request& request,
                       std::span<const resources::DeviceShare> granted) {
  {
    util::LockGuard lock(mutex_);
    Bundle* bundle = nullptr;
    if (request.bundle >= 0) {
      const auto found = bundles_.find(request.bundle);
      if (found != bundles_.end()) bundle = found->second.get();
    }
    release_locked(request, granted, bundle);
    claim_all_locked();
  }
  work_available_.notify_all();
}

bool Executor::acquire_locked(Runnable& runnable, Bundle*& bundle) {
  const auto& request = runnable.request;
  resources::Pool* pool = &pool_;
  bundle = nullptr;
  if (request.bundle >= 0) {
    const auto found = bundles_.find(request.bundle);
    if (found == bundles_.end()) {
      // Not made yet (its reservation may still wait for resources), or removed before.
      if (removed_early_.contains(request.bundle)) {
        set_aside_.emplace_back(&runnable, "its placement group was removed");
      }
      return false;
    }
    bundle = found->second.get();
    if (bundle->removed || !bundle->pool.total().holds(request)) {
      set_aside_.emplace_back(&runnable, bundle->removed
                                             ? "its placement group was removed"
                                             : "its placement-group bundle can never hold it");
      return false;
    }
    pool = &bundle->pool;
  }
  const bool acquired = only_cpu(request) ? pool->try_acquire_cpu(request.cpu)
                                          : pool->try_acquire(request, runnable.granted);
  if (acquired && bundle != nullptr) ++bundle->holders;
  return acquired;
}

void Executor::release_locked(const resources::Request& request,
                              std::span<const resources::DeviceShare> granted, Bundle* bundle) {
  resources::Pool& pool = bundle != nullptr ? bundle->pool : pool_;
  if (only_cpu(request)) {
    pool.release_cpu(request.cpu);
  } else {
    pool.release(request, request.gpu > 0 ? granted : std::span<const resources::DeviceShare>());
  }
  if (bundle != nullptr) {
    --bundle->holders;
    if (bundle->removed) retire_if_unused_locked(request.bundle);
  }
}

Runnable* Executor::take_runnable_locked(Bundle*& bundle) {
  auto end = queue_.begin() + static_cast<std::ptrdiff_t>(std::min(queue_.size(), lookahead));
  for (auto it = queue_.begin(); it != end;) {
    if (acquire_locked(**it, bundle)) {
      Runnable* taken = *it;
      erase_locked(it);
      return taken;
    }
    if (!set_aside_.empty() && set_aside_.back().first == *it) {
      it = erase_locked(it);  // abandoned once the lock is released
      end = queue_.begin() + static_cast<std::ptrdiff_t>(std::min(queue_.size(), lookahead));
      continue;
    }
    ++it;
  }
  return nullptr;
}

Runnable* Executor::take_child_locked(std::span<const std::uint64_t> parents, Bundle*& bundle) {
  const std::size_t stop = queue_.size() - std::min(queue_.size(), child_lookback);
  for (std::size_t i = queue_.size(); i > stop; --i) {
    const auto it = queue_.begin() + static_cast<std::ptrdiff_t>(i - 1);
    if (std::find(parents.begin(), parents.end(), (*it)->parent) == parents.end()) continue;
    if (acquire_locked(**it, bundle)) {
      Runnable* taken = *it;
      erase_locked(it);
      return taken;
    }
    if (!set_aside_.empty() && set_aside_.back().first == *it) erase_locked(it);
  }
  return nullptr;
}

std::deque<Runnable*>::iterator Executor::erase_locked(std::deque<Runnable*>::iterator it) {
  if (it - queue_.begin() < static_cast<std::ptrdiff_t>(holding_no_cpu_)) --holding_no_cpu_;
  return queue_.erase(it);
}

void Executor::abandon_set_aside(util::UniqueLock<>& lock) {
  if (set_aside_.empty()) return;
  auto abandoned = std::move(set_aside_);
  set_aside_.clear();
  lock.unlock(mutex_);
  for (auto& [runnable, reason] : abandoned) runnable->abandon(reason);
  lock.lock(mutex_);
}

bool Executor::add_bundle(std::int64_t key, const resources::Request& reserved,
                          std::vector<resources::DeviceShare> granted) {
  {
    util::LockGuard lock(mutex_);
    if (removed_early_.erase(key) > 0) {
      pool_.release(reserved, granted);
      return false;
    }
    resources::Capacity capacity{.cpu = reserved.cpu,
                                 .memory = reserved.memory,
                                 .custom = std::vector<resources::Amount>(total_.custom.size()),
                                 .devices = granted};
    for (const auto& [index, units] : reserved.custom) capacity.custom[index] = units;
    auto bundle = std::make_unique<Bundle>(
        Bundle{resources::Pool(std::move(capacity)), reserved, std::move(granted), 0, false});
    bundle->reserved.bundle = -1;  // it came from the rank's pool
    bundles_.emplace(key, std::move(bundle));
    claim_all_locked();
  }
  work_available_.notify_all();  // work for this bundle may be queued already
  return true;
}

void Executor::remove_bundle(std::int64_t key) {
  {
    util::LockGuard lock(mutex_);
    const auto found = bundles_.find(key);
    if (found == bundles_.end()) {
      removed_early_.insert(key);
    } else {
      found->second->removed = true;
      retire_if_unused_locked(key);
    }
    claim_all_locked();
  }
  work_available_.notify_all();  // queued work for it is abandoned by the next worker to look
}

void Executor::retire_if_unused_locked(std::int64_t key) {
  const auto found = bundles_.find(key);
  if (found->second->holders > 0) return;
  pool_.release(found->second->reserved, found->second->granted);
  bundles_.erase(found);
  // Queued work that names it now finds neither the bundle nor a reservation to wait for.
  removed_early_.insert(key);
}

void Executor::worker_loop() {
  current_worker.executor = this;
  util::UniqueLock lock(mutex_);
  bool spun = false;
  while (true) {
    Bundle* bundle = nullptr;
    Runnable* runnable = take_runnable_locked(bundle);
    abandon_set_aside(lock);
    if (runnable == nullptr) {
      if (stopping_) return;
      spun = wait_for_work(lock, spun);
      continue;
    }
    spun = false;
    run_locked(lock, runnable, bundle);
    if (running_ == 0 && queue_.empty() && idle_hook_) {
      lock.unlock();
      idle_hook_();
      lock.lock();
    }
  }
}

void Executor::run_locked(util::UniqueLock<>& lock, Runnable* runnable, Bundle* bundle) {
  const resources::Request request = runnable->request;
  ++running_;
  // More work that can start (fractional CPUs) and no thread waiting to take it: start one.
  if (idle_ == 0 && queue_.size() > 0 && queue_.front()->request.cpu <= pool_.available().cpu) {
    spawn_locked();
  }
  lock.unlock(mutex_);
  const WorkerState outer = current_worker;
  current_worker.pool = bundle != nullptr ? &bundle->pool : &pool_;
  current_worker.cpu = request.cpu;
  current_worker.devices = runnable->granted;
  current_worker.runnable = runnable;
  current_worker.frame = next_frame();
  ++current_worker.depth;
  if (!runnable->granted.empty()) resources::bind_gpu(runnable->granted.front().device);
  // The runnable may delete itself: what is given back afterwards is a copy.
  std::vector<resources::DeviceShare> granted;
  if (request.gpu > 0) granted = runnable->granted;
  const Runnable::Units after = runnable->run();
  current_worker = outer;
  if (!granted.empty() && !outer.devices.empty()) resources::bind_gpu(outer.devices.front().device);
  lock.lock(mutex_);
  --running_;
  if (after == Runnable::Units::release) {
    release_locked(request, granted, bundle);
    // This thread takes the first queued runnable; another is woken only for a second that
    // can start beside it.
    if (queue_.size() > 1 && idle_ > wakeups_ &&
        worth_waking_locked(*queue_[1], queue_.front()->request.cpu) && claim_idle_locked()) {
      work_available_.notify_one();
    }
  }
}

void Executor::run_nested_locked(util::UniqueLock<>& lock, const std::function<bool()>& ready,
                                 std::span<const std::uint64_t> parents) {
  if (current_worker.depth >= max_nesting) return;
  while (!ready()) {
    Bundle* bundle = nullptr;
    Runnable* runnable =
        parents.empty() ? take_runnable_locked(bundle) : take_child_locked(parents, bundle);
    abandon_set_aside(lock);
    if (runnable == nullptr) return;
    run_locked(lock, runnable, bundle);
  }
}

void Executor::help_until(const std::function<bool()>& ready,
                          std::span<const std::uint64_t> awaited) {
  if (current_worker.executor != this || ready()) return;
  std::array<std::uint64_t, 1 + max_awaited_frames> parents{current_worker.frame};
  const std::size_t count = 1 + std::min(awaited.size(), max_awaited_frames);
  std::copy_n(awaited.begin(), count - 1, parents.begin() + 1);
  // One lock for a wait that finds nothing to help with (its object comes from another thread
  // or rank). Its CPUs go to the work it helps with (on one CPU, the child needs the parent's
  // slot).
  util::UniqueLock lock(mutex_);
  current_worker.pool->release_cpu(current_worker.cpu);
  run_nested_locked(lock, ready, std::span(parents.data(), count));
  current_worker.pool->acquire_cpu_overcommitted(current_worker.cpu);
}

void Executor::block_begin(Waiter* helper) {
  if (current_worker.executor != this) return;
  util::UniqueLock lock(mutex_);
  current_worker.pool->release_cpu(current_worker.cpu);
  ++blocked_;
  if (helper != nullptr && current_worker.depth < max_nesting) helpers_.push_back(helper);
  if (queue_.empty()) return;
  if (idle_ > wakeups_) {
    if (claim_idle_locked()) {
      lock.unlock();
      work_available_.notify_one();
    }
  } else if (idle_ == 0) {
    spawn_locked();  // the queued work may be what this worker waits for
  }
}

void Executor::help_blocked(Waiter& helper) {
  // One lock from the last look at the queue to blocking again: work submitted in between would
  // see this thread running and count on it to take that work (CI hung on fib(25), 4 ranks).
  util::UniqueLock lock(mutex_);
  --blocked_;
  run_nested_locked(lock, [&] { return helper.enough(); }, {});
  ++blocked_;
  helpers_.push_back(&helper);
}

void Executor::block_end(Waiter* helper) {
  if (current_worker.executor != this) return;
  util::LockGuard lock(mutex_);
  --blocked_;
  if (helper != nullptr) std::erase(helpers_, helper);
  current_worker.pool->acquire_cpu_overcommitted(current_worker.cpu);
}

bool Executor::can_start_now(resources::Amount cpu) const {
  util::LockGuard lock(mutex_);
  return queue_.empty() && cpu <= pool_.available().cpu;
}

std::size_t Executor::queued() const {
  util::LockGuard lock(mutex_);
  return queue_.size();
}

double Executor::load_in_cpus() const {
  util::LockGuard lock(mutex_);
  return static_cast<double>(queue_.size()) +
         static_cast<double>(total_.cpu - pool_.available().cpu) / resources::units_per_unit;
}

std::vector<Runnable*> Executor::steal(resources::Amount cpu) {
  util::LockGuard lock(mutex_);
  std::vector<Runnable*> stolen;
  const std::size_t most = queue_.size() / 2;
  for (auto it = queue_.end(); it != queue_.begin() && stolen.size() < most;) {
    --it;
    Runnable* runnable = *it;
    if (!runnable->stealable() || !runnable->request.cpu_only() || runnable->request.cpu > cpu) {
      continue;
    }
    cpu -= runnable->request.cpu;
    stolen.push_back(runnable);
    it = erase_locked(it);
  }
  return stolen;
}

resources::Capacity Executor::available() const {
  util::LockGuard lock(mutex_);
  return pool_.available();
}

resources::Amount Executor::free_cpu() const {
  util::LockGuard lock(mutex_);
  return pool_.available().cpu;
}

std::uint64_t Executor::current_frame() noexcept { return current_worker.frame; }

bool Executor::withdraw(Runnable* runnable) {
  util::LockGuard lock(mutex_);
  // Searched from the tail: what is cancelled was mostly submitted last.
  const auto found = std::find(queue_.rbegin(), queue_.rend(), runnable);
  if (found == queue_.rend()) return false;
  erase_locked(std::next(found).base());
  return true;
}

Runnable* Executor::current_runnable() noexcept { return current_worker.runnable; }

std::span<const resources::DeviceShare> Executor::current_devices() noexcept {
  return current_worker.devices;
}

}  // namespace manta::core
