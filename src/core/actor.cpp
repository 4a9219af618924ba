#include "core/actor.hpp"

#include "checkpoint/state.hpp"
#include "core/actor_instance.hpp"
#include "core/dependent.hpp"
#include "core/registry.hpp"
#include "core/remote.hpp"
#include "core/runtime.hpp"
#include "core/task_error.hpp"
#include "util/log.hpp"

#include <manta/error.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

namespace manta::core {
namespace {

/// Calls a drain runs before it queues itself again, so busy actors share the threads.
constexpr int calls_per_drain = 64;
/// A checkpoint copies an actor's native arrays when they are smaller than this in all, so the
/// actor runs on while the file is written; larger ones it borrows (no second copy of a large
/// state in memory, and no time spent copying), and the actor waits for the write.
constexpr std::size_t copy_arrays_below = std::size_t{64} << 20;

/// @brief A call queued for an actor; the constructor is the call with no result object.
/// Shared by the host's mailbox and a proxy's send queue.
class QueuedCall : public Dependent {
 public:
  QueuedCall(const char* name, std::unique_ptr<detail::CallBody> body, Object* result)
      : name_(name), body_(std::move(body)), result_(result) {}

  void start() { wait_for(body_->dependencies()); }
  const char* name() const noexcept { return name_; }
  detail::CallBody& body() noexcept { return *body_; }
  Object* result() const noexcept { return result_; }
  using Dependent::first_failure;

  /// The body, for the actor to keep (its constructor, to run again on a restart).
  std::unique_ptr<detail::CallBody> take_body() noexcept { return std::move(body_); }

  /// Set once the dependencies are ready; guarded by the actor's mutex. The pending count alone
  /// is not enough: it reaches zero while dependencies_ready() still runs on this call.
  bool runnable = false;
  /// Times the call has run again after it killed its actor (ActorOptions::max_task_retries).
  int retries = 0;

 private:
  const char* name_;
  std::unique_ptr<detail::CallBody> body_;

 protected:
  Object* result_;  ///< one reference until the call is done; null for the constructor
};

/// A call body that only throws: the constructor of an actor that cannot be built here.
class FailedCall final : public detail::CallBody {
 public:
  explicit FailedCall(std::exception_ptr error) : error_(std::move(error)) {}
  std::unique_ptr<detail::ValueBox> run(detail::ValueBox*) override {
    std::rethrow_exception(error_);
  }
  std::span<core::Object* const> dependencies() const noexcept override { return {}; }

 private:
  std::exception_ptr error_;
};

/// The body of handle.checkpoint(): a place in the actor's queue, never run. Its result, the
/// checkpoint file's path, comes back from another rank as a string.
class CheckpointMarker final : public detail::CallBody {
 public:
  std::unique_ptr<detail::ValueBox> run(detail::ValueBox*) override {
    throw std::logic_error("manta: a checkpoint marker is not a call");
  }
  std::span<core::Object* const> dependencies() const noexcept override { return {}; }
  std::unique_ptr<detail::ValueBox> read_result(detail::StoreBlock bytes) const override {
    return std::make_unique<detail::StoredBox<std::string>>(std::move(bytes));
  }
};

/// The body of manta::kill sent to an actor's host: a place in the proxy's queue, never run.
class KillMarker final : public detail::CallBody {
 public:
  std::unique_ptr<detail::ValueBox> run(detail::ValueBox*) override {
    throw std::logic_error("manta: a kill marker is not a call");
  }
  std::span<core::Object* const> dependencies() const noexcept override { return {}; }
  std::unique_ptr<detail::ValueBox> read_result(detail::StoreBlock bytes) const override {
    return std::make_unique<detail::StoredBox<detail::Unit>>(std::move(bytes));
  }
};

/// How an actor is checkpointed besides on demand, and restarted when it dies (ActorOptions).
struct ActorPolicy {
  std::uint64_t every_calls = 0;                ///< 0: never
  std::chrono::steady_clock::duration every{};  ///< 0: never
  int max_restarts = 0;                         ///< -1: no limit
  int max_task_retries = 0;                     ///< -1: no limit
  int max_concurrency = 1;                      ///< calls running at once
  bool isolated = false;                        ///< in a worker process (Isolation::process)
};

/// Whether `used` is below `limit`, a count of ActorOptions where -1 means no limit (Ray's).
bool within(int used, int limit) noexcept { return limit < 0 || used < limit; }
/// A limit as the log shows it.
std::string limit_text(int limit) { return limit < 0 ? "unlimited" : std::to_string(limit); }

ActorPolicy policy_of(std::uint64_t every_calls, double every_seconds, int max_restarts,
                      int max_task_retries, int max_concurrency, bool isolated) {
  return {every_calls,
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
              std::chrono::duration<double>(every_seconds)),
          max_restarts,
          max_task_retries,
          max_concurrency,
          isolated};
}

/// @brief An actor hosted on this rank: its instance and its mailbox.
class LocalActor final : public Actor, public CheckpointedActor {
 public:
  /// `reservation`: what this rank counted as taken when it chose to create the actor here.
  /// `name`: the actor's name option, or "" for an unnamed actor.
  /// `constructor_key`: the constructor's remote factory, which builds a process-isolated
  /// actor's instance in its worker process.
  LocalActor(Runtime& runtime, detail::ActorAddress address, const char* class_name,
             std::string name, resources::Request request, std::optional<Reservation> reservation,
             std::unique_ptr<detail::CallBody> constructor, ActorPolicy policy,
             std::string constructor_key)
      : Actor(address),
        runtime_(runtime),
        generation_(runtime.generation()),
        class_name_(class_name),
        name_(std::move(name)),
        key_(name_.empty() ? class_name_ + "@" + std::to_string(address.creator) + "." +
                                 std::to_string(address.sequence)
                           : name_),
        shown_name_(name_.empty() ? class_name_ : name_),
        resources_(resources::describe(request, runtime.cluster().catalog())),
        state_hooks_(Registry::instance().actor_state(class_name_)),
        policy_(policy),
        recipe_{class_name_,
                "actor '" + shown_name_ + "' on rank " + std::to_string(runtime.rank()),
                state_hooks_, policy.isolated ? &runtime.workers() : nullptr,
                std::move(constructor_key)},
        reservation_(std::move(reservation)) {
    drain_.request = std::move(request);  // the first drain places the actor and keeps it
    if (state_hooks_.save != nullptr && runtime_.checkpointer().add(*this, key_)) {
      std::lock_guard lock(mutex_);
      paused_ = true;  // created after the job's exit snapshot: it must run nothing
    }
    enqueue(new Call(*this, class_name, std::move(constructor), nullptr));
  }

