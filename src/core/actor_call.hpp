/// @file core/actor_call.hpp
/// @brief A call queued for an actor, on its host (the mailbox) or in a proxy (the send queue),
/// and what kind of call it is: the constructor, a method, or one of Manta's own requests.
#pragma once

#include "core/dependent.hpp"
#include "transport/wire.hpp"

#include <manta/detail/call_body.hpp>

#include <exception>
#include <memory>

namespace manta::core {

/// What a queued call does to its actor.
enum class CallKind {
  constructor,       ///< builds the instance; no result object
  method,            ///< runs a method of the instance
  checkpoint,        ///< handle.checkpoint(): its result is the checkpoint file's path
  kill,              ///< manta::kill(handle): ends the actor for good
  kill_and_restart,  ///< manta::kill(handle, true): a new instance replaces this one
};

/// The wire form of a call kind other than the constructor (which travels as an ActorCreate).
transport::ActorCallKind to_wire(CallKind kind);
CallKind from_wire(transport::ActorCallKind kind);

/// The name of a call of Manta's own (checkpoint, kill), as errors and logs show it.
const char* request_name(CallKind kind);

/// The body of a call of Manta's own (checkpoint, kill): a place in the actor's queue that never
/// runs, whose result (the checkpoint's path, or nothing) comes back from another rank.
std::unique_ptr<detail::CallBody> request_body(CallKind kind);

/// A body that only throws `error`: the constructor of an actor that cannot be built here.
std::unique_ptr<detail::CallBody> failed_body(std::exception_ptr error);

/// @brief A call queued for an actor: waits for its ObjectRef arguments, then tells its queue.
class QueuedCall : public Dependent {
 public:
  /// `name`: "Class.method", or the class for the constructor. `result`: one reference until the
  /// call is done; null for the constructor.
  QueuedCall(CallKind kind, const char* name, std::unique_ptr<detail::CallBody> body,
             Object* result)
      : kind_(kind), name_(name), body_(std::move(body)), result_(result) {}

  void start() { wait_for(body_->dependencies()); }
  CallKind kind() const noexcept { return kind_; }
  const char* name() const noexcept { return name_; }
  detail::CallBody& body() noexcept { return *body_; }
  Object* result() const noexcept { return result_; }
  using Dependent::first_failure;

  /// The body, for the actor to keep (its constructor, to run again on a restart).
  std::unique_ptr<detail::CallBody> take_body() noexcept { return std::move(body_); }

  /// Set once the dependencies are ready; guarded by the queue's mutex. The pending count alone
  /// is not enough: it reaches zero while dependencies_ready() still runs on this call.
  bool runnable = false;
  /// Times the call has run again after it killed its actor (ActorOptions::max_task_retries).
  int retries = 0;

 private:
  const CallKind kind_;
  const char* name_;
  std::unique_ptr<detail::CallBody> body_;

 protected:
  Object* result_;
};

}  // namespace manta::core
