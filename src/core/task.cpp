#include "core/task.hpp"

#include "core/dependent.hpp"
#include "core/registry.hpp"
#include "core/remote.hpp"
#include "core/runtime.hpp"
#include "core/task_error.hpp"
#include "core/wire_error.hpp"
#include "util/log.hpp"
#include "util/timeline.hpp"

#include <manta/error.hpp>

namespace manta::core {
namespace {

TaskCancelledError cancelled_error(const std::string& name, int rank) {
  return TaskCancelledError("task '" + name + "' was cancelled (manta::cancel) on rank " +
                            std::to_string(rank));
}

/// A thread task past its timeout (a worker process's is killed instead: WorkerPool).
TaskTimeoutError thread_timeout_error(const std::string& name, int rank, double seconds) {
  return TaskTimeoutError(name, rank,
                          "task '" + name + "' on rank " + std::to_string(rank) +
                              " ran past its timeout of " + std::to_string(seconds) +
                              " s: it was asked to stop (manta::cancelled() is true); a thread "
                              "cannot be killed, so it holds its resources until it returns");
}

/// @brief Cancels a scheduled timer when it goes out of scope.
class TimerGuard {
 public:
  TimerGuard(Timers& timers, Timers::Id id) : timers_(timers), id_(id) {}
  ~TimerGuard() { timers_.cancel(id_); }
  TimerGuard(const TimerGuard&) = delete;
  TimerGuard& operator=(const TimerGuard&) = delete;

 private:
  Timers& timers_;
  const Timers::Id id_;
};

/// @brief A submitted task, alive from submission until its result is set. It runs on this
/// rank's executor, or is sent to another rank and waits there for the reply.
///
/// manta::cancel may settle its result first (Cancellable): whichever of the task and the cancel
/// claims the result (settle()) sets it, and the other leaves it.
class Task final : public Runnable, public Dependent, public RemoteCompletion, public Cancellable {
 public:
  /// `pinned`: run here whatever the load (a task another rank already placed here).
  /// `target_rank`: where it must run (this rank for a task another rank sent here), or -1 to
  /// let the cluster choose.
  /// `isolated`: run in a worker process (Isolation::process), killed after `timeout_seconds`
  /// (0: never).
  Task(Runtime& runtime, const char* function_name, std::string name, int max_retries,
       RetryExceptions retry_exceptions, std::unique_ptr<detail::CallBody> body, Object* result,
       int target_rank, bool isolated, double timeout_seconds)
      : runtime_(runtime),
        function_name_(function_name),
        name_(std::move(name)),
        retries_left_(max_retries),
        retry_exceptions_(std::move(retry_exceptions)),
        target_rank_(target_rank),
        isolated_(isolated),
        timeout_seconds_(timeout_seconds),
        body_(std::move(body)),
        result_(result) {
    result_->set_cancellable(this);
  }

  /// Waits for the ObjectRef arguments, then dispatches itself. May finish before returning.
  void start() { wait_for(body_->dependencies()); }

  bool submitted(Object& child) override {
    child.retain();  // the list's
    Object* head = children_.load(std::memory_order_acquire);
    do {
      if (head == closed_list()) {
        child.release();
        return false;
      }
      child.set_next_sibling(head);
    } while (!children_.compare_exchange_weak(head, &child, std::memory_order_release,
                                              std::memory_order_acquire));
    return true;
  }

  Units run() override {
    if (cancelled_.load()) {  // withdrawn too late: the cancel settled the result
      finish();
      return Units::release;
    }
    result_->set_running_frame(Executor::current_frame());
    WorkStats::Run run(runtime_.job_state().stats(), util::timeline::Kind::task, function_name_,
                       result_->id().sequence);
    if (arrived_flow_ != 0) run.flow_in(arrived_flow_);
    try {
      const auto timeout = start_thread_timeout();
      auto value = isolated_ ? run_in_worker() : body_->run(nullptr);
      if (settle()) result_->seal(std::move(value));
    } catch (const WorkerCrashedError&) {
      if (retry(std::current_exception())) {
        run.retried();
        return Units::release;
      }
      run.failed();
      if (settle()) result_->fail(std::current_exception());
    } catch (...) {
      auto error = current_task_error(name_, runtime_.rank());
      if (retry(error)) {
        run.retried();
        return Units::release;
      }
      run.failed();
      if (settle()) result_->fail(std::move(error));
    }
    finish();
    return Units::release;
  }

