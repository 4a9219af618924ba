#include "core/actor.hpp"

#include "core/dependent.hpp"
#include "core/runtime.hpp"
#include "core/task_error.hpp"
#include "resources/cpu_pool.hpp"
#include "util/log.hpp"

#include <manta/error.hpp>

namespace manta::core {
namespace {

/// Calls a drain runs before it queues itself again, so busy actors share the threads.
constexpr int calls_per_drain = 64;

}  // namespace

/// @brief One queued call; the constructor is the call with no result object.
class Actor::Call final : public Dependent {
 public:
  Call(Actor& actor, const char* name, std::unique_ptr<detail::CallBody> body, Object* result)
      : actor_(actor), name_(name), body_(std::move(body)), result_(result) {}

  void start() { wait_for(body_->dependencies()); }
  const char* name() const noexcept { return name_; }
  detail::CallBody& body() noexcept { return *body_; }
  Object* result() const noexcept { return result_; }
  using Dependent::first_failure;

  /// Set once the dependencies are ready; guarded by the actor's mutex. The pending count alone
  /// is not enough: it reaches zero while dependencies_ready() still runs on this call.
  bool runnable = false;

 private:
  void dependencies_ready() override { actor_.call_ready(*this); }

  Actor& actor_;
  const char* name_;
  std::unique_ptr<detail::CallBody> body_;
  Object* result_;  ///< one reference until the call has run; null for the constructor
};

Actor::Actor(Runtime& runtime, const char* class_name, const ActorOptions& options,
             std::unique_ptr<detail::CallBody> constructor)
    : runtime_(runtime),
      generation_(runtime.generation()),
      name_(options.name.empty() ? std::string(class_name) : options.name),
      units_(resources::cpu_units(options.num_cpus, "num_cpus of actor '" + name_ + "'")) {
  if (!runtime.executor().feasible(units_)) {
    throw InfeasibleError(
        "actor '" + name_ + "' asks for num_cpus = " + resources::format_cpus(units_) +
        ", but this rank has " + resources::format_cpus(runtime.executor().total_units()) +
        " CPUs: it could never be placed");
  }
  drain_.cpu_units = units_;  // the first drain places the actor and keeps these
  enqueue(new Call(*this, class_name, std::move(constructor), nullptr));
}

Actor::~Actor() {
  instance_.reset();
  if (placed_ && units_ > 0) {
    if (Runtime* runtime = Runtime::current_if(generation_)) runtime->executor().release(units_);
  }
}

Object* Actor::submit(const char* method_name, std::unique_ptr<detail::CallBody> body) {
  auto* result = new Object(runtime_.next_object_id(), method_name);
  result->retain();  // the caller's reference; the call holds the first
  enqueue(new Call(*this, method_name, std::move(body), result));
  return result;
}

void Actor::enqueue(Call* call) {
  retain();
  runtime_.work_started();
  {
    std::lock_guard lock(mutex_);
    mailbox_.push_back(call);
  }
  call->start();
}

void Actor::call_ready(Call& call) {
  std::lock_guard lock(mutex_);
  call.runnable = true;
  if (!draining_ && mailbox_.front()->runnable) {
    schedule_drain_locked();
  }
}

void Actor::schedule_drain_locked() {
  draining_ = true;
  retain();
  runtime_.executor().submit(&drain_);
}

Runnable::Units Actor::Drain::run() {
  const Units units = actor_.placed_ ? Units::release : Units::keep;
  if (!actor_.placed_) {
    actor_.placed_ = true;
    cpu_units = 0;  // later drains run on the units the actor keeps
  }
  for (int done = 0; done < calls_per_drain; ++done) {
    Call* call = nullptr;
    {
      std::lock_guard lock(actor_.mutex_);
      if (actor_.mailbox_.empty() || !actor_.mailbox_.front()->runnable) {
        actor_.draining_ = false;
      } else {
        call = actor_.mailbox_.front();
        actor_.mailbox_.pop_front();
      }
    }
    if (call == nullptr) {
      actor_.release();  // the drain's reference; may destroy the actor and this drain
      return units;
    }
    actor_.execute(*call);
  }
  actor_.runtime_.executor().submit(this);  // more calls: requeue, keeping the reference
  return units;
}

void Actor::execute(Call& call) {
  const auto dependencies = call.body().dependencies();
  Object* result = call.result();
  if (result == nullptr) {
    try {
      if (auto failure = Call::first_failure(dependencies)) std::rethrow_exception(failure);
      instance_ = call.body().run(nullptr);
    } catch (...) {
      try {
        std::rethrow_exception(current_task_error(call.name(), runtime_.rank()));
      } catch (const TaskError& error) {
        death_ = std::make_exception_ptr(
            ActorDiedError("actor '" + name_ + "' on rank " + std::to_string(runtime_.rank()) +
                           " died: its constructor failed: " + error.what()));
        util::log().error("actor '{}' died: its constructor failed: {}", name_, error.what());
      }
    }
  } else if (death_) {
    result->fail(death_);
  } else if (auto failure = Call::first_failure(dependencies)) {
    result->fail(std::move(failure));
  } else {
    try {
      result->seal(call.body().run(instance_.get()));
    } catch (...) {
      result->fail(current_task_error(call.name(), runtime_.rank()));
    }
  }
  if (result != nullptr) result->release();
  delete &call;
  runtime_.work_finished();
  release();  // the call's reference; the drain still holds one
}

}  // namespace manta::core
