#include "core/object.hpp"

#include <utility>

namespace manta::core {

void Object::seal(std::unique_ptr<ValueBox> value) {
  value_ = std::move(value);
  finish(State::ready);
}

void Object::fail(std::exception_ptr error) {
  error_ = std::move(error);
  finish(State::failed);
}

void Object::finish(State state) {
  std::vector<Callback> callbacks;
  {
    util::LockGuard lock(mutex_);
    state_.store(state, std::memory_order_release);
    callbacks.swap(callbacks_);
    // Under the mutex: a waiter may go away as soon as remove_waiter can take it.
    for (WaitLink* link = waiters_; link != nullptr;) {
      WaitLink* const next = link->next;
      link->waiter->one_ready();
      link = next;
    }
    waiters_ = nullptr;
  }
  for (auto& callback : callbacks) callback();
}

// cancel() announces itself before it looks at the producer, and clear_cancellable() clears the
// producer before it looks for a cancel (both sequentially consistent): either the cancel sees
// no producer, or the clear sees the cancel and waits for its lock.
void Object::clear_cancellable() noexcept {
  cancellable_.store(nullptr);
  if (cancel_called_.load()) {
    util::LockGuard wait_for_cancel(mutex_);
  }
}

void Object::cancel(CancelMode mode) {
  cancel_called_.store(true);
  std::function<void()> then;
  {
    util::LockGuard lock(mutex_);
    if (Cancellable* producer = cancellable_.load()) then = producer->cancel_locked(mode);
  }
  if (then) then();
}

void Object::on_ready(Callback callback) {
  {
    util::LockGuard lock(mutex_);
    if (!is_ready()) {
      callbacks_.push_back(std::move(callback));
      return;
    }
  }
  callback();
}

void Object::add_waiter(WaitLink& link) {
  {
    util::LockGuard lock(mutex_);
    if (!is_ready()) {
      link.previous = nullptr;
      link.next = waiters_;
      if (waiters_ != nullptr) waiters_->previous = &link;
      waiters_ = &link;
      return;
    }
  }
  link.waiter->one_ready();
}

void Object::remove_waiter(WaitLink& link) noexcept {
  util::LockGuard lock(mutex_);
  if (is_ready()) return;  // finish() has emptied the list
  if (link.previous != nullptr) {
    link.previous->next = link.next;
  } else {
    waiters_ = link.next;
  }
  if (link.next != nullptr) link.next->previous = link.previous;
}

}  // namespace manta::core
