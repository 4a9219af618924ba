#include "core/local_actor.hpp"

#include "core/registry.hpp"
#include "core/runtime.hpp"
#include "core/task_error.hpp"
#include "util/failure.hpp"
#include "util/log.hpp"
#include "util/timeline.hpp"

#include <manta/error.hpp>

#include <utility>

namespace manta::core {
namespace {

/// Calls a drain runs before it queues itself again, so busy actors share the threads.
constexpr int calls_per_drain = 64;

}  // namespace

class LocalActor::Call final : public QueuedCall {
 public:
  Call(LocalActor& actor, CallKind kind, const char* name, std::unique_ptr<detail::CallBody> body,
       Object* result)
      : QueuedCall(kind, name, std::move(body), result), actor_(actor) {}

 private:
  void dependencies_ready() override { actor_.call_ready(*this); }
  LocalActor& actor_;
};

/// Runs one method call of a concurrent actor on a worker thread of its own.
class LocalActor::CallRunner final : public Runnable {
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
    call_.result()->fail(actor_.supervisor_.death_error("its call never ran: " + reason));
    actor_.end_concurrent_call(call_, false);
    delete this;
  }
  std::string describe() const override { return actor_.describe_running(); }

 private:
  LocalActor& actor_;
  Call& call_;
};

LocalActor::LocalActor(Runtime& runtime, detail::ActorAddress address, const char* class_name,
                       std::string name, resources::Request request,
                       std::optional<Reservation> reservation,
                       std::unique_ptr<detail::CallBody> constructor, ActorPolicy policy,
                       std::string constructor_key)
    : Actor(address),
      runtime_(runtime),
      generation_(runtime.generation()),
      identity_(class_name, std::move(name), address,
                resources::describe(request, runtime.cluster().catalog())),
      policy_(policy),
      supervisor_(runtime, identity_, policy_,
                  {identity_.class_name,
                   "actor '" + identity_.shown_name + "' on rank " + std::to_string(runtime.rank()),
                   Registry::instance().actor_state(identity_.class_name),
                   policy.isolated ? &runtime.workers() : nullptr, std::move(constructor_key)}),
      snapshots_(runtime, identity_, policy_,
                 Registry::instance().actor_state(identity_.class_name)),
      placement_{std::move(reservation), false, {}} {
  drain_.request = std::move(request);  // the first drain places the actor and keeps it
  if (snapshots_.checkpointable() && runtime_.checkpointer().add(*this, identity_.key)) {
    util::LockGuard lock(mutex_);
    paused_ = true;  // created after the job's exit snapshot: it must run nothing
  }
  runtime_.job_state().add(*this);
  enqueue(new Call(*this, CallKind::constructor, class_name, std::move(constructor), nullptr));
}

LocalActor::~LocalActor() {
  if (Runtime::current_if(generation_) != nullptr) runtime_.job_state().remove(*this);
  if (snapshots_.checkpointable()) runtime_.checkpointer().remove(*this);
  supervisor_.stop();  // before its resources go: a worker process, a GPU in use
  if (Runtime::current_if(generation_) != nullptr) release_resources();
}

Object* LocalActor::submit(const char* method_name, std::unique_ptr<detail::CallBody> body) {
  auto* result = new Object(runtime_.next_object_id(), method_name);
  result->retain();  // the caller's reference; the call holds the first
  enqueue(new Call(*this, CallKind::method, method_name, std::move(body), result));
  return result;
}

Object* LocalActor::checkpoint() {
  const char* name = request_name(CallKind::checkpoint);
  auto* result = new Object(runtime_.next_object_id(), name);
  result->retain();
  enqueue(new Call(*this, CallKind::checkpoint, name, request_body(CallKind::checkpoint), result));
  return result;
}

void LocalActor::kill(bool restart) {
  util::LockGuard lock(mutex_);
  end_at_gap(restart ? Ending::Kind::kill_and_restart : Ending::Kind::kill,
             "killed by manta::kill");
  if (constructed_ && !paused_) drain_soon();
}

void LocalActor::snapshot(
    std::function<void(std::optional<checkpoint::ActorRecord>, std::exception_ptr)> done,
    bool exiting) {
  // The state handle.checkpoint() marked serves a round that goes on, not one the job exits
  // after: calls ran since the mark whose results the job may have reported, and the exit
  // checkpoint must hold them.
  if (auto marked = snapshots_.take_marked(); marked && !exiting) {
    done(std::move(marked), {});
    return;
  }
  {
    util::LockGuard lock(mutex_);
    if (constructed_) {
      snapshot_waiters_.push_back({std::move(done), exiting});
      drain_soon();
      return;
    }
    // Exiting, not even the constructor runs: the job must do nothing the checkpoint misses.
    paused_ = paused_ || exiting;
  }
  // Not constructed yet: its state is still the one it will be restored from, if any.
  if (const auto saved =
          runtime_.checkpointer().last_saved(identity_.key, !identity_.name.empty())) {
    try {
      done(checkpoint::read_actor(saved->file, identity_.key), {});
    } catch (...) {
      done(std::nullopt, std::current_exception());
    }
    return;
  }
  done(std::nullopt, {});
}

