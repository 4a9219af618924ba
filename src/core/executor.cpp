#include "core/executor.hpp"

#include "resources/discovery.hpp"
#include "util/log.hpp"

#include <algorithm>
#include <cmath>

namespace manta::core {
namespace {

/// What the current thread is running, when it is one of an executor's workers.
struct WorkerState {
  Executor* executor = nullptr;
  resources::Amount cpu = 0;
  std::span<const resources::DeviceShare> devices;
};
thread_local WorkerState current_worker;

/// How far down the queue a free thread looks for work that fits the free units, so that a
/// large request at the head does not hold back small ones behind it.
constexpr std::size_t lookahead = 64;

}  // namespace

Executor::Executor(resources::Capacity total, std::size_t max_threads)
    : total_(std::move(total)), max_threads_(max_threads), pool_(total_) {
  const auto initial = std::max<resources::Amount>(
      1, (total_.cpu + resources::units_per_unit - 1) / resources::units_per_unit);
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
  if (idle_ == 0 && runnable->request.cpu <= pool_.available().cpu) spawn_locked();
}

void Executor::release(const resources::Request& request,
                       std::span<const resources::DeviceShare> granted) {
  {
    std::lock_guard lock(mutex_);
    pool_.release(request, granted);
    wakeups_ = idle_;
  }
  work_available_.notify_all();
}

bool Executor::acquire_locked(Runnable& runnable) {
  const auto& request = runnable.request;
  if (request.gpu == 0 && request.memory == 0 && request.custom.empty()) {
    return pool_.try_acquire_cpu(request.cpu);
  }
  return pool_.try_acquire(request, runnable.granted);
}

void Executor::release_locked(Runnable& runnable) {
  const auto& request = runnable.request;
  if (request.gpu == 0 && request.memory == 0 && request.custom.empty()) {
    pool_.release_cpu(request.cpu);
  } else {
    pool_.release(request, request.gpu > 0 ? std::span(runnable.granted)
                                           : std::span<const resources::DeviceShare>());
  }
}

Runnable* Executor::take_runnable_locked() {
  const auto end = queue_.begin() + static_cast<std::ptrdiff_t>(std::min(queue_.size(), lookahead));
  const auto found = std::find_if(queue_.begin(), end,
                                  [&](Runnable* runnable) { return acquire_locked(*runnable); });
  if (found == end) return nullptr;
  Runnable* runnable = *found;
  queue_.erase(found);
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
    const resources::Request request = runnable->request;
    ++running_;
    // More work that can start (fractional CPUs) and no thread waiting to take it: start one.
    if (idle_ == 0 && queue_.size() > 0 && queue_.front()->request.cpu <= pool_.available().cpu) {
      spawn_locked();
    }
    lock.unlock();
    current_worker.cpu = request.cpu;
    current_worker.devices = runnable->granted;
    if (!runnable->granted.empty()) resources::bind_gpu(runnable->granted.front().device);
    // The runnable may delete itself: what is given back afterwards is a copy.
    std::vector<resources::DeviceShare> granted;
    if (request.gpu > 0) granted = runnable->granted;
    const Runnable::Units after = runnable->run();
    current_worker = {this, 0, {}};
    lock.lock();
    --running_;
    if (after == Runnable::Units::release) {
      pool_.release(request, granted);
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
  pool_.release_cpu(current_worker.cpu);
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
  pool_.acquire_cpu_overcommitted(current_worker.cpu);
}

bool Executor::can_start_now(resources::Amount cpu) const {
  std::lock_guard lock(mutex_);
  return queue_.empty() && cpu <= pool_.available().cpu;
}

double Executor::load_in_cpus() const {
  std::lock_guard lock(mutex_);
  return static_cast<double>(queue_.size()) +
         static_cast<double>(total_.cpu - pool_.available().cpu) / resources::units_per_unit;
}

std::vector<Runnable*> Executor::steal(resources::Amount cpu) {
  std::lock_guard lock(mutex_);
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
    it = queue_.erase(it);
  }
  return stolen;
}

resources::Capacity Executor::available() const {
  std::lock_guard lock(mutex_);
  return pool_.available();
}

resources::Amount Executor::free_cpu() const {
  std::lock_guard lock(mutex_);
  return pool_.available().cpu;
}

std::span<const resources::DeviceShare> Executor::current_devices() noexcept {
  return current_worker.devices;
}

}  // namespace manta::core