  void abandon(const std::string& reason) override {
    if (settle()) {
      result_->fail(std::make_exception_ptr(InfeasibleError("task '" + name_ + "' on rank " +
                                                            std::to_string(runtime_.rank()) +
                                                            " never ran: " + reason)));
    }
    finish();
  }

  std::string describe() const override { return "task '" + name_ + "'"; }
  bool cancel_requested() const noexcept override { return cancelled_.load(); }

  std::function<void()> cancel_locked(CancelMode mode) override {
    cancelled_.store(true);
    if (mode.force && isolated_) watch_.kill();
    const bool claimed = settle();
    const bool withdrawn = runtime_.executor().withdraw(this);
    const int sent_to = sent_to_.load();
    // A recursive cancel takes the list (and its references) and closes it: children submitted
    // later are cancelled at birth.
    Object* children = mode.recursive ? take_children() : nullptr;
    Object* result = result_;
    result->retain();
    // `this` is valid in there only when withdrawn: what else it needs is captured now.
    return [this, &runtime = runtime_, claimed, withdrawn, sent_to, mode, result, children,
            error = mode.timed_out
                        ? std::make_exception_ptr(
                              thread_timeout_error(name_, runtime_.rank(), timeout_seconds_))
                        : std::make_exception_ptr(cancelled_error(name_, runtime_.rank()))] {
      if (claimed) result->fail(error);
      if (sent_to >= 0) {
        const ObjectId id = result->id();
        runtime.messenger().send(sent_to,
                                 transport::encode(transport::CancelTask{
                                     {id.owner_rank, id.sequence}, mode.recursive, mode.force}));
      }
      if (withdrawn) finish();  // it will never run: it is ours to end
      result->release();
      for (Object* child = children; child != nullptr;) {
        Object* const next = child->next_sibling();
        // Its children are cancelled, not timed out: the timeout was this task's.
        child->cancel({.recursive = mode.recursive, .force = mode.force});
        child->release();
        child = next;
      }
    };
  }

  void complete(transport::TaskReply reply) override {
    if (const auto* error = std::get_if<transport::WireError>(&reply.outcome);
        error != nullptr && !cancelled_.load() && retry(*error)) {
      return;
    }
    if (!settle()) {  // cancelled: the reply is dropped, and a result held there freed
      if (const auto* held = std::get_if<transport::StoreLocation>(&reply.outcome)) {
        runtime_.remote().release_held(held->rank, reply.result);
      }
      finish();
      return;
    }
    receive_reply(runtime_, *result_, *body_, name_, std::move(reply), [this] { finish(); });
  }

 private:
  /// Marks children_ as taken; never an object.
  static Object* closed_list() noexcept {
    static char marker;
    return reinterpret_cast<Object*>(&marker);
  }
  /// The children's list with its references (nullptr if empty or taken before); closes it.
  Object* take_children() noexcept {
    Object* list = children_.exchange(closed_list(), std::memory_order_acq_rel);
    return list == closed_list() ? nullptr : list;
  }

  /// For a thread task with a timeout: a timer that cancels it as timed out (cancel_locked) when
  /// it runs past it, until the guard goes.
  std::unique_ptr<TimerGuard> start_thread_timeout() {
    if (timeout_seconds_ <= 0 || isolated_) return nullptr;
    result_->retain();  // the timer's, released when its callback goes (run or dropped)
    const std::shared_ptr<Object> result(result_, [](Object* object) { object->release(); });
    const auto deadline =
        Timers::Clock::now() + std::chrono::duration_cast<Timers::Clock::duration>(
                                   std::chrono::duration<double>(timeout_seconds_));
    const auto id = runtime_.timers().schedule(
        deadline, [result] { result->cancel({.recursive = true, .timed_out = true}); });
    return std::make_unique<TimerGuard>(runtime_.timers(), id);
  }

  /// The task as a TaskRequest, without its arguments: for another rank or a worker process.
  transport::TaskRequest request_message() const {
    const ObjectId id = result_->id();
    transport::TaskRequest message{
        {id.owner_rank, id.sequence}, function_name_, name_, to_wire(request), {}, {}};
    message.isolated = isolated_;
    message.timeout_seconds = timeout_seconds_;
    return message;
  }

