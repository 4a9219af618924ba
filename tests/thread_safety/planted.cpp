// A counter whose every use is locked, compiled by planted-violations.sh through
// cmake/check-thread-safety.sh: as it is it must pass, and with MANTA_PLANT=<n> one use loses its
// lock and the check must refuse it.
#include "util/mutex.hpp"

#include <condition_variable>

#ifndef MANTA_PLANT
#define MANTA_PLANT 0
#endif

namespace manta {

class Counter {
 public:
  void increment() {
#if MANTA_PLANT != 1  // 1: a guarded member written without its mutex
    util::LockGuard lock(mutex_);
#endif
    ++count_;
    changed_.notify_all();
  }

  void wait_for(int count) {
    util::UniqueLock lock(mutex_);
#if MANTA_PLANT == 2  // 2: a condition variable's predicate that does not say it holds the mutex
    changed_.wait(lock.native(), [&] { return count_ >= count; });
#else
    changed_.wait(lock.native(), [&]() MANTA_REQUIRES(mutex_) { return count_ >= count; });
#endif
  }

  void add(int n) {
#if MANTA_PLANT != 3  // 3: a function that needs the mutex called without it
    util::LockGuard lock(mutex_);
#endif
    add_locked(n);
  }

  int read_twice() {
    util::UniqueLock lock(mutex_);
    const int first = count_;
    lock.unlock();
#if MANTA_PLANT == 4  // 4: a guarded member read after the lock was released
    const int second = count_;
#else
    const int second = 0;
#endif
    lock.lock();
    return first + second + count_;
  }

  void pause() {
    util::UniqueLock lock(mutex_);
    pause_locked(lock);
  }

 private:
  void add_locked(int n) MANTA_REQUIRES(mutex_) { count_ += n; }

  /// Releases the lock it was handed for a moment.
  void pause_locked(util::UniqueLock<>& lock) MANTA_REQUIRES(mutex_) {
    lock.unlock(mutex_);
#if MANTA_PLANT == 5  // 5: the same, in a function the lock was handed to
    ++count_;
#endif
    lock.lock(mutex_);
    ++count_;
  }

  util::Mutex mutex_;
  std::condition_variable changed_;
  int count_ MANTA_GUARDED_BY(mutex_) = 0;
};

}  // namespace manta

int main() {
  manta::Counter counter;
  counter.increment();
  counter.add(2);
  counter.wait_for(3);
  counter.pause();
  return counter.read_twice() == 8 ? 0 : 1;
}
