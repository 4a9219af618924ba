#include "core/task.hpp"

#include "core/dependent.hpp"
#include "core/registry.hpp"
#include "core/remote.hpp"
#include "core/runtime.hpp"
#include "core/task_error.hpp"
#include "util/log.hpp"

#include <manta/error.hpp>

namespace manta::core {
namespace {

/// @brief A submitted task, alive from submission until its result is set. It runs on this
/// rank's executor, or is sent to another rank and waits there for the reply.
class Task final : public Runnable, public Dependent, public RemoteCompletion {
 public:
  /// `pinned`: run here whatever the load (a task another rank already placed here).
  /// `target_rank`: where it must run (this rank for a task another rank sent here), or -1 to
  /// let the cluster choose.
  Task(Runtime& runtime, const char* function_name, std::string name, int max_retries,
       RetryExceptions retry_exceptions, std::unique_ptr<detail::CallBody> body, Object* result,
       int target_rank)
      : runtime_(runtime),
        function_name_(function_name),
        name_(std::move(name)),
        retries_left_(max_retries),
        retry_exceptions_(std::move(retry_exceptions)),
        target_rank_(target_rank),
        body_(std::move(body)),
        result_(result) {}

  /// Waits for the ObjectRef arguments, then dispatches itself. May finish before returning.
  void start() { wait_for(body_->dependencies()); }

  Units run() override {
    result_->set_running_frame(Executor::current_frame());
    try {
      result_->seal(body_->run(nullptr));
    } catch (...) {
      auto error = current_task_error(name_, runtime_.rank());
      if (retry(error)) return Units::release;
      result_->fail(std::move(error));
    }
    finish();
    return Units::release;
  }

  void abandon(const std::string& reason) override {
    result_->fail(std::make_exception_ptr(InfeasibleError("task '" + name_ + "' on rank " +
                                                          std::to_string(runtime_.rank()) +
                                                          " never ran: " + reason)));
    finish();
  }

  std::string describe() const override { return "task '" + name_ + "'"; }

  void complete(transport::TaskReply reply) override {
    if (const auto* error = std::get_if<transport::WireError>(&reply.outcome);
        error != nullptr && retry(error->exception_type)) {
      return;
    }
    receive_reply(runtime_, *result_, *body_, name_, std::move(reply), [this] { finish(); });
  }

 private:
  void dependencies_ready() override {
    if (auto failure = first_failure(body_->dependencies())) {
      result_->fail(std::move(failure));
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

  /// Sends the task to `target` to run there; its reply completes it here.
  void send_to(int target) {
    const ObjectId id = result_->id();
    transport::TaskRequest message{
        {id.owner_rank, id.sequence}, function_name_, name_, to_wire(request), {}, {}};
    try {
      std::vector<std::span<const std::byte>> located;
      body_->write_arguments(message.arguments, &located);
      for (const auto bytes : located) {
        message.located.push_back(
            {runtime_.rank(), runtime_.store().offset_of(bytes.data()), bytes.size()});
      }
    } catch (...) {
      result_->fail(current_task_error(name_, runtime_.rank()));
      finish();
      return;
    }
    message.sender_queued = static_cast<std::uint32_t>(runtime_.executor().queued());
    const auto result_id = message.result;
    runtime_.remote().send(target, message, result_id, this);
  }

 private:
  /// Queues the task again if it has retries left for an exception of `exception_type`.
  bool retry(const std::string& exception_type) {
    if (retries_left_ == 0 || !retry_exceptions_.covers(exception_type)) return false;
    ++retries_;
    if (retries_left_ > 0) --retries_left_;
    util::log().warn("task '{}' failed with {}; running it again (retry {} of {})", name_,
                     exception_type, retries_,
                     retries_left_ < 0 ? "unlimited" : std::to_string(retries_ + retries_left_));
    dispatch();
    return true;
  }
  bool retry(const std::exception_ptr& error) {
    try {
      std::rethrow_exception(error);
    } catch (const TaskError& task_error) {
      return retry(task_error.exception_type());
    } catch (...) {
      return false;  // current_task_error makes TaskErrors only
    }
  }

  void finish() {
    Runtime& runtime = runtime_;
    result_->release();
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
  std::unique_ptr<detail::CallBody> body_;
  Object* result_;  ///< one reference, held until the result is set
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
    target_rank = check_bundle(runtime, options.bundle, options.rank, request, "task", name);
    if (target_rank != runtime.rank() && !remotable) {
      throw InvalidOptionError("task '" + name + "' cannot go to its bundle on rank " +
                               std::to_string(target_rank) +
                               ": it takes an ObjectRef, an ActorHandle or a type that cannot be "
                               "serialized");
    }
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
                        options.retry_exceptions, std::move(body), result, target_rank);
  task->request = std::move(request);
  runtime.work_started();
  task->start();
  return result;
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
  } catch (...) {
    runtime.remote().reply(source, {request.result, wire_error(std::current_exception(),
                                                               request.name, runtime.rank())});
    return;
  }
  auto* result = new Object(runtime.next_object_id(), function_name);
  result->retain();  // the task's; the first goes to the reply
  reply_when_ready(runtime, source, request.result, result, request.name);
  auto* task = new Task(runtime, function_name, std::move(request.name), /*max_retries=*/0, false,
                        std::move(body), result, runtime.rank());
  task->request = from_wire(request.resources);
  runtime.work_started();
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
  // them in place on this node, or fetch them with one get each, before the call is built.
  auto waiting = std::make_shared<transport::TaskRequest>(std::move(request));
  fetch_located(
      runtime, waiting->located, std::nullopt,
      [&runtime, source, waiting](std::vector<detail::StoreBlock> blocks,
                                  const std::string& error) {
        if (!error.empty()) {
          runtime.remote().reply(
              source, {waiting->result,
                       transport::WireError{waiting->name, runtime.rank(), "manta::Error", error}});
          return;
        }
        start_requested_task(runtime, source, *waiting, blocks);
      });
}

}  // namespace manta::core
