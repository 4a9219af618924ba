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
    std::lock_guard lock(mutex_);
    state_.store(state, std::memory_order_release);
    callbacks.swap(callbacks_);
  }
  for (auto& callback : callbacks) callback();
}

void Object::on_ready(Callback callback) {
  {
    std::lock_guard lock(mutex_);
    if (!is_ready()) {
      callbacks_.push_back(std::move(callback));
      return;
    }
  }
  callback();
}

}  // namespace manta::core
