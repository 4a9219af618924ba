#include "core/remote_actor.hpp"

#include "core/remote.hpp"
#include "core/runtime.hpp"
#include "core/task_error.hpp"
#include "core/wire_error.hpp"

#include <manta/error.hpp>

#include <chrono>

namespace manta::core {

class RemoteActor::Call final : public QueuedCall, public RemoteCompletion {
 public:
  Call(RemoteActor& actor, CallKind kind, const char* name, std::unique_ptr<detail::CallBody> body,
       Object* result, Creation creation)
      : QueuedCall(kind, name, std::move(body), result),
        actor_(actor),
        creation_(std::move(creation)) {}

  /// Sends the call to the host; called in submission order, with its arguments ready.
  void send() {
    if (kind() == CallKind::constructor) {
      send_creation();
      return;
    }
    Runtime& runtime = actor_.runtime_;
    if (auto failure = first_failure(body().dependencies())) {
      result_->fail(std::move(failure));
      finish();
      return;
    }
    const bool method = kind() == CallKind::method;
    if (method && !body().remotable()) {
      result_->fail(std::make_exception_ptr(InvalidOptionError(
          std::string("'") + name() + "' cannot be called on an actor of another rank: its " +
          "arguments or result cannot be serialized")));
      finish();
      return;
    }
    const ObjectId id = result_->id();
    transport::ActorCall call{
        to_wire(actor_.address()), {id.owner_rank, id.sequence}, name(), {}, to_wire(kind())};
    try {
      if (method) body().write_arguments(call.arguments, nullptr);
    } catch (...) {
      result_->fail(current_task_error(name(), runtime.rank()));
      finish();
      return;
    }
    runtime.remote().send(actor_.address().host, call, call.result, this);
  }

  void complete(transport::TaskReply reply) override {
    receive_reply(actor_.runtime_, *result_, body(), name(), std::move(reply),
                  [this] { finish(); });
  }

 private:
  void dependencies_ready() override { actor_.call_ready(*this); }

  void send_creation() {
    Runtime& runtime = actor_.runtime_;
    const std::chrono::duration<double> every = creation_.policy.every;
    transport::ActorCreate create{to_wire(actor_.address()),
                                  name(),
                                  {},
                                  creation_.name,
                                  to_wire(creation_.request),
                                  {},
                                  {},
                                  creation_.policy.every_calls,
                                  every.count(),
                                  creation_.policy.max_restarts,
                                  creation_.policy.max_task_retries,
                                  creation_.policy.max_concurrency,
                                  creation_.policy.isolated};
    try {
      if (auto failure = first_failure(body().dependencies())) std::rethrow_exception(failure);
      create.constructor = creation_.constructor_key;
      body().write_arguments(create.arguments, nullptr);
    } catch (...) {
      create.failure = wire_error(std::current_exception(), name(), runtime.rank()).message;
      create.arguments.clear();
    }
    runtime.messenger().send(actor_.address().host, transport::encode(create));
    finish();
  }

  void finish() {
    RemoteActor& actor = actor_;
    if (result_ != nullptr) result_->release();
    delete this;
    actor.runtime_.work_finished();
    actor.release();
  }

  RemoteActor& actor_;
  Creation creation_;
};

RemoteActor::RemoteActor(Runtime& runtime, detail::ActorAddress address)
    : Actor(address), runtime_(runtime), generation_(runtime.generation()) {}

RemoteActor::~RemoteActor() {
  if (Runtime* runtime = Runtime::current_if(generation_); runtime && reservation_) {
    runtime->cluster().unreserve(*reservation_);
  }
}

void RemoteActor::create(const char* class_name, std::string name, resources::Request request,
                         std::optional<Reservation> reservation,
                         std::unique_ptr<detail::CallBody> constructor, const char* constructor_key,
                         ActorPolicy policy) {
  reservation_ = std::move(reservation);
  enqueue(new Call(*this, CallKind::constructor, class_name, std::move(constructor), nullptr,
                   Creation{constructor_key, std::move(name), std::move(request), policy}));
}

Object* RemoteActor::submit(const char* method_name, std::unique_ptr<detail::CallBody> body) {
  return enqueue(CallKind::method, method_name, std::move(body));
}

Object* RemoteActor::checkpoint() {
  return enqueue(CallKind::checkpoint, request_name(CallKind::checkpoint),
                 request_body(CallKind::checkpoint));
}

void RemoteActor::kill(bool restart) {
  const CallKind kind = restart ? CallKind::kill_and_restart : CallKind::kill;
  enqueue(kind, request_name(kind), request_body(kind))->release();
}

Object* RemoteActor::enqueue(CallKind kind, const char* name,
                             std::unique_ptr<detail::CallBody> body) {
  auto* result = new Object(runtime_.next_object_id(), name);
  result->retain();  // the caller's reference; the call holds the first
  enqueue(new Call(*this, kind, name, std::move(body), result, {}));
  return result;
}

void RemoteActor::enqueue(Call* call) {
  retain();
  runtime_.work_started();
  {
    util::LockGuard lock(mutex_);
    queue_.push_back(call);
  }
  call->start();
}

void RemoteActor::call_ready(Call& ready) {
  retain();  // a finishing call may drop the last other reference
  {
    util::LockGuard lock(mutex_);
    ready.runnable = true;
    // Sent under the lock, so calls reach the messenger in the order they were made.
    while (!queue_.empty() && queue_.front()->runnable) {
      Call* call = queue_.front();
      queue_.pop_front();
      call->send();
    }
  }
  release();
}

}  // namespace manta::core