  Object* submit(const char* method_name, std::unique_ptr<detail::CallBody> body) override {
    auto* result = new Object(runtime_.next_object_id(), method_name);
    result->retain();  // the caller's reference; the call holds the first
    enqueue(new Call(*this, method_name, std::move(body), result));
    return result;
  }

  Object* checkpoint() override {
    return submit(checkpoint_method, std::make_unique<CheckpointMarker>());
  }

  void kill(bool restart) override {
    std::lock_guard lock(mutex_);
    kill_request_ = kill_request_.value_or(true) && restart;  // a kill without restart wins
    if (constructed_ && !paused_) drain_soon();
  }

  bool try_retain() noexcept override { return Actor::try_retain(); }
  void release() noexcept override { Actor::release(); }

  void snapshot(
      std::function<void(std::optional<checkpoint::ActorRecord>, std::exception_ptr)> done,
      bool exiting) override {
    std::optional<checkpoint::ActorRecord> marked;
    {
      std::lock_guard lock(mutex_);
      marked.swap(marked_);
    }
    // The state handle.checkpoint() marked serves a round that goes on, not one the job exits
    // after: calls ran since the mark whose results the job may have reported, and the exit
    // checkpoint must hold them.
    if (marked && !exiting) {
      done(std::move(marked), {});
      return;
    }
    {
      std::lock_guard lock(mutex_);
      if (constructed_) {
        snapshot_waiters_.push_back({std::move(done), exiting});
        drain_soon();
        return;
      }
      // Exiting, not even the constructor runs: the job must do nothing the checkpoint misses.
      paused_ = paused_ || exiting;
    }
    // Not constructed yet: its state is still the one it will be restored from, if any.
    if (const auto saved = runtime_.checkpointer().last_saved(key_, !name_.empty())) {
      try {
        done(checkpoint::read_actor(saved->file, key_), {});
      } catch (...) {
        done(std::nullopt, std::current_exception());
      }
      return;
    }
    done(std::nullopt, {});
  }

  void resume() override {
    std::lock_guard lock(mutex_);
    paused_ = false;
    const bool work =
        (kill_request_ && constructed_) || (!mailbox_.empty() && mailbox_.front()->runnable);
    if (work) drain_soon();
  }

  bool checkpoint_due(std::chrono::steady_clock::time_point now) override {
    if (policy_.every == std::chrono::steady_clock::duration{} ||
        calls_since_snapshot_.load(std::memory_order_relaxed) == 0 ||
        now - last_snapshot() < policy_.every) {
      return false;
    }
    return !policy_requested_.exchange(true);
  }

  /// Whether the instance running now is a restart (on the drain's thread).
  bool restarted() const noexcept { return restarts_ > 0; }

 private:
  class Call final : public QueuedCall {
   public:
    Call(LocalActor& actor, const char* name, std::unique_ptr<detail::CallBody> body,
         Object* result)
        : QueuedCall(name, std::move(body), result), actor_(actor) {}

   private:
    void dependencies_ready() override { actor_.call_ready(*this); }
    LocalActor& actor_;
  };

  /// Runs queued calls on a worker thread, one at a time; for a concurrent actor
  /// (max_concurrency > 1), hands method calls to CallRunners instead, up to the limit.
  class Drain final : public Runnable {
   public:
    explicit Drain(LocalActor& actor) : actor_(actor) {}
    Units run() override { return actor_.drain(); }
    void abandon(const std::string& reason) override { actor_.never_placed(reason); }
    std::string describe() const override { return actor_.describe_running(); }

   private:
    LocalActor& actor_;
  };

  /// Runs one method call of a concurrent actor on a worker thread of its own.
  class CallRunner final : public Runnable {
   public:
    CallRunner(LocalActor& actor, Call& call) : actor_(actor), call_(call) {
      granted = actor.drain_.granted;  // the actor's GPUs, bound for the call (not given back)
    }
    Units run() override {
      actor_.run_concurrently(call_);
      delete this;
      return Units::release;
    }
    // It asks for nothing outside a bundle, so it always starts; kept for the interface.
    void abandon(const std::string& reason) override {
      call_.result()->fail(actor_.death_error("its call never ran: " + reason));
      actor_.end_concurrent_call(call_, false);
      delete this;
    }
    std::string describe() const override { return actor_.describe_running(); }

   private:
    LocalActor& actor_;
    Call& call_;
  };

  struct SnapshotRequest {
    std::function<void(std::optional<checkpoint::ActorRecord>, std::exception_ptr)> done;
    bool exiting = false;  ///< the job exits after this checkpoint
  };

  ~LocalActor() override {
    if (state_hooks_.save != nullptr) runtime_.checkpointer().remove(*this);
    instance_.reset();
    if (Runtime::current_if(generation_) != nullptr) release_resources();
  }

  /// Gives back what the actor holds (at its end, or when it is killed for good).
  void release_resources() {
    if (placed_) {
      runtime_.executor().release(std::exchange(kept_, {}), drain_.granted);
      drain_.granted.clear();
    }
    if (reservation_) runtime_.cluster().unreserve(*std::exchange(reservation_, std::nullopt));
  }

  void enqueue(Call* call) {
    retain();
    runtime_.work_started();
    {
      std::lock_guard lock(mutex_);
      mailbox_.push_back(call);
    }
    call->start();
  }