void LocalActor::resume() {
  util::LockGuard lock(mutex_);
  paused_ = false;
  const bool work = (ending_ && constructed_) || (!mailbox_.empty() && mailbox_.front()->runnable);
  if (work) drain_soon();
}

ActorState LocalActor::state() const {
  return {runtime_.rank(),        identity_.class_name,
          identity_.name,         supervisor_.phase(),
          supervisor_.restarts(), calls_waiting_.load(std::memory_order_relaxed),
          supervisor_.calls()};
}

void LocalActor::enqueue(Call* call) {
  retain();
  calls_waiting_.fetch_add(1, std::memory_order_relaxed);
  runtime_.work_started();
  {
    util::LockGuard lock(mutex_);
    mailbox_.push_back(call);
  }
  call->start();
}

void LocalActor::drain_soon() {
  if (draining_) return;
  draining_ = true;
  retain();
  runtime_.executor().submit(&drain_);
}

void LocalActor::call_ready(Call& call) {
  util::LockGuard lock(mutex_);
  call.runnable = true;
  if (!paused_ && mailbox_.front()->runnable) drain_soon();
}

std::string LocalActor::describe_running() const {
  const char* call = running_actor().call;
  return "actor '" + identity_.shown_name + "'" +
         (call != nullptr ? std::string(" in ") + call : "");
}

bool LocalActor::drain_needed_locked() const {
  if (!snapshot_waiters_.empty()) return true;
  if (paused_) return false;
  if (ending_) return in_flight_ == 0;
  return !mailbox_.empty() && mailbox_.front()->runnable;
}

void LocalActor::never_placed(const std::string& reason) {
  supervisor_.end("it was never placed: " + reason);
  drain_.request = {};  // the drain runs now, holding nothing
  drain();              // may destroy the actor
}

