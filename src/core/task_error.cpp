#include "core/task_error.hpp"

#include "util/failure.hpp"

#include <manta/error.hpp>

#include <typeinfo>

namespace manta::core {

std::exception_ptr current_task_error(const std::string& call_name, int rank) {
  try {
    throw;
  } catch (const TaskError&) {
    return std::current_exception();
  } catch (const std::exception& error) {
    return std::make_exception_ptr(
        TaskError(call_name, rank, util::demangle(typeid(error).name()), error.what()));
  } catch (...) {
    return std::make_exception_ptr(
        TaskError(call_name, rank, "unknown", "an exception not derived from std::exception"));
  }
}

}  // namespace manta::core