  /// Queues a drain unless one is queued or running. Called with mutex_ held.
  void drain_soon() {
    if (draining_) return;
    draining_ = true;
    retain();
    runtime_.executor().submit(&drain_);
  }

  void call_ready(Call& call) {
    std::lock_guard lock(mutex_);
    call.runnable = true;
    if (!paused_ && mailbox_.front()->runnable) drain_soon();
  }

  /// What the calling thread runs of this actor, for Runnable::describe.
  std::string describe_running() const {
    const char* call = running_actor().call;
    return "actor '" + shown_name_ + "'" + (call != nullptr ? std::string(" in ") + call : "");
  }

  bool concurrent() const noexcept { return policy_.max_concurrency > 1; }

  /// Whether a call that finished on a CallRunner leaves work for the drain. Called with mutex_.
  bool drain_needed_locked() const {
    if (!snapshot_waiters_.empty()) return true;
    if (paused_) return false;
    if (kill_request_ || pending_exit_ || pending_restart_) return in_flight_ == 0;
    return !mailbox_.empty() && mailbox_.front()->runnable;
  }

  /// The first drain will never run: the actor dies before its constructor, holding nothing,
  /// and its calls fail.
  void never_placed(const std::string& reason) {
    die("it was never placed: " + reason);
    drain_.request = {};  // the drain runs now, holding nothing
    drain();              // may destroy the actor
  }

  Runnable::Units drain() {
    const auto units = placed_ ? Runnable::Units::release : Runnable::Units::keep;
    if (!placed_) {
      placed_ = true;
      kept_ = std::exchange(drain_.request, {});  // later drains run on what the actor keeps
    }
    for (int done = 0; done < calls_per_drain; ++done) {
      Call* call = nullptr;
      bool dispatch = false;
      std::vector<SnapshotRequest> snapshots;
      std::optional<bool> kill;
      std::optional<std::string> exit;
      std::optional<std::string> restart_reason;
      {
        std::lock_guard lock(mutex_);
        // Snapshots, kills and restarts of a concurrent actor wait for its running calls; the
        // last to finish drains again.
        const bool quiet = in_flight_ == 0;
        if (!snapshot_waiters_.empty()) {
          if (quiet) snapshots.swap(snapshot_waiters_);
          draining_ = quiet;
        } else if (paused_) {
          draining_ = false;  // resume() drains again
        } else if ((kill_request_ || pending_exit_ || pending_restart_) && constructed_) {
          if (quiet) {
            kill.swap(kill_request_);
            exit.swap(pending_exit_);
            restart_reason.swap(pending_restart_);
          }
          draining_ = quiet;
        } else if (mailbox_.empty() || !mailbox_.front()->runnable) {
          draining_ = false;
        } else {
          Call* front = mailbox_.front();
          // Constructors, checkpoint marks and calls of a dead actor run here, alone.
          dispatch = concurrent() && constructed_ && !death_ && front->result() != nullptr &&
                     front->name() != checkpoint_method;
          if ((dispatch && in_flight_ >= policy_.max_concurrency) || (!dispatch && !quiet)) {
            draining_ = false;  // a call that finishes drains again
          } else {
            call = front;
            mailbox_.pop_front();
            if (dispatch) ++in_flight_;
          }
        }
      }
      if (!snapshots.empty()) {
        take_snapshot(snapshots);  // between two calls, never in the middle of one
        continue;
      }
      if (exit || kill || restart_reason) {
        if (exit) end_for_good(*exit);
        if (kill) killed(*kill);
        if (restart_reason && !death_) restart(*restart_reason);
        continue;
      }
      if (call == nullptr) {
        release();  // the drain's reference; may destroy the actor and this drain
        return units;
      }
      if (dispatch) {
        runtime_.executor().submit(new CallRunner(*this, *call));
      } else {
        execute(*call);
      }
    }
    runtime_.executor().submit(&drain_);  // more calls: requeue, keeping the reference
    return units;
  }

  void execute(Call& call) {
    const auto dependencies = call.body().dependencies();
    Object* result = call.result();
    if (result == nullptr) {
      construct(call);
    } else if (death_) {
      result->fail(death_);
    } else if (auto failure = Call::first_failure(dependencies)) {
      result->fail(std::move(failure));
    } else if (call.name() == checkpoint_method) {
      request_checkpoint(*result);
    } else {
      std::exception_ptr fatal;
      std::optional<std::string> lost;
      try {
        const RunningActorScope running(restarted(), call.name());
        result->seal(instance_->call(call.name(), call.body()));
        ++calls_;
      } catch (const ActorExit&) {
        ++calls_;
        end_for_good(std::string("it called manta::exit_actor() in ") + call.name());
        result->fail(death_);
      } catch (const ActorFatalError&) {
        fatal = current_task_error(call.name(), runtime_.rank());
      } catch (const WorkerCrashedError&) {
        fatal = std::current_exception();  // as it is: it names the process and how it ended
      } catch (const WorkerLostError& error) {
        lost = error.what();
      } catch (...) {
        result->fail(current_task_error(call.name(), runtime_.rank()));
        ++calls_;
      }
      if (lost) {
        // The call never reached the instance: it runs on the restarted one, as a first try.
        if (restart(*lost)) {
          std::lock_guard lock(mutex_);
          mailbox_.push_front(&call);
          return;
        }
        result->fail(death_);
      } else if (fatal) {
        if (restart(what(fatal)) && within(call.retries, policy_.max_task_retries)) {
          ++call.retries;
          util::log().warn("actor '{}': running {} again (retry {} of {})", shown_name_,
                           call.name(), call.retries, limit_text(policy_.max_task_retries));
          std::lock_guard lock(mutex_);
          mailbox_.push_front(&call);  // first on the restarted instance, keeping its references
          return;
        }
        result->fail(fatal);
      } else {
        calls_since_snapshot_.fetch_add(1, std::memory_order_relaxed);
        apply_policy();
      }
    }
    if (result != nullptr) result->release();
    delete &call;
    runtime_.work_finished();
    release();  // the call's reference; the drain still holds one
  }

