// Errors: what each failure throws, where, and what it says.
#include "test_support.hpp"

#include <gmock/gmock.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace manta_test;
using ::testing::HasSubstr;

Gate error_gate;
std::atomic<int> flaky_attempts{0};

int error_slow(int x) {
  error_gate.pass();
  return x;
}
MANTA_REMOTE(error_slow);

int error_out_of_range(int index) {
  throw std::out_of_range("index " + std::to_string(index) + " is past the end");
}
MANTA_REMOTE(error_out_of_range);

int error_throws_int(int) { throw 42; }
MANTA_REMOTE(error_throws_int);

int error_add_one(int x) { return x + 1; }
MANTA_REMOTE(error_add_one);

/// Gets its input inside the task: the failure it rethrows keeps the original task's name.
int error_get_inside(manta::ObjectRef<int> input) { return manta::get(input) + 1; }
MANTA_REMOTE(error_get_inside);

/// Fails its first `failures` runs, then returns how many runs it took.
int error_flaky(int failures) {
  const int attempt = ++flaky_attempts;
  if (attempt <= failures) throw std::runtime_error("attempt " + std::to_string(attempt));
  return attempt;
}
MANTA_REMOTE(error_flaky);

std::size_t error_length(const std::string& text) { return text.size(); }
MANTA_REMOTE(error_length);

int error_never_registered(int x) { return x; }

class Registered {
 public:
  int ping() const { return 1; }
  int not_listed() const { return 2; }
};
MANTA_ACTOR(Registered, ping);

// Two registered classes that share a method of their base: the same member pointer names a
// different method in each ("Left.refuse", "Right.refuse").
class SharedBase {
 public:
  int refuse() const { throw std::runtime_error("refused"); }
};
class Left : public SharedBase {};
MANTA_ACTOR(Left, refuse);
class Right : public SharedBase {};
MANTA_ACTOR(Right, refuse);

class NeverRegistered {
 public:
  int ping() const { return 1; }
};

class Errors : public ::testing::Test {
 protected:
  void SetUp() override { error_gate.close(); }

  // More CPUs than the test needs: each blocked (gated) task occupies a worker thread.
  manta::Runtime runtime_{runtime_options(8)};
  GateOpener opener_{error_gate};
};

TEST_F(Errors, GetTimeoutNamesTheObjectAndTask) {
  const auto ref = manta::task(error_slow).remote(1);
  try {
    manta::get(ref, 100ms);
    FAIL() << "get returned before the task could finish";
  } catch (const manta::GetTimeoutError& error) {
    EXPECT_THAT(error.what(), HasSubstr(ref.id().to_string()));
    EXPECT_THAT(error.what(), HasSubstr("error_slow"));
  }
  EXPECT_FALSE(ref.ready());
  error_gate.open();
  EXPECT_EQ(manta::get(ref, 60s), 1);  // the object is still there after the timeout
}

TEST_F(Errors, GetOfVectorTimesOut) {
  const std::vector<manta::ObjectRef<int>> refs{manta::put(1), manta::task(error_slow).remote(2)};
  EXPECT_THROW(manta::get(refs, 100ms), manta::GetTimeoutError);
}

TEST_F(Errors, TaskErrorCarriesWhereAndWhat) {
  const auto ref = manta::task(error_out_of_range).remote(7);
  try {
    manta::get(ref);
    FAIL() << "get of a failed task returned";
  } catch (const manta::TaskError& error) {
    EXPECT_EQ(error.task_name(), "error_out_of_range");
    expect_rank_of_job(error.rank());  // 0 on one rank
    EXPECT_EQ(error.exception_type(), "std::out_of_range");
    EXPECT_EQ(error.message(), "index 7 is past the end");
    EXPECT_THAT(error.what(), HasSubstr("error_out_of_range"));
    EXPECT_THAT(error.what(), HasSubstr("std::out_of_range"));
    EXPECT_THAT(error.what(), HasSubstr("index 7 is past the end"));
  }
  EXPECT_TRUE(ref.ready());
  EXPECT_THROW(manta::get(ref), manta::TaskError);  // every get rethrows it
}

TEST_F(Errors, ExceptionNotDerivedFromStdException) {
  try {
    manta::get(manta::task(error_throws_int).remote(0));
    FAIL() << "get of a failed task returned";
  } catch (const manta::TaskError& error) {
    EXPECT_EQ(error.task_name(), "error_throws_int");
    EXPECT_EQ(error.exception_type(), "unknown");
  }
}

