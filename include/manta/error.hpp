/// @file error.hpp
/// @brief The exceptions Manta throws at its API. Every one derives from manta::Error.
#pragma once
#include "detail/public_header.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace manta {

/// @brief Base of every exception Manta throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// @brief A task or actor method threw. `get` rethrows it on the caller, with where it happened.
///
/// @code
/// try { manta::get(ref); }
/// catch (const manta::TaskError& e) { std::cerr << e.task_name() << " on rank " << e.rank(); }
/// @endcode
class TaskError : public Error {
 public:
  TaskError(std::string task_name, int rank, std::string exception_type, std::string message)
      : Error("task '" + task_name + "' failed on rank " + std::to_string(rank) + ": " +
              exception_type + ": " + message),
        task_name_(std::move(task_name)),
        rank_(rank),
        exception_type_(std::move(exception_type)),
        message_(std::move(message)) {}

  /// The task's registered name (or its `name` option), e.g. "retrieve" or "Counter.increment".
  const std::string& task_name() const noexcept { return task_name_; }
  /// The rank the task ran on.
  int rank() const noexcept { return rank_; }
  /// The demangled type of the exception the task threw, e.g. "std::out_of_range".
  const std::string& exception_type() const noexcept { return exception_type_; }
  /// The original `what()` of that exception.
  const std::string& message() const noexcept { return message_; }

 private:
  std::string task_name_;
  int rank_;
  std::string exception_type_;
  std::string message_;
};

/// @brief The actor is dead, so its calls fail with this: its constructor threw, it was killed,
/// or it ran out of restarts (ActorOptions::max_restarts).
class ActorDiedError : public Error {
 public:
  using Error::Error;
};

/// @brief The task was cancelled (manta::cancel) before it returned; the message names it.
class TaskCancelledError : public Error {
 public:
  using Error::Error;
};

/// @brief `get` with a timeout expired before the object was ready; the message names the object.
class GetTimeoutError : public Error {
 public:
  using Error::Error;
};

/// @brief A process-isolated task's worker process died before it replied: a signal (a
/// segfault, abort(), the OOM killer's SIGKILL) or exit(). The message names the task, its rank,
/// the worker's pid and the signal or exit code. The task is retried per max_retries, whatever
/// retry_exceptions says (as Ray retries crashed workers).
class WorkerCrashedError : public Error {
 public:
  WorkerCrashedError(std::string task_name, int rank, const std::string& what)
      : Error(what), task_name_(std::move(task_name)), rank_(rank) {}
  /// The task's registered name (or its `name` option).
  const std::string& task_name() const noexcept { return task_name_; }
  /// The rank whose worker process ran it.
  int rank() const noexcept { return rank_; }

 private:
  std::string task_name_;
  int rank_;
};

/// @brief A process-isolated task ran longer than its TaskOptions::timeout: its worker process
/// was killed. Retried per max_retries, as a crash is.
class TaskTimeoutError : public WorkerCrashedError {
 public:
  using WorkerCrashedError::WorkerCrashedError;
};

/// @brief An object was read as a type other than the one it holds.
class TypeMismatchError : public Error {
 public:
  using Error::Error;
};

/// @brief A function or actor class (or method) was used remotely without MANTA_REMOTE/MANTA_ACTOR.
class NotRegisteredError : public Error {
 public:
  using Error::Error;
};

/// @brief An option or argument makes no sense (negative CPUs, num_returns beyond the list, ...).
class InvalidOptionError : public Error {
 public:
  using Error::Error;
};

/// @brief `get_actor` found no actor of that name.
class ActorNotFoundError : public Error {
 public:
  using Error::Error;
};

/// @brief A resource request no rank can ever satisfy; it fails at once instead of waiting forever.
class InfeasibleError : public Error {
 public:
  using Error::Error;
};

/// @brief A checkpoint could not be written, or a file is not a readable checkpoint (missing,
/// truncated, corrupt, of another format version). The message names the file and, where one is
/// concerned, the actor: "checkpoint '<file>', actor '<key>': <problem>".
///
/// The file is a string, so that this header needs no <filesystem>: `std::filesystem::path(
/// e.file())` makes it a path again (a path converts to the `file` parameter by itself).
class CheckpointError : public Error {
 public:
  CheckpointError(std::string file, std::string actor, std::string problem)
      : Error(describe(file, actor) + problem),
        file_(std::move(file)),
        actor_(std::move(actor)),
        problem_(std::move(problem)) {}

  /// The checkpoint file (or, for a failed write, its temporary file); empty for state in memory.
  const std::string& file() const noexcept { return file_; }
  /// The actor's key, or "" when the problem is with the file as a whole.
  const std::string& actor() const noexcept { return actor_; }
  /// What is wrong, without the file and actor.
  const std::string& problem() const noexcept { return problem_; }

 private:
  static std::string describe(const std::string& file, const std::string& actor) {
    std::string where = file.empty() ? "checkpoint" : "checkpoint '" + file + "'";
    if (!actor.empty()) where += ", actor '" + actor + "'";
    return where + ": ";
  }

  std::string file_;
  std::string actor_;
  std::string problem_;
};

/// @brief Thrown by an actor's method to end the actor: the call fails with this error, and the
/// actor is restarted from its last checkpoint if its `max_restarts` allows, else it is dead.
/// Any other exception only fails the call.
class ActorFatalError : public Error {
 public:
  using Error::Error;
};

}  // namespace manta