  /// A method call of a concurrent actor, on a CallRunner's thread. Its instance is not replaced
  /// meanwhile: restarts wait until no call runs.
  void run_concurrently(Call& call) {
    Object* result = call.result();
    bool again = false;
    {
      const RunningActorScope running(restarted(), call.name());
      try {
        result->seal(instance_->call(call.name(), call.body()));
      } catch (const ActorExit&) {
        const std::string reason = std::string("it called manta::exit_actor() in ") + call.name();
        {
          // Before the caller learns of it: a call it makes next must find the actor ending.
          std::lock_guard lock(mutex_);
          if (!pending_exit_) pending_exit_ = reason;
        }
        result->fail(death_error(reason));
      } catch (const ActorFatalError&) {
        auto fatal = current_task_error(call.name(), runtime_.rank());
        // As execute() does, knowing that the restart comes once no call runs.
        again = constructor_ && within(restarts_, policy_.max_restarts) &&
                within(call.retries, policy_.max_task_retries);
        {
          std::lock_guard lock(mutex_);
          if (!pending_restart_) pending_restart_ = what(fatal);
          if (again) {
            ++call.retries;
            mailbox_.push_front(&call);  // first on the restarted instance
          }
        }
        if (!again) result->fail(fatal);
      } catch (...) {
        result->fail(current_task_error(call.name(), runtime_.rank()));
      }
    }
    if (again) {
      util::log().warn("actor '{}': running {} again (retry {} of {})", shown_name_, call.name(),
                       call.retries, limit_text(policy_.max_task_retries));
    }
    end_concurrent_call(call, again);
  }

  /// A CallRunner is done with `call`: the drain goes on if that leaves it work; the call ends
  /// unless it was queued `again`.
  void end_concurrent_call(Call& call, bool again) {
    if (!again) {
      ++calls_;
      calls_since_snapshot_.fetch_add(1, std::memory_order_relaxed);
      apply_policy();
    }
    {
      std::lock_guard lock(mutex_);
      --in_flight_;
      if (drain_needed_locked()) drain_soon();
    }
    if (again) return;
    if (Object* result = call.result()) result->release();
    delete &call;
    runtime_.work_finished();
    release();  // the call's reference
  }

  void construct(Call& call) {
    if (policy_.max_restarts != 0) constructor_ = call.take_body();
    detail::CallBody& constructor = constructor_ ? *constructor_ : call.body();
    if (death_) {  // never placed: no instance
    } else if (auto failure = Call::first_failure(constructor.dependencies())) {
      die("its constructor failed: " + what(failure));
    } else {
      build(constructor, "");
    }
    std::lock_guard lock(mutex_);
    constructed_ = true;
  }

  /// Runs the constructor and loads the last saved state over what it made; on failure tries
  /// again while restarts are left, else the actor dies. `reason`: why this is a restart ("" for
  /// the first construction).
  bool build(detail::CallBody& constructor, std::string reason) {
    while (true) {
      if (!reason.empty()) {
        ++restarts_;
        util::log().warn("actor '{}' restarts ({} of {}): {}", shown_name_, restarts_,
                         limit_text(policy_.max_restarts), reason);
      }
      try {
        instance_.reset();
        instance_ = build_instance(recipe_, constructor, restarts_ > 0);
        load_saved_state();
        return true;
      } catch (const ActorExit&) {
        instance_.reset();
        die("its constructor called manta::exit_actor()");
        return false;
      } catch (...) {
        reason = "its constructor failed: " + what(std::current_exception());
      }
      if (!within(restarts_, policy_.max_restarts)) {
        instance_.reset();
        die(reason);
        return false;
      }
    }
  }

  /// After a fatal error or a kill: a new instance from the constructor and the last checkpoint,
  /// if a restart is left; otherwise the actor dies and gives back what it holds.
  bool restart(const std::string& reason) {
    if (constructor_ && within(restarts_, policy_.max_restarts) && build(*constructor_, reason)) {
      return true;
    }
    end_for_good(reason);
    return false;
  }

  /// The actor is dead: its calls fail from now on, and what it holds is given back.
  void end_for_good(const std::string& reason) {
    if (!death_) die(reason);
    instance_.reset();
    release_resources();
  }

  void killed(bool restart_it) {
    if (death_) return;
    if (restart_it) {
      restart("killed by manta::kill");
    } else {
      end_for_good("killed by manta::kill");
    }
  }

