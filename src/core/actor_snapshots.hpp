/// @file core/actor_snapshots.hpp
/// @brief An actor's part in checkpoints: its state taken between two calls for a round, the
/// state handle.checkpoint() marks, and the policy (every N calls, every T seconds) that asks
/// for rounds.
#pragma once

#include "checkpoint/record.hpp"
#include "checkpoint/state.hpp"
#include "core/actor_policy.hpp"
#include "core/actor_supervisor.hpp"
#include "core/registry.hpp"
#include "util/mutex.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace manta::core {

class Object;
class Runtime;

/// @brief A checkpoint round waiting for the actor's state.
struct SnapshotRequest {
  std::function<void(std::optional<checkpoint::ActorRecord>, std::exception_ptr)> done;
  bool exiting = false;  ///< the job exits after this checkpoint
};

/// @brief Takes an actor's state for checkpoints. The draining thread takes it; the counters
/// are shared with the actor's concurrent calls and the checkpointer's thread.
class ActorSnapshots {
 public:
  ActorSnapshots(Runtime& runtime, const ActorIdentity& identity, const ActorPolicy& policy,
                 Registry::StateHooks hooks);

  /// Whether the class has a serialize member, so the actor has state to save.
  bool checkpointable() const noexcept { return hooks_.save != nullptr; }

  /// The state handle.checkpoint() marked and no round has taken yet, taken.
  std::optional<checkpoint::ActorRecord> take_marked();
  /// Gives the waiting rounds the state now, borrowing large arrays and copying small ones.
  /// First calls `pause` with whether the actor must run no call until resumed (arrays were
  /// borrowed, or the job exits after one of these checkpoints): a round may resume it as soon
  /// as it has the state.
  void serve(std::vector<SnapshotRequest>& waiters, ActorSupervisor& supervisor,
             const std::function<void(bool)>& pause);
  /// handle.checkpoint() of a live actor: marks the state now and sets `result` to the file of
  /// the checkpoint that holds it, once durable.
  void checkpoint_on_demand(Object& result, ActorSupervisor& supervisor);

  /// After a method call: asks for a checkpoint round when the policy says one is due.
  void call_done();
  /// Whether a time-based policy asks for a checkpoint by `now` (for an idle actor).
  bool due(std::chrono::steady_clock::time_point now);

 private:
  /// The actor's state now: nothing for a dead actor, or the error its `serialize` threw.
  std::pair<std::optional<checkpoint::ActorRecord>, std::exception_ptr> capture(
      ActorSupervisor& supervisor, checkpoint::ArrayCapture capture);
  std::chrono::steady_clock::time_point last_snapshot() const;

  Runtime& runtime_;
  const ActorIdentity& identity_;
  const ActorPolicy& policy_;
  const Registry::StateHooks hooks_;
  std::atomic<std::uint64_t> calls_since_snapshot_{0};
  std::atomic<std::chrono::steady_clock::rep> last_snapshot_;
  std::atomic<bool> policy_requested_{false};  ///< a policy checkpoint is on its way
  util::Mutex mutex_;
  std::optional<checkpoint::ActorRecord> marked_ MANTA_GUARDED_BY(mutex_);
};

}  // namespace manta::core
