/// @file core/local_actor.hpp
/// @brief An actor hosted on this rank: its mailbox, drained by one worker thread at a time (or
/// handed to several for a concurrent actor), in the order the calls were made.
#pragma once

#include "core/actor.hpp"
#include "core/actor_call.hpp"
#include "core/actor_policy.hpp"
#include "core/actor_snapshots.hpp"
#include "core/actor_supervisor.hpp"
#include "core/checkpointer.hpp"
#include "core/cluster.hpp"
#include "core/executor.hpp"
#include "core/job_state.hpp"
#include "util/mutex.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace manta::core {

class LocalActor final : public Actor, public CheckpointedActor, public HostedActor {
 public:
  /// `reservation`: what this rank counted as taken when it chose to create the actor here.
  /// `name`: the actor's name option, or "" for an unnamed actor.
  /// `constructor_key`: the constructor's remote factory, which builds a process-isolated
  /// actor's instance in its worker process.
  LocalActor(Runtime& runtime, detail::ActorAddress address, const char* class_name,
             std::string name, resources::Request request, std::optional<Reservation> reservation,
             std::unique_ptr<detail::CallBody> constructor, ActorPolicy policy,
             std::string constructor_key);

  // Actor
  Object* submit(const char* method_name, std::unique_ptr<detail::CallBody> body) override;
  Object* checkpoint() override;
  void kill(bool restart) override;

  // CheckpointedActor
  bool try_retain() noexcept override { return Actor::try_retain(); }
  void release() noexcept override { Actor::release(); }
  void snapshot(
      std::function<void(std::optional<checkpoint::ActorRecord>, std::exception_ptr)> done,
      bool exiting) override;
  void resume() override;
  bool checkpoint_due(std::chrono::steady_clock::time_point now) override {
    return snapshots_.due(now);
  }

  // HostedActor
  ActorState state() const override;

 private:
  class Call;
  class Drain final : public Runnable {
   public:
    explicit Drain(LocalActor& actor) : actor_(actor) {}
    Units run() override { return actor_.drain(); }
    void abandon(const std::string& reason) override { actor_.never_placed(reason); }
    std::string describe() const override { return actor_.describe_running(); }

   private:
    LocalActor& actor_;
  };
  class CallRunner;

  /// What ends the running instance at the next gap between calls (no call running): the
  /// stronger of two requests wins.
  struct Ending {
    enum class Kind { restart, kill_and_restart, kill, exit };  ///< weakest first
    Kind kind;
    std::string reason;
  };

  /// What the actor holds for life once placed, and what its creator counted for it.
  struct Placement {
    std::optional<Reservation> reservation;  ///< drain only, once constructed
    bool placed = false;      ///< set by the first drain, which acquired what the actor holds
    resources::Request kept;  ///< what the actor holds for life, once placed
  };

  ~LocalActor() override;

  void enqueue(Call* call);
  void call_ready(Call& call);
  /// Queues a drain unless one is queued or running.
  void drain_soon() MANTA_REQUIRES(mutex_);
  /// Runs queued calls on a worker thread, one at a time; for a concurrent actor
  /// (max_concurrency > 1), hands method calls to CallRunners instead, up to the limit.
  Runnable::Units drain();
  /// The first drain will never run: the actor dies before its constructor, holding nothing.
  void never_placed(const std::string& reason);
  void execute(Call& call);
  /// A method call, on the drain's thread. Returns false when the call is queued again for a
  /// restarted instance.
  bool run_method(Call& call);
  /// A method call of a concurrent actor, on a CallRunner's thread. Its instance is not
  /// replaced meanwhile: restarts wait until no call runs.
  void run_concurrently(Call& call);
  /// A CallRunner is done with `call`: the drain goes on if that leaves it work; the call ends
  /// unless it was queued `again`.
  void end_concurrent_call(Call& call, bool again);
  /// The call is over: its result reference, the call and its reference to the actor go.
  void finish(Call& call);

  /// Asks for `kind` at the next gap between calls.
  void end_at_gap(Ending::Kind kind, std::string reason) MANTA_REQUIRES(mutex_);
  /// Acts on an Ending, between calls (drain only).
  void act_on(const Ending& ending);
  /// A new instance after a fatal error or a kill; or, with no restart left, the end.
  bool restart(const std::string& reason);
  /// The actor is dead: its calls fail from now on, and what it holds is given back.
  void end_for_good(const std::string& reason);
  /// Gives back what the actor holds (at its end, or when it is killed for good).
  void release_resources();

  bool concurrent() const noexcept { return policy_.max_concurrency > 1; }
  /// Whether a call that finished on a CallRunner leaves work for the drain.
  bool drain_needed_locked() const MANTA_REQUIRES(mutex_);
  /// What the calling thread runs of this actor, for Runnable::describe.
  std::string describe_running() const;

  Runtime& runtime_;
  const std::uint64_t generation_;
  const ActorIdentity identity_;
  const ActorPolicy policy_;
  ActorSupervisor supervisor_;  ///< drain only (and CallRunners, which call the instance)
  ActorSnapshots snapshots_;
  Placement placement_;
  Drain drain_{*this};
  util::Mutex mutex_;
  std::deque<Call*> mailbox_ MANTA_GUARDED_BY(mutex_);  ///< calls in submission order
  bool draining_ MANTA_GUARDED_BY(mutex_) = false;      ///< a drain is queued or running
  bool constructed_ MANTA_GUARDED_BY(mutex_) = false;   ///< the constructor has run (or failed)
  /// A checkpoint borrows the state, or the job exits.
  bool paused_ MANTA_GUARDED_BY(mutex_) = false;
  int in_flight_ MANTA_GUARDED_BY(mutex_) = 0;  ///< calls running on CallRunners
  std::optional<Ending> ending_ MANTA_GUARDED_BY(mutex_);
  std::vector<SnapshotRequest> snapshot_waiters_ MANTA_GUARDED_BY(mutex_);  ///< taken between calls
  std::atomic<std::uint64_t> calls_waiting_{0};  ///< enqueued, not finished (for state())
};

}  // namespace manta::core