  /// Replaces the state the constructor made with the actor's last saved one, if it has one:
  /// from this job's last checkpoint holding it, or the checkpoint the job restored from.
  void load_saved_state() {
    auto saved = runtime_.checkpointer().last_saved(key_, !name_.empty());
    calls_ = 0;
    if (!saved) return;
    if (saved->class_name != class_name_) {
      throw CheckpointError(
          saved->file, key_,
          "it holds a " + saved->class_name + " of this name, not a " + class_name_);
    }
    if (state_hooks_.load == nullptr) {
      throw CheckpointError(saved->file, key_, "class " + class_name_ + " has no serialize member");
    }
    // Rounds of this job may rotate the chosen file away before it is read. The newer
    // checkpoint that replaced it holds this actor too (a snapshot of an actor not constructed
    // yet is its saved state), and last_saved() names it once that round has ended.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (true) {
      try {
        instance_->load(saved->file, key_);
        break;
      } catch (const CheckpointError&) {
        if (std::filesystem::exists(saved->file) || std::chrono::steady_clock::now() > give_up) {
          throw;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      saved = runtime_.checkpointer().last_saved(key_, !name_.empty());
    }
    calls_ = saved->sequence;
    util::log().info("actor '{}' restored from {} at call {}", shown_name_, saved->file.string(),
                     calls_);
  }

  /// Takes the state for the waiting checkpoints, borrowing large arrays (the actor then pauses
  /// until resume()) and copying small ones (it runs on while the file is written).
  void take_snapshot(std::vector<SnapshotRequest>& waiters) {
    auto [record, error] = current_state(checkpoint::ArrayCapture::borrow);
    std::size_t borrowed = 0;
    if (record) {
      for (const auto& array : record->arrays) borrowed += array.borrowed.size();
    }
    if (borrowed > 0 && borrowed < copy_arrays_below) {
      for (auto& array : record->arrays) {
        array.bytes.assign(array.borrowed.begin(), array.borrowed.end());
        array.borrowed = {};
      }
      borrowed = 0;
    }
    const bool exiting = std::ranges::any_of(waiters, &SnapshotRequest::exiting);
    {
      std::lock_guard lock(mutex_);
      paused_ = borrowed > 0 || exiting;
    }
    for (std::size_t i = 0; i + 1 < waiters.size(); ++i) waiters[i].done(record, error);
    waiters.back().done(std::move(record), error);
  }

  /// The actor's state now, between two calls (drain only): nothing for a dead actor, or the
  /// error its `serialize` threw.
  std::pair<std::optional<checkpoint::ActorRecord>, std::exception_ptr> current_state(
      checkpoint::ArrayCapture capture) {
    std::optional<checkpoint::ActorRecord> record;
    std::exception_ptr error;
    if (!death_) {
      try {
        record = checkpoint::ActorRecord{.key = key_,
                                         .class_name = class_name_,
                                         .name = name_,
                                         .sequence = calls_,
                                         .resources = resources_};
        instance_->save(*record, capture);
      } catch (...) {
        record.reset();
        error = std::current_exception();
      }
    }
    calls_since_snapshot_.store(0, std::memory_order_relaxed);
    last_snapshot_.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                         std::memory_order_relaxed);
    policy_requested_.store(false);
    return {std::move(record), error};
  }

  std::chrono::steady_clock::time_point last_snapshot() const {
    return std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(last_snapshot_.load(std::memory_order_relaxed)));
  }

  /// After a call: asks for a checkpoint when the actor's policy says one is due.
  void apply_policy() {
    const bool by_calls =
        policy_.every_calls > 0 &&
        calls_since_snapshot_.load(std::memory_order_relaxed) >= policy_.every_calls;
    const bool by_time = policy_.every != std::chrono::steady_clock::duration{} &&
                         std::chrono::steady_clock::now() - last_snapshot() >= policy_.every;
    if ((by_calls || by_time) && !policy_requested_.exchange(true)) {
      runtime_.checkpointer().request({}, false, [](const auto&, std::exception_ptr) {});
    }
  }

  /// handle.checkpoint(): the actor's next snapshot comes after every call before this one.
  void request_checkpoint(Object& result) {
    if (state_hooks_.save == nullptr) {
      result.fail(std::make_exception_ptr(
          InvalidOptionError("actor '" + shown_name_ + "' cannot be checkpointed: class " +
                             class_name_ + " has no serialize member")));
      return;
    }
    // Right after the calls before this one; a copy, as the actor goes on meanwhile.
    auto [state, failure] = current_state(checkpoint::ArrayCapture::copy);
    if (failure) {
      result.fail(failure);
      return;
    }
    {
      std::lock_guard lock(mutex_);
      marked_ = std::move(state);
    }
    result.retain();
    try {
      runtime_.checkpointer().request(
          {}, false, [&result](const std::filesystem::path& file, std::exception_ptr error) {
            if (error) {
              result.fail(std::move(error));
            } else {
              result.seal(std::make_unique<detail::SerializableBox<std::string>>(std::in_place,
                                                                                 file.string()));
            }
            result.release();
          });
    } catch (...) {
      result.fail(std::current_exception());
      result.release();
    }
  }

  static std::string what(const std::exception_ptr& error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& exception) {
      return exception.what();
    } catch (...) {
      return "an exception that is not a std::exception";
    }
  }

  std::exception_ptr death_error(const std::string& reason) const {
    return std::make_exception_ptr(ActorDiedError("actor '" + shown_name_ + "' on rank " +
                                                  std::to_string(runtime_.rank()) +
                                                  " died: " + reason));
  }

  void die(const std::string& reason) {
    death_ = death_error(reason);
    util::log().error("actor '{}' died: {}", shown_name_, reason);
    // Ray's: a dead actor's name is free for a new one, and lookups no longer find it.
    if (!name_.empty()) runtime_.actor_names().release(runtime_, name_, to_wire(address()));
  }

  Runtime& runtime_;
  const std::uint64_t generation_;
  const std::string class_name_;
  const std::string name_;        ///< the name option; "" for an unnamed actor
  const std::string key_;         ///< in checkpoints: the name, or class@creator.sequence
  const std::string shown_name_;  ///< in errors and logs: the name, or the class
  const std::string resources_;   ///< what it holds, as text for checkpoints
  const Registry::StateHooks state_hooks_;
  const ActorPolicy policy_;
  const InstanceRecipe recipe_;
  Drain drain_{*this};
  std::optional<Reservation> reservation_;  ///< drain only, once constructed
  bool placed_ = false;      ///< set by the first drain, which acquired what the actor holds
  resources::Request kept_;  ///< what the actor holds for life, once placed
  std::unique_ptr<ActorInstance> instance_;        ///< touched only by the draining thread
  std::exception_ptr death_;                       ///< set when the actor died for good; drain only
  std::unique_ptr<detail::CallBody> constructor_;  ///< kept to restart with; drain only
  int restarts_ = 0;                               ///< drain only
  /// method calls completed, restored ones included (by CallRunners too)
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::uint64_t> calls_since_snapshot_{0};
  std::atomic<std::chrono::steady_clock::rep> last_snapshot_{
      std::chrono::steady_clock::now().time_since_epoch().count()};
  std::atomic<bool> policy_requested_{false};  ///< a policy checkpoint is on its way
  std::mutex mutex_;
  std::deque<Call*> mailbox_;         ///< guarded by mutex_; calls in submission order
  bool draining_ = false;             ///< guarded by mutex_; a drain is queued or running
  bool constructed_ = false;          ///< guarded by mutex_; the constructor has run (or failed)
  std::optional<bool> kill_request_;  ///< guarded by mutex_; manta::kill's `restart`
  int in_flight_ = 0;                 ///< guarded by mutex_; calls running on CallRunners
  /// guarded by mutex_; why a call running on a CallRunner ended or killed the actor, for the
  /// drain to act on once no call runs
  std::optional<std::string> pending_exit_;
  std::optional<std::string> pending_restart_;
  bool paused_ = false;  ///< guarded by mutex_; a checkpoint borrows the state, or the job exits
  std::vector<SnapshotRequest> snapshot_waiters_;  ///< guarded by mutex_; taken between calls
  /// guarded by mutex_; the state handle.checkpoint() took, for the next checkpoint to write
  std::optional<checkpoint::ActorRecord> marked_;
};

