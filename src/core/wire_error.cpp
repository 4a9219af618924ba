#include "core/wire_error.hpp"

#include "core/actor_instance.hpp"
#include "util/failure.hpp"

#include <manta/error.hpp>

#include <typeinfo>

namespace manta::core {

transport::WireError wire_error(const std::exception_ptr& error, const std::string& task_name,
                                int rank) {
  using transport::ErrorKind;
  const auto of_kind = [&](ErrorKind kind, const std::exception& exception) {
    return transport::WireError{task_name,        rank, util::demangle(typeid(exception).name()),
                                exception.what(), kind, {}};
  };
  try {
    std::rethrow_exception(error);
  } catch (const ActorExit&) {
    return {task_name, rank, "manta::exit_actor", "", ErrorKind::actor_exit, {}};
  } catch (const TaskError& task_error) {
    return {task_error.task_name(), task_error.rank(), task_error.exception_type(),
            task_error.message(),   ErrorKind::task,   {}};
  } catch (const CheckpointError& checkpoint) {
    return {checkpoint.actor(),       rank,
            "manta::CheckpointError", checkpoint.problem(),
            ErrorKind::checkpoint,    checkpoint.file()};
  } catch (const TaskTimeoutError& timeout) {
    return {timeout.task_name(), timeout.rank(),       "manta::TaskTimeoutError",
            timeout.what(),      ErrorKind::timed_out, {}};
  } catch (const WorkerCrashedError& crash) {
    return {crash.task_name(),           crash.rank(),
            "manta::WorkerCrashedError", crash.what(),
            ErrorKind::worker_crashed,   {}};
  } catch (const ActorDiedError& died) {
    return of_kind(ErrorKind::actor_died, died);
  } catch (const TaskCancelledError& cancelled) {
    return of_kind(ErrorKind::cancelled, cancelled);
  } catch (const ActorFatalError& fatal) {
    return of_kind(ErrorKind::actor_fatal, fatal);
  } catch (const std::exception& other) {
    return of_kind(ErrorKind::task, other);
  } catch (...) {
    return {task_name,       rank, "unknown", "an exception not derived from std::exception",
            ErrorKind::task, {}};
  }
}

std::exception_ptr exception_from_wire(const transport::WireError& error, int rank) {
  using transport::ErrorKind;
  const int where = error.rank >= 0 ? error.rank : rank;
  switch (error.kind) {
    case ErrorKind::actor_died:
      return std::make_exception_ptr(ActorDiedError(error.message));
    case ErrorKind::cancelled:
      return std::make_exception_ptr(TaskCancelledError(error.message));
    case ErrorKind::worker_crashed:
      return std::make_exception_ptr(WorkerCrashedError(error.task_name, where, error.message));
    case ErrorKind::timed_out:
      return std::make_exception_ptr(TaskTimeoutError(error.task_name, where, error.message));
    case ErrorKind::actor_fatal:
      return std::make_exception_ptr(ActorFatalError(error.message));
    case ErrorKind::actor_exit:
      return std::make_exception_ptr(ActorExit{});
    case ErrorKind::checkpoint:
      return std::make_exception_ptr(CheckpointError(error.file, error.task_name, error.message));
    case ErrorKind::task:
      break;
  }
  return std::make_exception_ptr(
      TaskError(error.task_name, where, error.exception_type, error.message));
}

}  // namespace manta::core