  /// Runs the call in one of the rank's worker processes; returns its value or throws its error
  /// (a TaskError, WorkerCrashedError, TaskTimeoutError).
  std::unique_ptr<detail::ValueBox> run_in_worker() {
    auto message = request_message();
    body_->write_arguments(message.arguments, nullptr);
    util::SharedMemory payload;
    const auto reply = runtime_.workers().run(std::move(message), watch_, payload);
    return read_worker_value(*body_, reply, payload, runtime_.rank());
  }

  /// Claims the result for the caller to set: false when it was claimed before (a cancel).
  bool settle() noexcept { return !settled_.exchange(true); }

  void dependencies_ready() override {
    if (cancelled_.load()) {
      finish();
      return;
    }
    if (auto failure = first_failure(body_->dependencies())) {
      if (settle()) result_->fail(std::move(failure));
      finish();
      return;
    }
    dispatch();
  }

  void dispatch() {
    const int here = runtime_.rank();
    const int target = target_rank_ >= 0 ? target_rank_
                       : body_->remotable()
                           ? runtime_.cluster().choose(request, runtime_.executor())
                           : here;
    if (target == here) {
      runtime_.executor().submit(this);
    } else {
      send_to(target);
    }
  }

 public:
  bool stealable() const noexcept override { return target_rank_ < 0 && body_->remotable(); }

  /// A task another rank sent: its timeline span ends the flow that rank's submission began.
  void arrived_as(transport::WireObjectId sent) {
    arrived_flow_ = util::timeline::flow_id(sent.owner, sent.sequence);
  }

  /// Sends the task to `target` to run there; its reply completes it here.
  void send_to(int target) {
    sent_to_.store(target);
    if (cancelled_.load()) {  // before the cancel could see where it went
      finish();
      return;
    }
    auto message = request_message();
    try {
      std::vector<std::span<const std::byte>> located;
      body_->write_arguments(message.arguments, &located);
      for (const auto bytes : located) {
        message.located.push_back(
            {runtime_.rank(), runtime_.store().offset_of(bytes.data()), bytes.size()});
      }
    } catch (...) {
      if (settle()) result_->fail(current_task_error(name_, runtime_.rank()));
      finish();
      return;
    }
    message.sender_queued = static_cast<std::uint32_t>(runtime_.executor().queued());
    const auto result_id = message.result;
    util::timeline::Span span(util::timeline::Kind::submit, function_name_, result_id.sequence);
    span.set_transfer(target, 0);
    span.flow_out(util::timeline::flow_id(result_id.owner, result_id.sequence));
    runtime_.remote().send(target, message, result_id, this);
  }

 private:
  /// Queues the task again if it has retries left for `error`.
  bool retry(const transport::WireError& error) {
    // A crashed or timed-out worker process is retried whatever retry_exceptions says.
    // A thread task past its timeout may still run: it is not started again beside itself.
    const bool crashed = error.kind == transport::ErrorKind::worker_crashed ||
                         error.kind == transport::ErrorKind::timed_out;
    const std::string& exception_type = error.exception_type;
    if (retries_left_ == 0 || (!crashed && !retry_exceptions_.covers(exception_type)) ||
        (crashed && !isolated_) || cancelled_.load()) {
      return false;
    }
    ++retries_;
    if (retries_left_ > 0) --retries_left_;
    util::log().warn("task '{}' failed with {}; running it again (retry {} of {})", name_,
                     exception_type, retries_,
                     retries_left_ < 0 ? "unlimited" : std::to_string(retries_ + retries_left_));
    dispatch();
    return true;
  }
  bool retry(const std::exception_ptr& error) { return retry(wire_error(error, name_, -1)); }

  void finish() {
    Runtime& runtime = runtime_;
    result_->clear_cancellable();  // waits for a cancel that may be using this task
    result_->release();
    for (Object* child = take_children(); child != nullptr;) {
      Object* const next = child->next_sibling();
      child->release();
      child = next;
    }
    delete this;
    runtime.work_finished();
  }

