// core::wire_error and core::exception_from_wire: every failure crosses a rank (or leaves a
// worker process) as the type it was thrown as.
#include "core/wire_error.hpp"
#include "core/actor_instance.hpp"

#include <manta/error.hpp>

#include <gtest/gtest.h>

#include <stdexcept>

namespace {

using manta::core::exception_from_wire;
using manta::core::wire_error;
using manta::transport::ErrorKind;

/// `error` sent from rank 3 (or from a worker process of rank 3: `sender` -1) and read back.
std::exception_ptr across(const std::exception_ptr& error, int sender = 3) {
  return exception_from_wire(wire_error(error, "Counter.add", sender), 3);
}

template <class Thrown, class Exception>
Thrown rethrown_as(const Exception& exception, int sender = 3) {
  try {
    std::rethrow_exception(across(std::make_exception_ptr(exception), sender));
  } catch (const Thrown& caught) {
    return caught;
  } catch (...) {
    ADD_FAILURE() << "came back as another type";
  }
  throw std::logic_error("unreachable");
}

TEST(WireError, MantaErrorsComeBackAsTheirOwnType) {
  EXPECT_STREQ(rethrown_as<manta::ActorDiedError>(manta::ActorDiedError("actor 'c' died")).what(),
               "actor 'c' died");
  EXPECT_STREQ(
      rethrown_as<manta::TaskCancelledError>(manta::TaskCancelledError("task 'f' cancelled"))
          .what(),
      "task 'f' cancelled");
  EXPECT_STREQ(rethrown_as<manta::ActorFatalError>(manta::ActorFatalError("lost")).what(), "lost");
  const auto crash =
      rethrown_as<manta::WorkerCrashedError>(manta::WorkerCrashedError("f", 1, "SIGSEGV"));
  EXPECT_EQ(crash.task_name(), "f");
  EXPECT_EQ(crash.rank(), 1);
  EXPECT_STREQ(crash.what(), "SIGSEGV");
  // A timeout is a crash too, but keeps its own type.
  EXPECT_NO_THROW(
      rethrown_as<manta::TaskTimeoutError>(manta::TaskTimeoutError("f", 1, "ran 2 s of 1 s")));
  const auto checkpoint = rethrown_as<manta::CheckpointError>(
      manta::CheckpointError("/ckpt/manta-0001.h5", "counter", "torn write"));
  EXPECT_EQ(checkpoint.file(), "/ckpt/manta-0001.h5");
  EXPECT_EQ(checkpoint.actor(), "counter");
  EXPECT_EQ(checkpoint.problem(), "torn write");
}

TEST(WireError, AnythingElseBecomesATaskErrorNamingItsTypeAndWhere) {
  const auto error = rethrown_as<manta::TaskError>(std::out_of_range("index 7"));
  EXPECT_EQ(error.task_name(), "Counter.add");
  EXPECT_EQ(error.rank(), 3);
  EXPECT_EQ(error.exception_type(), "std::out_of_range");
  EXPECT_EQ(error.message(), "index 7");
  // A TaskError passes as it is: it names the task that failed first.
  const auto inner = rethrown_as<manta::TaskError>(manta::TaskError("load", 0, "E", "m"));
  EXPECT_EQ(inner.task_name(), "load");
  EXPECT_EQ(inner.rank(), 0);
  // From a worker process, which knows no rank: the receiving rank's.
  EXPECT_EQ(rethrown_as<manta::TaskError>(std::runtime_error("x"), -1).rank(), 3);
}

TEST(WireError, ExitActorCrossesFromAWorkerProcess) {
  const auto wire = wire_error(std::make_exception_ptr(manta::core::ActorExit{}), "C.m", -1);
  EXPECT_EQ(wire.kind, ErrorKind::actor_exit);
  EXPECT_THROW(std::rethrow_exception(exception_from_wire(wire, 0)), manta::core::ActorExit);
}

TEST(WireError, KindIsSetByTypeNotByName) {
  // A user's exception whose what() or type name imitates Manta's stays a TaskError.
  struct ActorDiedError : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  const auto wire = wire_error(std::make_exception_ptr(ActorDiedError("x")), "f", 0);
  EXPECT_EQ(wire.kind, ErrorKind::task);
  EXPECT_THROW(std::rethrow_exception(exception_from_wire(wire, 0)), manta::TaskError);
}

}  // namespace
