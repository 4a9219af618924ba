/// @file util/thread_safety.hpp
/// @brief Annotations for clang's thread-safety analysis (-Wthread-safety): who locks what,
/// checked at compile time. Under clang each macro is the attribute of the same name
/// (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html); under other compilers, nothing.
///
/// @code
/// util::Mutex mutex_;
/// std::deque<Call*> queue_ MANTA_GUARDED_BY(mutex_);  // read or written only under mutex_
/// void drain_locked() MANTA_REQUIRES(mutex_);          // called with mutex_ held
/// @endcode
///
/// The analysis follows util::Mutex and its locks (util/mutex.hpp), not std::mutex.
/// cmake/check-thread-safety.sh runs it over src/ (src/README.md).
#pragma once

#if defined(__clang__)
#define MANTA_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define MANTA_THREAD_ANNOTATION(x)
#endif

/// A class whose objects are locks (`name`, e.g. "mutex", appears in the warnings).
#define MANTA_CAPABILITY(name) MANTA_THREAD_ANNOTATION(capability(name))
/// A class whose objects hold a capability for their lifetime (an RAII lock).
#define MANTA_SCOPED_CAPABILITY MANTA_THREAD_ANNOTATION(scoped_lockable)
/// A member read or written only while `mutex` is held.
#define MANTA_GUARDED_BY(mutex) MANTA_THREAD_ANNOTATION(guarded_by(mutex))
/// A pointer whose target is read or written only while `mutex` is held.
#define MANTA_PT_GUARDED_BY(mutex) MANTA_THREAD_ANNOTATION(pt_guarded_by(mutex))
/// A function called with these held (and returning with them held).
#define MANTA_REQUIRES(...) MANTA_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
/// A function that locks these (or `this`, for a lock's own methods) and returns holding them.
#define MANTA_ACQUIRE(...) MANTA_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
/// A function that unlocks these (or `this`), held when it is called.
#define MANTA_RELEASE(...) MANTA_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
/// A function that tries to lock: returns `result` (true) when it did.
#define MANTA_TRY_ACQUIRE(...) MANTA_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
/// A function that must not be called with these held (it takes them itself).
#define MANTA_EXCLUDES(...) MANTA_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
/// A function returning a reference to `mutex`, so that the analysis knows what it returns.
#define MANTA_RETURN_CAPABILITY(mutex) MANTA_THREAD_ANNOTATION(lock_returned(mutex))
/// The escape: the analysis skips this function. Only where it cannot follow the locking (a lock
/// it cannot see being held), with a comment saying why.
#define MANTA_NO_THREAD_SAFETY_ANALYSIS MANTA_THREAD_ANNOTATION(no_thread_safety_analysis)
