#include "core/timers.hpp"

namespace manta::core {

Timers::~Timers() {
  std::map<std::pair<Clock::time_point, Id>, std::function<void()>> dropped;
  {
    util::LockGuard lock(mutex_);
    stopping_ = true;
    dropped.swap(pending_);
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  // `dropped` goes here, without the lock: a callback's captures may do work when destroyed.
}

Timers::Id Timers::schedule(Clock::time_point when, std::function<void()> callback) {
  util::LockGuard lock(mutex_);
  const Id id = next_id_++;
  pending_.emplace(std::pair(when, id), std::move(callback));
  deadlines_.emplace(id, when);
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
  changed_.notify_all();
  return id;
}

void Timers::cancel(Id id) {
  std::function<void()> dropped;
  {
    util::LockGuard lock(mutex_);
    const auto deadline = deadlines_.find(id);
    if (deadline == deadlines_.end()) return;  // running or ran
    const auto found = pending_.find(std::pair(deadline->second, id));
    dropped = std::move(found->second);
    pending_.erase(found);
    deadlines_.erase(deadline);
  }
}

void Timers::loop() {
  util::UniqueLock lock(mutex_);
  while (!stopping_) {
    if (pending_.empty()) {
      changed_.wait(lock.native());
      continue;
    }
    const auto first = pending_.begin();
    // A copy: cancel() may erase the entry while this thread waits.
    const Clock::time_point deadline = first->first.first;
    if (Clock::now() < deadline) {
      changed_.wait_until(lock.native(), deadline);
      continue;
    }
    auto callback = std::move(first->second);
    deadlines_.erase(first->first.second);
    pending_.erase(first);
    lock.unlock();
    callback();
    callback = nullptr;  // its captures go without the lock too
    lock.lock();
  }
}

}  // namespace manta::core