TEST_F(Errors, ErrorPropagatesThroughDependentTasks) {
  auto ref = manta::task(error_out_of_range).remote(3);
  for (int i = 0; i < 3; ++i) ref = manta::task(error_add_one).remote(ref);
  try {
    manta::get(ref);
    FAIL() << "get of a task whose input failed returned";
  } catch (const manta::TaskError& error) {
    EXPECT_EQ(error.task_name(), "error_out_of_range");
    EXPECT_EQ(error.exception_type(), "std::out_of_range");
  }
}

TEST_F(Errors, GetInsideATaskRethrowsTheOriginalError) {
  const auto failed = manta::task(error_out_of_range).remote(1);
  try {
    manta::get(manta::task(error_get_inside).remote(failed));
    FAIL() << "get of a task whose input failed returned";
  } catch (const manta::TaskError& error) {
    EXPECT_EQ(error.task_name(), "error_out_of_range");
  }
}

TEST_F(Errors, RetriesReachSuccess) {
  for (int failures : {1, 3}) {
    flaky_attempts = 0;
    const auto ref = manta::task(error_flaky).options({.max_retries = failures}).remote(failures);
    EXPECT_EQ(manta::get(ref), failures + 1) << failures << " failures";
    EXPECT_EQ(flaky_attempts.load(), failures + 1);
  }
}

TEST_F(Errors, RetriesRunOut) {
  for (int failures : {1, 3}) {
    flaky_attempts = 0;
    const auto ref =
        manta::task(error_flaky).options({.max_retries = failures - 1}).remote(failures);
    try {
      manta::get(ref);
      FAIL() << "a task failing " << failures << " times succeeded with fewer retries";
    } catch (const manta::TaskError& error) {
      EXPECT_EQ(error.message(), "attempt " + std::to_string(failures));  // the last attempt's
    }
    EXPECT_EQ(flaky_attempts.load(), failures);
  }
}

TEST_F(Errors, MinusOneRetriesWithoutLimit) {
  flaky_attempts = 0;
  EXPECT_EQ(manta::get(manta::task(error_flaky).options({.max_retries = -1}).remote(25)), 26);
}

TEST_F(Errors, RetryExceptionsFalseKeepsTheFirstError) {
  flaky_attempts = 0;
  const auto ref =
      manta::task(error_flaky).options({.max_retries = 3, .retry_exceptions = false}).remote(1);
  EXPECT_THROW(manta::get(ref), manta::TaskError);
  EXPECT_EQ(flaky_attempts.load(), 1);
}

TEST_F(Errors, RetryExceptionsByTypeName) {
  flaky_attempts = 0;  // error_flaky throws std::runtime_error
  const auto other = manta::task(error_flaky)
                         .options({.max_retries = 3, .retry_exceptions = {"std::out_of_range"}})
                         .remote(2);
  EXPECT_THROW(manta::get(other), manta::TaskError);
  EXPECT_EQ(flaky_attempts.load(), 1);
  flaky_attempts = 0;
  const auto listed =
      manta::task(error_flaky)
          .options(
              {.max_retries = 3, .retry_exceptions = {"std::out_of_range", "std::runtime_error"}})
          .remote(2);
  EXPECT_EQ(manta::get(listed), 3);
}

TEST_F(Errors, NameOptionAppearsInTaskError) {
  try {
    manta::get(manta::task(error_out_of_range).options({.name = "lookup-step"}).remote(0));
    FAIL() << "get of a failed task returned";
  } catch (const manta::TaskError& error) {
    EXPECT_EQ(error.task_name(), "lookup-step");
    EXPECT_THAT(error.what(), HasSubstr("lookup-step"));
  }
}

TEST_F(Errors, InvalidTaskOptionsThrowAtSubmission) {
  const auto caller = manta::task(error_add_one);
  EXPECT_THROW(caller.options({.num_cpus = -1}).remote(1), manta::InvalidOptionError);
  EXPECT_THROW(caller.options({.num_cpus = std::nan("")}).remote(1), manta::InvalidOptionError);
  EXPECT_THROW(caller.options({.max_retries = -2}).remote(1), manta::InvalidOptionError);
  EXPECT_EQ(manta::get(caller.remote(1)), 2);  // the caller itself is unchanged
}

TEST_F(Errors, InfeasibleCpusThrowAtSubmission) {
  try {
    manta::task(error_add_one).options({.num_cpus = 9}).remote(1);
    FAIL() << "a task asking for 9 CPUs on an 8-CPU rank was accepted";
  } catch (const manta::InfeasibleError& error) {
    EXPECT_THAT(error.what(), HasSubstr("error_add_one"));
  }
  EXPECT_EQ(manta::get(manta::task(error_add_one).options({.num_cpus = 8}).remote(1)), 2);
}

TEST_F(Errors, UnregisteredFunction) {
  EXPECT_THROW(manta::task(error_never_registered), manta::NotRegisteredError);
}