Runnable::Units LocalActor::drain() {
  const auto units = placement_.placed ? Runnable::Units::release : Runnable::Units::keep;
  if (!placement_.placed) {
    placement_.placed = true;
    placement_.kept = std::exchange(drain_.request, {});  // later drains run on what it keeps
  }
  for (int done = 0; done < calls_per_drain; ++done) {
    Call* call = nullptr;
    bool dispatch = false;
    std::vector<SnapshotRequest> snapshots;
    std::optional<Ending> ending;
    {
      util::LockGuard lock(mutex_);
      // Snapshots, kills and restarts of a concurrent actor wait for its running calls; the
      // last to finish drains again.
      const bool quiet = in_flight_ == 0;
      if (!snapshot_waiters_.empty()) {
        if (quiet) snapshots.swap(snapshot_waiters_);
        draining_ = quiet;
      } else if (paused_) {
        draining_ = false;  // resume() drains again
      } else if (ending_ && constructed_) {
        if (quiet) ending.swap(ending_);
        draining_ = quiet;
      } else if (mailbox_.empty() || !mailbox_.front()->runnable) {
        draining_ = false;
      } else {
        Call* front = mailbox_.front();
        // Constructors, checkpoint marks and calls of a dead actor run here, alone.
        dispatch = concurrent() && constructed_ && !supervisor_.dead() &&
                   front->kind() == CallKind::method;
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
      // Between two calls, never in the middle of one.
      snapshots_.serve(snapshots, supervisor_, [this](bool pause) {
        util::LockGuard lock(mutex_);
        paused_ = pause;
      });
      continue;
    }
    if (ending) {
      act_on(*ending);
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

void LocalActor::execute(Call& call) {
  Object* result = call.result();
  if (call.kind() == CallKind::constructor) {
    supervisor_.construct(call);
    util::LockGuard lock(mutex_);
    constructed_ = true;
  } else if (supervisor_.dead()) {
    result->fail(supervisor_.death());
  } else if (auto failure = Call::first_failure(call.body().dependencies())) {
    result->fail(std::move(failure));
  } else if (call.kind() == CallKind::checkpoint) {
    snapshots_.checkpoint_on_demand(*result, supervisor_);
  } else if (!run_method(call)) {
    return;  // queued again, for the restarted instance
  }
  finish(call);
}

bool LocalActor::run_method(Call& call) {
  Object* result = call.result();
  std::exception_ptr fatal;
  std::optional<std::string> lost;
  WorkStats::Run run(runtime_.job_state().stats(), util::timeline::Kind::actor_call, call.name());
  try {
    const RunningActorScope running(supervisor_.restarted(), call.name());
    result->seal(supervisor_.instance().call(call.name(), call.body()));
    supervisor_.count_call();
  } catch (const ActorExit&) {
    supervisor_.count_call();
    end_for_good(std::string("it called manta::exit_actor() in ") + call.name());
    result->fail(supervisor_.death());
  } catch (const ActorFatalError&) {
    run.failed();
    fatal = current_task_error(call.name(), runtime_.rank());
  } catch (const WorkerCrashedError&) {
    run.failed();
    fatal = std::current_exception();  // as it is: it names the process and how it ended
  } catch (const WorkerLostError& error) {
    run.failed();
    lost = error.what();
  } catch (...) {
    run.failed();
    result->fail(current_task_error(call.name(), runtime_.rank()));
    supervisor_.count_call();
  }
  if (lost) {
    // The call never reached the instance: it runs on the restarted one, as a first try.
    if (restart(*lost)) {
      run.retried();
      util::LockGuard lock(mutex_);
      mailbox_.push_front(&call);
      return false;
    }
    result->fail(supervisor_.death());
  } else if (fatal) {
    if (restart(util::message_of(fatal)) && within(call.retries, policy_.max_task_retries)) {
      ++call.retries;
      run.retried();
      util::log().warn("actor '{}': running {} again (retry {} of {})", identity_.shown_name,
                       call.name(), call.retries, limit_text(policy_.max_task_retries));
      util::LockGuard lock(mutex_);
      mailbox_.push_front(&call);  // first on the restarted instance, keeping its references
      return false;
    }
    result->fail(fatal);
  } else {
    snapshots_.call_done();
  }
  return true;
}

void LocalActor::run_concurrently(Call& call) {
  Object* result = call.result();
  bool again = false;
  {
    const RunningActorScope running(supervisor_.restarted(), call.name());
    WorkStats::Run run(runtime_.job_state().stats(), util::timeline::Kind::actor_call, call.name());
    try {
      result->seal(supervisor_.instance().call(call.name(), call.body()));
    } catch (const ActorExit&) {
      const std::string reason = std::string("it called manta::exit_actor() in ") + call.name();
      {
        // Before the caller learns of it: a call it makes next must find the actor ending.
        util::LockGuard lock(mutex_);
        end_at_gap(Ending::Kind::exit, reason);
      }
      result->fail(supervisor_.death_error(reason));
    } catch (const ActorFatalError&) {
      run.failed();
      auto fatal = current_task_error(call.name(), runtime_.rank());
      // As run_method() does, knowing that the restart comes once no call runs.
      again = supervisor_.may_retry(call.retries);
      {
        util::LockGuard lock(mutex_);
        end_at_gap(Ending::Kind::restart, util::message_of(fatal));
        if (again) {
          ++call.retries;
          run.retried();
          mailbox_.push_front(&call);  // first on the restarted instance
        }
      }
      if (!again) result->fail(fatal);
    } catch (...) {
      run.failed();
      result->fail(current_task_error(call.name(), runtime_.rank()));
    }
  }
  if (again) {
    util::log().warn("actor '{}': running {} again (retry {} of {})", identity_.shown_name,
                     call.name(), call.retries, limit_text(policy_.max_task_retries));
  }
  end_concurrent_call(call, again);
}

void LocalActor::end_concurrent_call(Call& call, bool again) {
  if (!again) {
    supervisor_.count_call();
    snapshots_.call_done();
  }
  {
    util::LockGuard lock(mutex_);
    --in_flight_;
    if (drain_needed_locked()) drain_soon();
  }
  if (!again) finish(call);
}

void LocalActor::finish(Call& call) {
  if (Object* result = call.result()) result->release();
  delete &call;
  calls_waiting_.fetch_sub(1, std::memory_order_relaxed);
  runtime_.work_finished();
  release();  // the call's reference; the drain or a CallRunner's caller still holds one
}

void LocalActor::end_at_gap(Ending::Kind kind, std::string reason) {
  if (!ending_ || ending_->kind < kind) ending_ = Ending{kind, std::move(reason)};
}

void LocalActor::act_on(const Ending& ending) {
  if (supervisor_.dead()) return;
  switch (ending.kind) {
    case Ending::Kind::restart:
    case Ending::Kind::kill_and_restart:
      restart(ending.reason);
      break;
    case Ending::Kind::kill:
    case Ending::Kind::exit:
      end_for_good(ending.reason);
      break;
  }
}

bool LocalActor::restart(const std::string& reason) {
  if (supervisor_.restart(reason)) return true;
  release_resources();
  return false;
}

void LocalActor::end_for_good(const std::string& reason) {
  supervisor_.end(reason);
  release_resources();
}

void LocalActor::release_resources() {
  if (placement_.placed) {
    runtime_.executor().release(std::exchange(placement_.kept, {}), drain_.granted);
    drain_.granted.clear();
  }
  if (placement_.reservation) {
    runtime_.cluster().unreserve(*std::exchange(placement_.reservation, std::nullopt));
  }
}

}  // namespace manta::core
