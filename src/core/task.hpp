/// @file core/task.hpp
/// @brief Submitting a task: wait for its ObjectRef arguments, run it on a worker, set its
/// result or error, retry it when asked.
#pragma once

#include "core/object.hpp"

#include <manta/detail/core_access.hpp>
#include <manta/options.hpp>

#include <memory>

namespace manta::core {

class Runtime;

/// Submits `body` as a task of the registered function `function_name`. Returns its result object
/// with one reference for the caller; the task runs once its dependencies are ready and its CPU
/// units free.
/// @throws InvalidOptionError for negative num_cpus or max_retries
/// @throws InfeasibleError when num_cpus exceeds what this rank has
Object* submit_task(Runtime& runtime, const char* function_name, const TaskOptions& options,
                    std::unique_ptr<detail::CallBody> body);

}  // namespace manta::core
