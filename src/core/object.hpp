/// @file core/object.hpp
/// @brief One object of the object store as the runtime sees it: state, value or error, and the
/// callbacks and blocked threads waiting for it.
#pragma once

#include "core/waiter.hpp"
#include "util/mutex.hpp"

#include <manta/detail/core_access.hpp>

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <vector>

namespace manta::core {

using detail::ValueBox;

/// @brief How manta::cancel stops a task (its CancelOptions, as they reach the core).
struct CancelMode {
  bool recursive = true;   ///< the tasks it submitted too
  bool force = false;      ///< kill the worker process of a process-isolated task
  bool timed_out = false;  ///< it ran past its timeout: fail it with TaskTimeoutError
};

/// @brief What runs to set a pending object (a task), told to stop by manta::cancel.
class Cancellable {
 public:
  /// Called with the object's lock held, so the producer cannot finish meanwhile: marks it
  /// cancelled and returns what is left to do once the lock is released (it may be gone then).
  virtual std::function<void()> cancel_locked(CancelMode mode) = 0;

 protected:
  ~Cancellable() = default;
};

/// @brief The result of a task or actor call, or a put. Immutable once ready.
///
/// Shared through an intrusive count: each ObjectRef holds one reference, a task holds one on its
/// result until it has set it, and the runtime one per dependency registration that is pending.
/// The last release frees the object and its bytes (typed value or store block).
class Object {
 public:
  enum class State : std::uint8_t { pending, ready, failed };
  using Callback = std::function<void()>;

  /// A pending object with one reference. `producer` names what will set it (static storage).
  Object(ObjectId id, const char* producer) : id_(id), producer_(producer) {}
  /// A ready object holding `value`, with one reference.
  Object(ObjectId id, const char* producer, std::unique_ptr<ValueBox> value)
      : state_(State::ready), id_(id), producer_(producer), value_(std::move(value)) {}

  void retain() noexcept { references_.fetch_add(1, std::memory_order_relaxed); }
  /// Drops one reference; frees the object when it was the last.
  void release() noexcept {
    if (references_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  ObjectId id() const noexcept { return id_; }
  const char* producer() const noexcept { return producer_; }
  /// Ready or failed: nothing more will change.
  bool is_ready() const noexcept {
    return state_.load(std::memory_order_acquire) != State::pending;
  }
  bool has_failed() const noexcept {
    return state_.load(std::memory_order_acquire) == State::failed;
  }

  /// Sets the value, counts it on the waiters and runs the waiting callbacks on this thread.
  /// Called once.
  void seal(std::unique_ptr<ValueBox> value);
  /// Sets the error (a TaskError, usually), as seal() does. Called once.
  void fail(std::exception_ptr error);
  /// Runs `callback` once the object is ready or failed: now, on this thread, if it already is.
  void on_ready(Callback callback);
  /// Counts this object on `link.waiter` once it is ready or failed: now, if it already is.
  /// Allocates nothing: `link` itself joins the list. Call remove_waiter(link) before `link` or
  /// its waiter goes away.
  void add_waiter(WaitLink& link);
  /// Takes `link` out of the list if it is still there; from then on this object touches
  /// neither `link` nor its waiter.
  void remove_waiter(WaitLink& link) noexcept;

  /// The executor frame (Executor::current_frame) of the task running to set it, 0 before it
  /// runs or when it runs elsewhere: a worker waiting for this object may run that task's queued
  /// children meanwhile.
  std::uint64_t running_frame() const noexcept {
    return running_frame_.load(std::memory_order_relaxed);
  }
  void set_running_frame(std::uint64_t frame) noexcept {
    running_frame_.store(frame, std::memory_order_relaxed);
  }

  /// Names what runs to set this object.
  void set_cancellable(Cancellable* producer) noexcept {
    cancellable_.store(producer, std::memory_order_release);
  }
  /// The producer is about to go away: from now on cancel() does not reach it. Waits for a
  /// cancel() that may be using it; cheap when none ever came (two atomic operations, no lock:
  /// every task finishes through here).
  void clear_cancellable() noexcept;
  /// Tells the producer to stop (manta::cancel), if one is running to set this object.
  void cancel(CancelMode mode);
  /// The next result of a task submitted by the same task (its list of children, for a
  /// recursive cancel); set once, before the list shows this object.
  Object* next_sibling() const noexcept { return next_sibling_; }
  void set_next_sibling(Object* sibling) noexcept { next_sibling_ = sibling; }

  /// The value; only once is_ready() and !has_failed().
  const ValueBox& value() const noexcept { return *value_; }
  /// The error; only once has_failed().
  const std::exception_ptr& error() const noexcept { return error_; }

 private:
  ~Object() = default;
  void finish(State state);

  std::atomic<int> references_{1};
  std::atomic<State> state_{State::pending};
  std::atomic<std::uint64_t> running_frame_{0};
  const ObjectId id_;
  const char* const producer_;
  std::unique_ptr<ValueBox> value_;  ///< written once, before state_ leaves pending
  std::exception_ptr error_;         ///< written once, before state_ becomes failed
  util::Mutex mutex_;
  std::vector<Callback> callbacks_ MANTA_GUARDED_BY(mutex_);  ///< emptied when the state is set
  WaitLink* waiters_ MANTA_GUARDED_BY(mutex_) = nullptr;      ///< emptied when the state is set
  std::atomic<Cancellable*> cancellable_{nullptr};            ///< used under mutex_ by cancel()
  std::atomic<bool> cancel_called_{false};                    ///< cancel() was called once
  Object* next_sibling_ = nullptr;
};

}  // namespace manta::core
