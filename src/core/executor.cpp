#include "core/executor.hpp"

#include "util/log.hpp"

#include <algorithm>
#include <cmath>

namespace manta::core {
namespace {

/// What the current thread is running, when it is one of an executor's workers.
struct WorkerState {
  Executor* executor = nullptr;
  std::int64_t units = 0;
};
thread_local WorkerState current_worker;

/// How far down the queue a free thread looks for work that fits the free units, so that a
/// large request at the head does not hold back small ones behind it.
constexpr std::size_t lookahead = 64;

}  // namespace

Executor::Executor(std::int64_t total_units, std::size_t max_threads)
    : total_units_(total_units), max_threads_(max_threads), pool_(total_units) {
  const auto initial = std::max<std::int64_t>(
      1, (total_units + resources::units_per_cpu - 1) / resources::units_per_cpu);
  std::lock_guard lock(mutex_);
  for (std::int64_t i = 0; i < initial; ++i) spawn_locked();
}

Executor::~Executor() { stop(); }

void Executor::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    threads.swap(threads_);
  }
  work_available_.notify_all();
  for (auto& thread : threads) thread.join();
}

void Executor::spawn_locked() {
  if (stopping_) return;
  if (threads_.size() >= max_threads_) {
    if (!warned_thread_limit_) {
      warned_thread_limit_ = true;
      util::log().warn("executor: all {} worker threads are busy or blocked; work waits for one",
                       max_threads_);
    }
    return;
  }
  threads_.emplace_back([this] { worker_loop(); });
}

void Executor::submit(Runnable* runnable) {
  std::unique_lock lock(mutex_);
  queue_.push_back(runnable);
  // A notified thread counts as busy until it wakes up, so one submission wakes one thread; a
  // new thread starts only when none is waiting and this work can start now (a full rank keeps
  // its threads, and a burst does not start a thread per task).
  if (idle_ > wakeups_) {
    ++wakeups_;
    lock.unlock();
    work_available_.notify_one();
    return;
  }
  if (idle_ == 0 && runnable->cpu_units <= pool_.available()) spawn_locked();
}

void Executor::release(std::int64_t units) {
  {
    std::lock_guard lock(mutex_);
    pool_.release(units);
    wakeups_ = idle_;
  }
  work_available_.notify_all();
}

Runnable* Executor::take_runnable_locked() {
  const auto end = queue_.begin() + static_cast<std::ptrdiff_t>(std::min(queue_.size(), lookahead));
  const auto found = std::find_if(queue_.begin(), end, [&](Runnable* runnable) {
    return runnable->cpu_units <= pool_.available();
  });
  if (found == end) return nullptr;
  Runnable* runnable = *found;
  queue_.erase(found);
  pool_.try_acquire(runnable->cpu_units);
  return runnable;
}

void Executor::worker_loop() {
  current_worker.executor = this;
  std::unique_lock lock(mutex_);
  while (true) {
    Runnable* runnable = take_runnable_locked();
    if (runnable == nullptr) {
      if (stopping_) return;
      ++idle_;
      work_available_.wait(lock);
      --idle_;
      if (wakeups_ > 0) --wakeups_;
      continue;
    }
    const std::int64_t units = runnable->cpu_units;
    ++running_;
    // More work that can start (fractional CPUs) and no thread waiting to take it: start one.
    if (idle_ == 0 && queue_.size() > 0 && queue_.front()->cpu_units <= pool_.available()) {
      spawn_locked();
    }
    lock.unlock();
    current_worker.units = units;
    const Runnable::Units after = runnable->run();  // may delete runnable
    current_worker.units = 0;
    lock.lock();
    --running_;
    if (after == Runnable::Units::release && units > 0) {
      pool_.release(units);
      if (!queue_.empty() && idle_ > wakeups_) {
        ++wakeups_;
        work_available_.notify_one();
      }
    }
    if (running_ == 0 && queue_.empty() && idle_hook_) {
      lock.unlock();
      idle_hook_();
      lock.lock();
    }
  }
}

void Executor::block_begin() {
  if (current_worker.executor != this) return;
  std::unique_lock lock(mutex_);
  pool_.release(current_worker.units);
  if (queue_.empty()) return;
  if (idle_ > wakeups_) {
    ++wakeups_;
    lock.unlock();
    work_available_.notify_one();
  } else if (idle_ == 0) {
    spawn_locked();  // the queued work may be what this worker waits for
  }
}

void Executor::block_end() {
  if (current_worker.executor != this) return;
  std::lock_guard lock(mutex_);
  pool_.acquire_overcommitted(current_worker.units);
}

bool Executor::can_start_now(std::int64_t units) const {
  std::lock_guard lock(mutex_);
  return queue_.empty() && units <= pool_.available();
}

double Executor::load_in_cpus() const {
  std::lock_guard lock(mutex_);
  return static_cast<double>(queue_.size()) +
         static_cast<double>(total_units_ - pool_.available()) / resources::units_per_cpu;
}

std::vector<Runnable*> Executor::steal(std::int64_t units) {
  std::lock_guard lock(mutex_);
  std::vector<Runnable*> stolen;
  const std::size_t most = queue_.size() / 2;
  for (auto it = queue_.end(); it != queue_.begin() && stolen.size() < most;) {
    --it;
    Runnable* runnable = *it;
    if (!runnable->stealable() || runnable->cpu_units > units) continue;
    units -= runnable->cpu_units;
    stolen.push_back(runnable);
    it = queue_.erase(it);
  }
  return stolen;
}

std::int64_t Executor::free_units() const {
  std::lock_guard lock(mutex_);
  return pool_.available();
}

}  // namespace manta::core