// Names are remembered per thread while the same function repeats; another function of the
// same type is still looked up, and its refusal leaves the remembered one intact.
TEST_F(Errors, UnregisteredFunctionAfterARegisteredOneOfTheSameType) {
  EXPECT_EQ(manta::get(manta::task(error_add_one).remote(1)), 2);
  EXPECT_THROW(manta::task(error_never_registered), manta::NotRegisteredError);
  EXPECT_EQ(manta::get(manta::task(error_add_one).remote(2)), 3);
  EXPECT_THROW(manta::task(error_never_registered), manta::NotRegisteredError);
}

TEST_F(Errors, SharedBaseMethodIsNamedAfterEachClass) {
  const auto left = manta::actor<Left>().remote();
  const auto right = manta::actor<Right>().remote();
  for (int round = 0; round < 2; ++round) {
    try {
      manta::get(left.call(&Left::refuse).remote());
      FAIL() << "Left.refuse returned";
    } catch (const manta::TaskError& error) {
      EXPECT_EQ(error.task_name(), "Left.refuse");
    }
    try {
      manta::get(right.call(&Right::refuse).remote());
      FAIL() << "Right.refuse returned";
    } catch (const manta::TaskError& error) {
      EXPECT_EQ(error.task_name(), "Right.refuse");
    }
  }
}

TEST_F(Errors, UnregisteredActorClass) {
  EXPECT_THROW(manta::actor<NeverRegistered>(), manta::NotRegisteredError);
}

TEST_F(Errors, UnregisteredMethodOfRegisteredClass) {
  const auto actor = manta::actor<Registered>().remote();
  EXPECT_EQ(manta::get(actor.call(&Registered::ping).remote()), 1);
  EXPECT_THROW(actor.call(&Registered::not_listed), manta::NotRegisteredError);
  EXPECT_EQ(manta::get(actor.call(&Registered::ping).remote()), 1);
}

TEST_F(Errors, CallThroughEmptyActorHandle) {
  const manta::ActorHandle<Registered> empty;
  EXPECT_FALSE(empty.valid());
  EXPECT_THROW(empty.call(&Registered::ping).remote(), manta::InvalidOptionError);
}

TEST_F(Errors, ReadingAsAnotherTypeThrowsTypeMismatch) {
  const auto ref = manta::put(42);
  try {
    manta::get(ref.as<std::string>());
    FAIL() << "an int object was read as a string";
  } catch (const manta::TypeMismatchError& error) {
    EXPECT_THAT(error.what(), HasSubstr(ref.id().to_string()));
  }
  EXPECT_THROW(manta::get(ref.as<long>()), manta::TypeMismatchError);
  EXPECT_THROW(manta::get_view(ref.as<std::vector<int>>()), manta::TypeMismatchError);
  EXPECT_EQ(manta::get(ref.as<int>()), 42);
  const auto stored = manta::put(std::vector<double>(100'000, 1.0));
  EXPECT_THROW(manta::get_view(stored.as<std::vector<float>>()), manta::TypeMismatchError);
}

TEST_F(Errors, MistypedRefArgumentFailsTheTask) {
  const auto number = manta::put(42);
  try {
    manta::get(manta::task(error_length).remote(number.as<std::string>()));
    FAIL() << "a task received an int object as a string";
  } catch (const manta::TaskError& error) {
    EXPECT_EQ(error.task_name(), "error_length");
    EXPECT_EQ(error.exception_type(), "manta::TypeMismatchError");
  }
}

TEST_F(Errors, GetOfEmptyRefThrowsInvalidOption) {
  EXPECT_THROW(manta::get(manta::ObjectRef<int>{}), manta::InvalidOptionError);
  EXPECT_THROW(manta::get_view(manta::ObjectRef<std::string>{}), manta::InvalidOptionError);
}

TEST_F(Errors, EveryErrorIsAMantaError) {
  EXPECT_THROW(manta::get(manta::task(error_out_of_range).remote(0)), manta::Error);
  EXPECT_THROW(manta::task(error_never_registered), manta::Error);
  EXPECT_THROW(manta::get(manta::put(1).as<double>()), manta::Error);
}

TEST(NoRuntime, CallsThrowMantaError) {
  EXPECT_THROW(manta::get(manta::ObjectRef<int>{}), manta::Error);
  EXPECT_THROW(manta::put(1), manta::Error);
  EXPECT_THROW(manta::put(std::string("x")), manta::Error);
  EXPECT_THROW(manta::task(error_add_one).remote(1), manta::Error);
  EXPECT_THROW(manta::actor<Registered>().remote(), manta::Error);
  EXPECT_THROW(manta::rank(), manta::Error);
  EXPECT_THROW(manta::world_size(), manta::Error);
  EXPECT_THROW(manta::num_cpus(), manta::Error);
}

}  // namespace
