/// @file util/mutex.hpp
/// @brief A mutex clang's thread-safety analysis follows (util::Mutex, util::RecursiveMutex), and
/// the two ways to hold one: for a scope (LockGuard), or unlockable and usable with
/// std::condition_variable (UniqueLock).
///
/// The same std::mutex underneath and the same cost: only the annotations differ
/// (util/thread_safety.hpp), so that members marked MANTA_GUARDED_BY(mutex_) are checked.
///
/// @code
/// util::Mutex mutex_;
/// std::condition_variable changed_;
/// bool stopping_ MANTA_GUARDED_BY(mutex_) = false;
///
/// void stop() {
///   {
///     util::LockGuard lock(mutex_);
///     stopping_ = true;
///   }
///   changed_.notify_all();
/// }
/// void wait() {
///   util::UniqueLock lock(mutex_);
///   changed_.wait(lock.native(), [&]() MANTA_REQUIRES(mutex_) { return stopping_; });
/// }
/// @endcode
#pragma once

#include "util/thread_safety.hpp"

#include <cassert>
#include <mutex>

namespace manta::util {

template <class Native>
class LockGuard;
template <class Native>
class UniqueLock;

/// @brief `Native` (std::mutex or std::recursive_mutex) as a capability. Lock it through
/// LockGuard or UniqueLock; lock(), unlock() and try_lock() are there for the rare lock that
/// outlives a scope, and for std::lock.
template <class Native>
class MANTA_CAPABILITY("mutex") BasicMutex {
 public:
  BasicMutex() = default;
  BasicMutex(const BasicMutex&) = delete;
  BasicMutex& operator=(const BasicMutex&) = delete;

  void lock() MANTA_ACQUIRE() { native_.lock(); }
  void unlock() MANTA_RELEASE() { native_.unlock(); }
  /// Locks if no other thread holds it; returns whether it did. Hand the lock to a LockGuard
  /// (std::adopt_lock) at once.
  bool try_lock() MANTA_TRY_ACQUIRE(true) { return native_.try_lock(); }

 private:
  friend class LockGuard<Native>;
  friend class UniqueLock<Native>;
  Native native_;
};

using Mutex = BasicMutex<std::mutex>;
/// Recursive: a thread holding it may lock it again. The analysis does not count, so hold it
/// once per function.
using RecursiveMutex = BasicMutex<std::recursive_mutex>;

/// @brief Holds a mutex from construction to destruction (std::lock_guard).
template <class Native = std::mutex>
class MANTA_SCOPED_CAPABILITY LockGuard {
 public:
  explicit LockGuard(BasicMutex<Native>& mutex) MANTA_ACQUIRE(mutex) : mutex_(mutex) {
    mutex_.native_.lock();
  }
  /// Takes over `mutex`, which the calling thread has locked (BasicMutex::try_lock).
  LockGuard(BasicMutex<Native>& mutex, std::adopt_lock_t) MANTA_REQUIRES(mutex) : mutex_(mutex) {}
  ~LockGuard() MANTA_RELEASE() { mutex_.native_.unlock(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  BasicMutex<Native>& mutex_;
};

/// @brief Holds a mutex from construction, may release and take it again, and releases it at
/// destruction if held (std::unique_lock). native() is the std::unique_lock a
/// std::condition_variable waits with.
template <class Native = std::mutex>
class MANTA_SCOPED_CAPABILITY UniqueLock {
 public:
  explicit UniqueLock(BasicMutex<Native>& mutex) MANTA_ACQUIRE(mutex)
      : mutex_(&mutex), lock_(mutex.native_) {}
  ~UniqueLock() MANTA_RELEASE() {}
  UniqueLock(const UniqueLock&) = delete;
  UniqueLock& operator=(const UniqueLock&) = delete;

  void lock() MANTA_ACQUIRE() { lock_.lock(); }
  void unlock() MANTA_RELEASE() { lock_.unlock(); }

  /// The same, in a function this lock was handed to by reference
  /// (`void wait_locked(util::UniqueLock<>& lock) MANTA_REQUIRES(mutex_)`): clang follows a
  /// scoped lock only in the function that took it, so there the mutex is named. `mutex` must
  /// be the one this lock holds. (The analysis skips these two bodies: it cannot see that lock_
  /// holds `mutex`.)
  void unlock(BasicMutex<Native>& mutex) MANTA_RELEASE(mutex) MANTA_NO_THREAD_SAFETY_ANALYSIS {
    assert(&mutex == mutex_);
    static_cast<void>(mutex);
    lock_.unlock();
  }
  void lock(BasicMutex<Native>& mutex) MANTA_ACQUIRE(mutex) MANTA_NO_THREAD_SAFETY_ANALYSIS {
    assert(&mutex == mutex_);
    static_cast<void>(mutex);
    lock_.lock();
  }

  /// For std::condition_variable::wait (which returns with the mutex held again). A predicate
  /// that reads guarded members says so: `[&]() MANTA_REQUIRES(mutex_) { return ready_; }`.
  std::unique_lock<Native>& native() noexcept { return lock_; }

 private:
  [[maybe_unused]] BasicMutex<Native>* mutex_;  ///< for the asserts
  std::unique_lock<Native> lock_;
};

}  // namespace manta::util