/// @brief A proxy of an actor hosted on another rank: sends the calls made through it there, in
/// the order they were made (a call waiting for its ObjectRef arguments holds back the later
/// ones), and sets their results from the replies.
class RemoteActor final : public Actor {
 public:
  RemoteActor(Runtime& runtime, detail::ActorAddress address)
      : Actor(address), runtime_(runtime), generation_(runtime.generation()) {}

  ~RemoteActor() override {
    if (Runtime* runtime = Runtime::current_if(generation_); runtime && reservation_) {
      runtime->cluster().unreserve(*reservation_);
    }
  }

  /// Queues the creation of the actor on its host, as the first message sent there.
  void create(const char* class_name, std::string name, resources::Request request,
              std::optional<Reservation> reservation, std::unique_ptr<detail::CallBody> constructor,
              const char* constructor_key, ActorPolicy policy) {
    reservation_ = std::move(reservation);
    enqueue(new Call(*this, class_name, std::move(constructor), nullptr,
                     Creation{constructor_key, std::move(name), std::move(request), policy}));
  }

  Object* submit(const char* method_name, std::unique_ptr<detail::CallBody> body) override {
    auto* result = new Object(runtime_.next_object_id(), method_name);
    result->retain();
    enqueue(new Call(*this, method_name, std::move(body), result, {}));
    return result;
  }

  Object* checkpoint() override {
    return submit(checkpoint_method, std::make_unique<CheckpointMarker>());
  }

  void kill(bool restart) override {
    // Behind the calls made through this proxy; the host acts on it at once, not in its queue.
    submit(restart ? kill_and_restart_method : kill_method, std::make_unique<KillMarker>())
        ->release();
  }

 private:
  struct Creation {
    const char* constructor_key = nullptr;
    std::string name;
    resources::Request request;
    ActorPolicy policy;
  };

  class Call final : public QueuedCall, public RemoteCompletion {
   public:
    Call(RemoteActor& actor, const char* name, std::unique_ptr<detail::CallBody> body,
         Object* result, Creation creation)
        : QueuedCall(name, std::move(body), result),
          actor_(actor),
          creation_(std::move(creation)) {}

    void send() {
      Runtime& runtime = actor_.runtime_;
      const int host = actor_.address().host;
      const auto failure = first_failure(body().dependencies());
      if (result_ == nullptr) {
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
          if (failure) std::rethrow_exception(failure);
          create.constructor = creation_.constructor_key;
          body().write_arguments(create.arguments, nullptr);
        } catch (...) {
          create.failure = wire_error(std::current_exception(), name(), runtime.rank()).message;
          create.arguments.clear();
        }
        runtime.messenger().send(host, transport::encode(create));
        finish();
        return;
      }
      if (failure) {
        result_->fail(failure);
        finish();
        return;
      }
      const bool marker =
          name() == checkpoint_method || name() == kill_method || name() == kill_and_restart_method;
      if (!marker && !body().remotable()) {
        result_->fail(std::make_exception_ptr(InvalidOptionError(
            std::string("'") + name() + "' cannot be called on an actor of another rank: its " +
            "arguments or result cannot be serialized")));
        finish();
        return;
      }
      const ObjectId id = result_->id();
      transport::ActorCall call{
          to_wire(actor_.address()), {id.owner_rank, id.sequence}, name(), {}};
      try {
        if (!marker) body().write_arguments(call.arguments, nullptr);
      } catch (...) {
        result_->fail(current_task_error(name(), runtime.rank()));
        finish();
        return;
      }
      runtime.remote().send(host, call, call.result, this);
    }

    void complete(transport::TaskReply reply) override {
      receive_reply(actor_.runtime_, *result_, body(), name(), std::move(reply),
                    [this] { finish(); });
    }

   private:
    void dependencies_ready() override { actor_.call_ready(*this); }

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

  void enqueue(Call* call) {
    retain();
    runtime_.work_started();
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(call);
    }
    call->start();
  }

  void call_ready(Call& ready) {
    retain();  // a finishing call may drop the last other reference
    {
      std::lock_guard lock(mutex_);
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

  Runtime& runtime_;
  const std::uint64_t generation_;
  std::optional<Reservation> reservation_;  ///< counted on the host when this rank created it
  std::mutex mutex_;
  std::deque<Call*> queue_;  ///< guarded by mutex_; calls not yet sent, in submission order
};

}  // namespace

Actor* ActorDirectory::find(const detail::ActorAddress& address) {
  std::lock_guard lock(mutex_);
  const auto found = actors_.find({address.creator, address.sequence});
  if (found == actors_.end()) return nullptr;
  found->second->retain();
  return found->second;
}

Actor* ActorDirectory::add(Actor& actor) {
  std::lock_guard lock(mutex_);
  const auto [entry, added] =
      actors_.emplace(Key{actor.address().creator, actor.address().sequence}, &actor);
  entry->second->retain();    // the caller's
  if (added) actor.retain();  // the directory's
  return entry->second;
}

