/// @file core/task.hpp
/// @brief Tasks: wait for their ObjectRef arguments, run here or on another rank, set their
/// result or error, retry when asked.
#pragma once

#include "core/message_router.hpp"

#include "core/object.hpp"
#include "resources/request.hpp"
#include "transport/wire.hpp"

#include <manta/detail/core_access.hpp>
#include <manta/options.hpp>

#include <memory>

namespace manta::core {

class Runtime;

/// Submits `body` as a task of the registered function `function_name`. Returns its result object
/// with one reference for the caller; the task runs once its dependencies are ready, here or on
/// the rank the cluster picks.
/// @throws InvalidOptionError for negative num_cpus or max_retries
/// @throws InfeasibleError when no rank (or, for a task that cannot leave it, this rank) has
/// num_cpus
Object* submit_task(Runtime& runtime, const char* function_name, const TaskOptions& options,
                    std::unique_ptr<detail::CallBody> body);

/// manta::cancel: stops the task producing `result`, if one still runs to set it (a queued one
/// is dropped, a running one is flagged for current_task_cancelled(); its result fails with
/// TaskCancelledError now), and with `recursive` the tasks it submitted. Nothing for objects no
/// task sets any more (done, put, actor calls). @throws InvalidOptionError for `force`
void cancel_task(Object& result, bool force, bool recursive);
/// Whether the task running on the calling thread was cancelled; false off tasks.
bool current_task_cancelled() noexcept;

/// Sends queued tasks of this rank needing at most `units` in all to `thief`, an idle rank;
/// returns how many (only Task runnables are stealable, so the executor hands out tasks).
std::size_t give_work(Runtime& runtime, int thief, resources::Amount units);

/// Runs a task another rank sent (`source`, its owner) and replies with its outcome.
void run_task_request(Runtime& runtime, int source, transport::TaskRequest request);

/// Handles TaskRequest (run it) and StealRequest (give queued tasks away) from `router`.
void handle_task_messages(Runtime& runtime, MessageRouter& router);

}  // namespace manta::core
