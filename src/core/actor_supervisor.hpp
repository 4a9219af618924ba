/// @file core/actor_supervisor.hpp
/// @brief An actor's life on its host: building its instance, restarting it from its last
/// checkpoint after a fatal error or a kill while restarts are left, and its death.
#pragma once

#include "core/actor_call.hpp"
#include "core/actor_instance.hpp"
#include "core/actor_policy.hpp"

#include <manta/state.hpp>

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>

namespace manta::core {

class Runtime;

/// @brief Who an actor is, as its host's logs, errors and checkpoints name it.
struct ActorIdentity {
  std::string class_name;
  std::string name;        ///< the name option; "" for an unnamed actor
  std::string key;         ///< in checkpoints: the name, or class@creator.sequence
  std::string shown_name;  ///< in errors and logs: the name, or the class
  std::string resources;   ///< what it holds, as text for checkpoints
  detail::ActorAddress address;

  ActorIdentity(std::string class_name, std::string name, const detail::ActorAddress& address,
                std::string resources);
};

/// @brief The instance of an actor and what replaces it. Used by the thread that drains the
/// actor, except instance() and calls() (the actor's concurrent calls).
class ActorSupervisor {
 public:
  ActorSupervisor(Runtime& runtime, const ActorIdentity& identity, const ActorPolicy& policy,
                  InstanceRecipe recipe);

  /// Runs the constructor call and loads the last saved state over what it made (keeping the
  /// body to restart with, if the policy allows restarts); on failure the actor is dead.
  void construct(QueuedCall& call);
  /// After a fatal error or a kill: a new instance from the constructor and the last
  /// checkpoint, if a restart is left; otherwise the actor dies (false).
  bool restart(const std::string& reason);
  /// The actor is dead from now on: its calls fail with death().
  void end(const std::string& reason);
  /// Ends the instance, as the actor is destroyed.
  void stop() noexcept { instance_.reset(); }

  bool dead() const noexcept { return death_ != nullptr; }
  /// What the calls of a dead actor fail with.
  const std::exception_ptr& death() const noexcept { return death_; }
  /// An ActorDiedError naming the actor, its host and `reason`.
  std::exception_ptr death_error(const std::string& reason) const;
  /// Whether the instance running now is a restart.
  bool restarted() const noexcept { return restarts_ > 0; }
  /// Whether a call that killed the instance after `retries` runs again runs once more on a
  /// restarted one (max_restarts and max_task_retries).
  bool may_retry(int retries) const noexcept;
  /// Whether a restart is left.
  bool may_restart() const noexcept;

  ActorInstance& instance() noexcept { return *instance_; }
  /// Method calls completed, restored ones included.
  std::uint64_t calls() const noexcept { return calls_.load(std::memory_order_relaxed); }
  /// Its phase and restarts so far, for manta::list_actors(), from any thread.
  ActorState::Phase phase() const noexcept { return phase_.load(std::memory_order_relaxed); }
  int restarts() const noexcept { return restarts_.load(std::memory_order_relaxed); }
  void count_call() noexcept { calls_.fetch_add(1, std::memory_order_relaxed); }

 private:
  /// Builds an instance from `constructor`; tries again while restarts are left. `reason`: why
  /// this is a restart ("" for the first construction).
  bool build(detail::CallBody& constructor, std::string reason);
  /// Replaces the state the constructor made with the actor's last saved one, if it has one.
  void load_saved_state();
  void die(const std::string& reason);

  Runtime& runtime_;
  const ActorIdentity& identity_;
  const ActorPolicy& policy_;
  const InstanceRecipe recipe_;
  std::unique_ptr<ActorInstance> instance_;
  std::unique_ptr<detail::CallBody> constructor_;  ///< kept to restart with
  std::exception_ptr death_;                       ///< set when the actor died for good
  std::atomic<int> restarts_{0};
  std::atomic<ActorState::Phase> phase_{ActorState::Phase::starting};
  std::atomic<std::uint64_t> calls_{0};
};

}  // namespace manta::core