Actor* ActorDirectory::find_or_park(const detail::ActorAddress& address, int source,
                                    transport::ActorCall& call) {
  std::lock_guard lock(mutex_);
  const Key key{address.creator, address.sequence};
  if (const auto found = actors_.find(key); found != actors_.end()) {
    found->second->retain();
    return found->second;
  }
  parked_[key].emplace_back(source, std::move(call));
  return nullptr;
}

std::vector<std::pair<int, transport::ActorCall>> ActorDirectory::take_parked(
    const detail::ActorAddress& address) {
  std::lock_guard lock(mutex_);
  const auto found = parked_.find({address.creator, address.sequence});
  if (found == parked_.end()) return {};
  auto calls = std::move(found->second);
  parked_.erase(found);
  return calls;
}

void ActorDirectory::clear() {
  std::map<Key, Actor*> actors;
  {
    std::lock_guard lock(mutex_);
    actors.swap(actors_);
  }
  for (auto& [key, actor] : actors) actor->release();
}

namespace {

/// Keeps a hosted actor in the directory for calls from other ranks (for the job), and runs the
/// calls that arrived before it did.
void keep_for_other_ranks(Runtime& runtime, Actor& actor) {
  runtime.actors().add(actor)->release();
  for (auto& [caller, call] : runtime.actors().take_parked(actor.address())) {
    call_hosted_actor(runtime, caller, std::move(call));
  }
}

/// The actor that owns `name`, checked to be of `class_name`, with one reference.
Actor* import_named(Runtime& runtime, const std::string& name, const char* class_name,
                    const ActorNames::Owner& owner) {
  if (owner.class_name != class_name) {
    throw TypeMismatchError("the actor named '" + name + "' is a " + owner.class_name + ", not a " +
                            class_name);
  }
  const auto address = from_wire(owner.actor);
  if (address.host == runtime.rank()) {
    // Claimed here a moment ago by another thread, which is about to keep the new actor in the
    // directory: wait for it rather than report it gone.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Actor* actor = runtime.actors().find(address)) return actor;
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  }
  return import_actor(runtime, address);
}

}  // namespace

bool current_actor_restarted() {
  if (!running_actor().active) {
    throw Error("manta::was_current_actor_restarted() called outside an actor's method");
  }
  return running_actor().restarted;
}

void exit_current_actor() {
  if (!running_actor().active) {
    throw Error("manta::exit_actor() called outside an actor's method");
  }
  throw ActorExit{};
}

Actor* find_named_actor(Runtime& runtime, const std::string& name, const char* class_name) {
  const auto owner = runtime.actor_names().find(runtime, name);
  if (!owner) throw ActorNotFoundError("no actor is named '" + name + "'");
  return import_named(runtime, name, class_name, *owner);
}

Actor* create_actor(Runtime& runtime, const char* class_name, const ActorOptions& options,
                    std::unique_ptr<detail::CallBody> constructor, const char* constructor_key) {
  std::string name = options.name.empty() ? std::string(class_name) : options.name;
  const auto& cluster = runtime.cluster();
  auto request = resources::make_request(options.num_cpus, options.num_gpus, options.memory,
                                         options.resources, cluster.catalog(), "actor", name);
  const int here = runtime.rank();
  if (options.rank >= cluster.size() || options.rank < -1) {
    throw InvalidOptionError("actor '" + name + "' asks for rank " + std::to_string(options.rank) +
                             ", but the job has ranks 0 to " + std::to_string(cluster.size() - 1));
  }
  const double every_seconds = options.checkpoint_every ? options.checkpoint_every->count() : 0;
  if (options.checkpoint_every_calls > 0 || options.checkpoint_every) {
    if (every_seconds < 0) {
      throw InvalidOptionError("actor '" + name + "' asks for checkpoint_every " +
                               std::to_string(every_seconds) + " s; give a duration > 0");
    }
    if (Registry::instance().actor_state(class_name).save == nullptr) {
      throw InvalidOptionError("actor '" + name + "' has a checkpoint policy, but class " +
                               class_name + " has no serialize member to save its state with");
    }
    if (!runtime.checkpointer().has_directory()) {
      throw InvalidOptionError("actor '" + name + "' has a checkpoint policy, but the job has no " +
                               "checkpoint directory (--checkpoint-dir)");
    }
  }
  if (options.max_restarts < -1 || options.max_task_retries < -1) {
    throw InvalidOptionError("actor '" + name + "' asks for max_restarts " +
                             std::to_string(options.max_restarts) + " and max_task_retries " +
                             std::to_string(options.max_task_retries) +
                             "; give counts >= 0, or -1 for no limit");
  }
  if (options.max_concurrency < 1) {
    throw InvalidOptionError("actor '" + name + "' asks for max_concurrency " +
                             std::to_string(options.max_concurrency) +
                             "; give at least 1 call at once");
  }
  const bool movable = constructor_key != nullptr && constructor->remotable();
  const bool isolated =
      options.isolation.value_or(runtime.options().isolation) == Isolation::process;
  if (isolated) {
    if (!movable) {
      throw InvalidOptionError("actor '" + name +
                               "' cannot run in a worker process (isolation = process): its "
                               "constructor takes an ObjectRef, an ActorHandle or a type that "
                               "cannot be serialized");
    }
    if (options.max_concurrency > 1) {
      throw InvalidOptionError("actor '" + name + "' asks for max_concurrency " +
                               std::to_string(options.max_concurrency) +
                               " and isolation = process; a worker process runs one call at a "
                               "time: use max_concurrency 1, or isolation = thread");
    }
    runtime.workers().check_available("actor '" + name + "'");
  }
  const ActorPolicy policy =
      policy_of(options.checkpoint_every_calls, every_seconds, options.max_restarts,
                options.max_task_retries, options.max_concurrency, isolated);
  const bool in_bundle = options.bundle.key >= 0;
  const int wanted_rank =
      in_bundle ? check_bundle(runtime, options.bundle, options.rank, request, "actor", name)
                : options.rank;
  if (wanted_rank >= 0 && wanted_rank != here && !movable) {
    throw InvalidOptionError("actor '" + name + "' cannot be placed on rank " +
                             std::to_string(wanted_rank) +
                             ": its constructor arguments cannot be serialized");
  }
  const bool holds_resources = request.cpu > 0 || !request.cpu_only();
  // Spread places every movable actor; pack moves only one whose resources this rank lacks.
  const bool placed_by_cluster = wanted_rank < 0 && movable && cluster.feasible(request) &&
                                 (options.scheduling == Scheduling::spread || holds_resources);
  const int host = wanted_rank >= 0 ? wanted_rank : here;
  if (!in_bundle && !placed_by_cluster && !cluster.totals(host).holds(request)) {
    throw InfeasibleError("actor '" + name + "' asks for " +
                          resources::describe(request, cluster.catalog()) + ", but " +
                          (options.rank >= 0 || !movable
                               ? "rank " + std::to_string(host) + " has " +
                                     resources::describe(cluster.totals(host), cluster.catalog())
                               : "no rank has that much: " + cluster.describe_totals()) +
                          ": it could never be placed");
  }
  // A bundle's resources were counted when the group was placed.
  std::optional<Reservation> reservation;
  if (!in_bundle) {
    reservation = placed_by_cluster ? runtime.cluster().place_actor(request, options.scheduling)
                                    : runtime.cluster().reserve(host, request);
  }
  const detail::ActorAddress address{reservation ? reservation->rank : host, here,
                                     runtime.next_object_id().sequence};
  const bool named = !options.name.empty();
  if (named) {
    const ActorNames::Owner mine{class_name, to_wire(address)};
    if (auto owner = runtime.actor_names().claim(runtime, options.name, mine)) {
      if (reservation) runtime.cluster().unreserve(*reservation);
      if (!options.get_if_exists) {
        throw InvalidOptionError(
            "an actor named '" + name + "' exists already (a " + owner->class_name + " on rank " +
            std::to_string(owner->actor.host) + "); use get_actor, or the get_if_exists option");
      }
      return import_named(runtime, name, class_name, *owner);
    }
  }
  if (address.host == here) {
    auto* actor = new LocalActor(runtime, address, class_name, options.name, std::move(request),
                                 std::move(reservation), std::move(constructor), policy,
                                 constructor_key != nullptr ? constructor_key : "");
    if (named) keep_for_other_ranks(runtime, *actor);  // a named actor lives for the job
    return actor;
  }
  auto* proxy = new RemoteActor(runtime, address);
  proxy->create(class_name, options.name, std::move(request), std::move(reservation),
                std::move(constructor), constructor_key, policy);
  Actor* kept = runtime.actors().add(*proxy);  // so handles that come back find this proxy
  proxy->release();
  return kept;
}

