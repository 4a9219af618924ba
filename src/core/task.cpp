#include "core/task.hpp"

#include "core/dependent.hpp"
#include "core/runtime.hpp"
#include "core/task_error.hpp"
#include "resources/cpu_pool.hpp"
#include "util/log.hpp"

#include <manta/error.hpp>

namespace manta::core {
namespace {

/// @brief A submitted task, alive from submission until its result is set.
class Task final : public Runnable, public Dependent {
 public:
  Task(Runtime& runtime, std::string name, int max_retries, std::unique_ptr<detail::CallBody> body,
       Object* result)
      : runtime_(runtime),
        name_(std::move(name)),
        retries_left_(max_retries),
        body_(std::move(body)),
        result_(result) {}

  /// Waits for the ObjectRef arguments, then queues itself. May finish before returning.
  void start() { wait_for(body_->dependencies()); }

  Units run() override {
    try {
      result_->seal(body_->run(nullptr));
    } catch (...) {
      if (retries_left_ > 0) {
        --retries_left_;
        util::log().warn("task '{}' threw; running it again ({} retries left)", name_,
                         retries_left_);
        runtime_.executor().submit(this);
        return Units::release;
      }
      result_->fail(current_task_error(name_, runtime_.rank()));
    }
    finish();
    return Units::release;
  }

 private:
  void dependencies_ready() override {
    if (auto failure = first_failure(body_->dependencies())) {
      result_->fail(std::move(failure));
      finish();
      return;
    }
    runtime_.executor().submit(this);
  }

  void finish() {
    Runtime& runtime = runtime_;
    result_->release();
    delete this;
    runtime.work_finished();
  }

  Runtime& runtime_;
  const std::string name_;
  int retries_left_;
  std::unique_ptr<detail::CallBody> body_;
  Object* result_;  ///< one reference, held until the result is set
};

}  // namespace

Object* submit_task(Runtime& runtime, const char* function_name, const TaskOptions& options,
                    std::unique_ptr<detail::CallBody> body) {
  std::string name = options.name.empty() ? std::string(function_name) : options.name;
  const std::int64_t units =
      resources::cpu_units(options.num_cpus, "num_cpus of task '" + name + "'");
  if (options.max_retries < 0) {
    throw InvalidOptionError("max_retries of task '" + name + "' is " +
                             std::to_string(options.max_retries) + "; it must be >= 0");
  }
  if (!runtime.executor().feasible(units)) {
    throw InfeasibleError(
        "task '" + name + "' asks for num_cpus = " + resources::format_cpus(units) +
        ", but this rank has " + resources::format_cpus(runtime.executor().total_units()) +
        " CPUs: it could never run");
  }
  auto* result = new Object(runtime.next_object_id(), function_name);
  result->retain();  // the caller's reference; the task holds the first
  auto* task = new Task(runtime, std::move(name), options.max_retries, std::move(body), result);
  task->cpu_units = units;
  runtime.work_started();
  task->start();
  return result;
}

}  // namespace manta::core