  Runtime& runtime_;
  const char* const function_name_;
  const std::string name_;
  int retries_left_;  ///< -1: no limit
  int retries_ = 0;
  const RetryExceptions retry_exceptions_;
  const int target_rank_;
  const bool isolated_;
  const double timeout_seconds_;
  WorkerWatch watch_;  ///< the worker process running it, when isolated_
  std::unique_ptr<detail::CallBody> body_;
  Object* result_;                    ///< one reference, held until the result is set
  std::atomic<bool> settled_{false};  ///< the result is claimed (settle())
  std::atomic<bool> cancelled_{false};
  std::atomic<int> sent_to_{-1};    ///< the rank it was last sent to
  std::uint64_t arrived_flow_ = 0;  ///< sent here by another rank: its flow (arrived_as)
  /// The results of the tasks it submitted, linked by Object::next_sibling, one reference each
  /// (pushed without a lock: nested tasks submit many); closed_list() once taken.
  std::atomic<Object*> children_{nullptr};
};

}  // namespace

std::size_t give_work(Runtime& runtime, int thief, resources::Amount units) {
  const auto stolen = runtime.executor().steal(units);
  for (Runnable* runnable : stolen) static_cast<Task*>(runnable)->send_to(thief);
  return stolen.size();
}

Object* submit_task(Runtime& runtime, const char* function_name, const TaskOptions& options,
                    std::unique_ptr<detail::CallBody> body) {
  std::string name = options.name.empty() ? std::string(function_name) : options.name;
  const auto& cluster = runtime.cluster();
  auto request = resources::make_request(options.num_cpus, options.num_gpus, options.memory,
                                         options.resources, cluster.catalog(), "task", name);
  if (options.max_retries < -1) {
    throw InvalidOptionError("max_retries of task '" + name + "' is " +
                             std::to_string(options.max_retries) +
                             "; give a count >= 0, or -1 for no limit");
  }
  const bool remotable = body->remotable();
  if (options.rank >= cluster.size() || options.rank < -1) {
    throw InvalidOptionError("task '" + name + "' asks for rank " + std::to_string(options.rank) +
                             ", but the job has ranks 0 to " + std::to_string(cluster.size() - 1));
  }
  if (options.rank >= 0 && options.rank != runtime.rank() && !remotable) {
    throw InvalidOptionError("task '" + name + "' cannot go to rank " +
                             std::to_string(options.rank) +
                             ": it takes an ObjectRef, an ActorHandle or a type that cannot be "
                             "serialized");
  }
  int target_rank = options.rank;
  if (options.bundle.key >= 0) {
    target_rank = runtime.placement_groups().check_bundle(options.bundle, options.rank, request,
                                                          "task", name);
    if (target_rank != runtime.rank() && !remotable) {
      throw InvalidOptionError("task '" + name + "' cannot go to its bundle on rank " +
                               std::to_string(target_rank) +
                               ": it takes an ObjectRef, an ActorHandle or a type that cannot be "
                               "serialized");
    }
  }
  const bool isolated =
      options.isolation.value_or(runtime.options().isolation) == Isolation::process;
  double timeout_seconds = 0;
  if (options.timeout) {
    timeout_seconds = options.timeout->count();
    if (!(timeout_seconds > 0) || !std::isfinite(timeout_seconds)) {
      throw InvalidOptionError("timeout of task '" + name + "' is " +
                               std::to_string(timeout_seconds) +
                               " s; give a finite number of seconds > 0");
    }
  }
  if (isolated) {
    if (!remotable) {
      throw InvalidOptionError("task '" + name +
                               "' cannot run in a worker process "
                               "(isolation = process): it takes an ObjectRef, an ActorHandle or "
                               "a type that cannot be serialized");
    }
    runtime.workers().check_available("task '" + name + "'");
  }
  const int only_rank = !remotable ? runtime.rank() : target_rank;
  if (options.bundle.key >= 0) {
    // Checked against the bundle (by check_bundle, when this rank knows it).
  } else if (only_rank >= 0 ? !cluster.totals(only_rank).holds(request)
                            : !cluster.feasible(request)) {
    throw InfeasibleError(
        "task '" + name + "' asks for " + resources::describe(request, cluster.catalog()) +
        (only_rank >= 0
             ? ", but rank " + std::to_string(only_rank) + " has " +
                   resources::describe(cluster.totals(only_rank), cluster.catalog()) +
                   (remotable ? ""
                              : " (it cannot go to another rank: it takes an ObjectRef, an "
                                "ActorHandle or a type that cannot be serialized)")
             : ", but no rank has that much: " + cluster.describe_totals()) +
        ": it could never run");
  }
  auto* result = new Object(runtime.next_object_id(), function_name);
  result->retain();  // the caller's reference; the task holds the first
  auto* task = new Task(runtime, function_name, std::move(name), options.max_retries,
                        options.retry_exceptions, std::move(body), result, target_rank, isolated,
                        timeout_seconds);
  task->request = std::move(request);
  Runnable* parent = Executor::current_runnable();
  const bool born_cancelled = parent != nullptr && !parent->submitted(*result);
  runtime.work_started();
  task->start();
  if (born_cancelled) result->cancel({});
  return result;
}

void cancel_task(Object& result, bool force, bool recursive) { result.cancel({recursive, force}); }

bool current_task_cancelled() noexcept {
  const Runnable* running = Executor::current_runnable();
  return running != nullptr && running->cancel_requested();
}

namespace {

/// Builds the call `request` names, with the arguments sent by location in `located`, and runs
/// it here as a task whose outcome goes back to `source`.
void start_requested_task(Runtime& runtime, int source, transport::TaskRequest& request,
                          std::span<detail::StoreBlock> located) {
  std::unique_ptr<detail::CallBody> body;
  const char* function_name = nullptr;
  try {
    const auto function = Registry::instance().remote_function(request.function);
    if (function.factory == nullptr) {
      throw NotRegisteredError("function '" + request.function + "' cannot run remotely");
    }
    function_name = Registry::instance().function_name(function.address);
    body = function.factory(function.address, request.arguments, located);
    if (request.isolated) runtime.workers().check_available("task '" + request.name + "'");
  } catch (...) {
    runtime.remote().untrack_requested(request.result);
    runtime.remote().reply(source, {request.result, wire_error(std::current_exception(),
                                                               request.name, runtime.rank())});
    return;
  }
  auto* result = new Object(runtime.next_object_id(), function_name);
  result->retain();  // the task's; the first goes to the reply
  auto* task =
      new Task(runtime, function_name, request.name, /*max_retries=*/0, false, std::move(body),
               result, runtime.rank(), request.isolated, request.timeout_seconds);
  task->request = from_wire(request.resources);
  task->arrived_as(request.result);
  // Tracked until ready, for a CancelTask from the sender (untracked before the reply's callback
  // lets the object go).
  const auto early_cancel = runtime.remote().track_requested(request.result, result);
  result->on_ready([&runtime, id = request.result] { runtime.remote().untrack_requested(id); });
  reply_when_ready(runtime, source, request.result, result, std::move(request.name));
  runtime.work_started();
  if (early_cancel) result->cancel(*early_cancel);
  task->start();
}

}  // namespace

void run_task_request(Runtime& runtime, int source, transport::TaskRequest request) {
  // Stealing from the sender may pay again only if it has a backlog: after a pinned task alone,
  // idle workers would ask it for work on every round trip, each ask waking its progress thread.
  if (request.sender_queued >= 2) runtime.remote().backlog_seen();
  if (request.located.empty()) {
    start_requested_task(runtime, source, request, {});
    return;
  }
  // Large arguments stay in the owner's store (which keeps them until this task replies): read
  // them in place on this node, or fetch them with one get each, before the call is built. A
  // cancel meanwhile waits in the tracking entry.
  runtime.remote().track_requested(request.result, nullptr);
  auto waiting = std::make_shared<transport::TaskRequest>(std::move(request));
  fetch_located(runtime, waiting->located, std::nullopt,
                [&runtime, source, waiting](std::vector<detail::StoreBlock> blocks,
                                            const std::string& error) {
                  if (!error.empty()) {
                    runtime.remote().untrack_requested(waiting->result);
                    runtime.remote().reply(
                        source, {waiting->result, transport::WireError{waiting->name,
                                                                       runtime.rank(),
                                                                       "manta::Error",
                                                                       error,
                                                                       transport::ErrorKind::task,
                                                                       {}}});
                    return;
                  }
                  start_requested_task(runtime, source, *waiting, blocks);
                });
}

void handle_task_messages(Runtime& runtime, MessageRouter& router) {
  router.on<transport::TaskRequest>([&runtime](int source, transport::TaskRequest request) {
    run_task_request(runtime, source, std::move(request));
  });
  router.on<transport::StealRequest>([&runtime](int source, transport::StealRequest steal) {
    const auto given = give_work(runtime, source, steal.free_units);
    runtime.messenger().send(
        source, transport::encode(transport::StealReply{static_cast<std::int32_t>(given)}));
  });
}

}  // namespace manta::core