detail::ActorAddress export_actor(Runtime& runtime, Actor& actor) {
  if (actor.address().host == runtime.rank()) runtime.actors().add(actor)->release();
  return actor.address();
}

Actor* import_actor(Runtime& runtime, const detail::ActorAddress& address) {
  if (Actor* known = runtime.actors().find(address)) return known;
  if (address.host == runtime.rank()) {
    throw ActorDiedError("actor " + std::to_string(address.creator) + ":" +
                         std::to_string(address.sequence) + " is not hosted on rank " +
                         std::to_string(runtime.rank()) + " any more");
  }
  auto* proxy = new RemoteActor(runtime, address);
  Actor* kept = runtime.actors().add(*proxy);
  proxy->release();
  return kept;
}

void host_actor(Runtime& runtime, int source, transport::ActorCreate request) {
  const detail::ActorAddress address = from_wire(request.actor);
  const char* class_name = "actor";
  std::unique_ptr<detail::CallBody> constructor;
  try {
    class_name = Registry::instance().actor_class(request.class_name);
    if (!request.failure.empty()) throw Error(request.failure);
    constructor = Registry::instance().actor_constructor(request.constructor)(request.arguments);
  } catch (...) {
    constructor = std::make_unique<FailedCall>(std::current_exception());
  }
  util::log().debug("hosting actor '{}' created by rank {}", request.name, source);
  auto* actor =
      new LocalActor(runtime, address, class_name, std::move(request.name),
                     from_wire(request.resources), std::nullopt, std::move(constructor),
                     policy_of(request.checkpoint_every_calls, request.checkpoint_every_seconds,
                               request.max_restarts, request.max_task_retries,
                               request.max_concurrency, request.isolated),
                     request.constructor);
  keep_for_other_ranks(runtime, *actor);
  actor->release();
}

void call_hosted_actor(Runtime& runtime, int source, transport::ActorCall request) {
  Actor* actor = runtime.actors().find_or_park(from_wire(request.actor), source, request);
  if (actor == nullptr) return;  // parked until the actor's creation arrives
  try {
    if (request.method == checkpoint_method) {
      reply_when_ready(runtime, source, request.result, actor->checkpoint(), request.method);
      actor->release();
      return;
    }
    if (request.method == kill_method || request.method == kill_and_restart_method) {
      actor->kill(request.method == kill_and_restart_method);
      runtime.remote().reply(source, {request.result, std::vector<std::byte>{}});  // a Unit
      actor->release();
      return;
    }
    const auto method = Registry::instance().remote_method(request.method);
    if (method.factory == nullptr) {
      throw NotRegisteredError("method '" + request.method + "' cannot be called remotely");
    }
    Object* result =
        actor->submit(method.name, method.factory(method.member_pointer, request.arguments));
    reply_when_ready(runtime, source, request.result, result, request.method);
  } catch (...) {
    runtime.remote().reply(source, {request.result, wire_error(std::current_exception(),
                                                               request.method, runtime.rank())});
  }
  if (actor != nullptr) actor->release();
}

}  // namespace manta::core
