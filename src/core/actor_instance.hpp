/// @file core/actor_instance.hpp
/// @brief The object an actor's calls run on: built in the rank's own process (Isolation::thread)
/// or in a worker process of the rank (Isolation::process), which a crash may end without ending
/// the rank. LocalActor keeps the mailbox, the order and the restarts; this is only the instance.
#pragma once

#include "checkpoint/record.hpp"
#include "checkpoint/state.hpp"
#include "core/registry.hpp"
#include "core/worker_pool.hpp"
#include "transport/wire.hpp"

#include <manta/detail/core_access.hpp>
#include <manta/error.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace manta::core {

/// @brief The actor whose method (`call`) or constructor (`call` null) runs on this thread, if
/// any; what manta::was_current_actor_restarted() and manta::exit_actor() look at.
struct RunningActor {
  bool active = false;
  bool restarted = false;      ///< the instance replaces one that died
  const char* call = nullptr;  ///< "Class.method"
};
/// This thread's running actor.
RunningActor& running_actor() noexcept;

/// Makes an actor's call the running one for a scope (the one outside it again afterwards: a
/// method blocked in `get` may run another actor's calls on its thread meanwhile).
class RunningActorScope {
 public:
  RunningActorScope(bool restarted, const char* call)
      : running_(running_actor()), outer_(running_) {
    running_ = {true, restarted, call};
  }
  ~RunningActorScope() { running_ = outer_; }
  RunningActorScope(const RunningActorScope&) = delete;
  RunningActorScope& operator=(const RunningActorScope&) = delete;

 private:
  RunningActor& running_;
  const RunningActor outer_;
};

/// Thrown by manta::exit_actor() through the user's method to whoever runs it. Not a
/// std::exception, so that handlers for errors let it pass.
struct ActorExit {};

/// @brief The worker process of a process-isolated actor was gone before a call reached it (it
/// died between calls): the call has not run, and may run on a restarted instance.
class WorkerLostError : public Error {
 public:
  using Error::Error;
};

/// @brief An actor's instance. Used by one thread at a time, except call() of a concurrent
/// (thread) actor.
class ActorInstance {
 public:
  virtual ~ActorInstance() = default;
  /// Runs `body`, a call of method `name`. Throws what the method threw (ActorExit from
  /// manta::exit_actor, ActorFatalError, a TaskError for an error from a worker process), or
  /// WorkerCrashedError when the worker process died in the call, WorkerLostError before it.
  virtual std::unique_ptr<detail::ValueBox> call(const char* name, detail::CallBody& body) = 0;
  /// Fills `record.archive` and `record.arrays` with the instance's state.
  /// @throws CheckpointError, WorkerCrashedError
  virtual void save(checkpoint::ActorRecord& record, checkpoint::ArrayCapture capture) = 0;
  /// Replaces the state with actor `key`'s in checkpoint `file`.
  /// @throws CheckpointError, WorkerCrashedError
  virtual void load(const std::filesystem::path& file, const std::string& key) = 0;
};

/// What builds an actor's instance, each time it starts.
struct InstanceRecipe {
  std::string class_name;  ///< registered name
  std::string shown;       ///< "actor 'name' on rank R", for errors and logs
  Registry::StateHooks state;
  /// For Isolation::process: the rank's worker processes, and the constructor's remote factory
  /// key (the constructor must be remotable); null for Isolation::thread.
  WorkerPool* workers = nullptr;
  std::string constructor_key;
};

/// Runs `constructor` and returns the instance it made, in this process or a new worker process
/// as `recipe` says; `restarted`: it replaces one that died. Throws what the constructor threw
/// (see ActorInstance::call).
std::unique_ptr<ActorInstance> build_instance(const InstanceRecipe& recipe,
                                              detail::CallBody& constructor, bool restarted);

/// @brief The actor a worker process hosts, on the worker's side. Answers WorkerConstruct,
/// WorkerCall, WorkerSave and WorkerState with a TaskReply or a WorkerState.
class ServedActor {
 public:
  /// `arguments`: the message's arguments, when they came in shared memory.
  WorkerFrame handle(transport::WorkerMessage message, const util::SharedMemory& arguments);

 private:
  WorkerFrame construct(const transport::WorkerConstruct& construct,
                        const util::SharedMemory& arguments);
  WorkerFrame call(const transport::WorkerCall& call, const util::SharedMemory& arguments);
  WorkerFrame save(const transport::WorkerSave& save);
  WorkerFrame load(transport::WorkerState& state);

  std::string class_name_;
  Registry::StateHooks state_;
  bool restarted_ = false;
  std::unique_ptr<detail::ValueBox> instance_;
};

}  // namespace manta::core
