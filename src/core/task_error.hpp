/// @file core/task_error.hpp
/// @brief Turning what a task or actor method threw into the TaskError its caller's `get` sees.
#pragma once

#include <exception>
#include <string>

namespace manta::core {

/// Call inside a catch block: the current exception as a TaskError naming `call_name` and
/// `rank`. A TaskError from deeper down (a `get` of a failed input inside the task) passes
/// through unchanged, so the caller learns which task failed first.
std::exception_ptr current_task_error(const std::string& call_name, int rank);

}  // namespace manta::core
