// Actors that die and start again: ActorFatalError and manta::kill, max_restarts from the last
// checkpoint, queued calls kept, max_task_retries for the call that killed its actor.
#include "test_support.hpp"

#include <manta/manta.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;

std::atomic<int> fail_next_call{0};        ///< Simulator::flaky throws while this is positive
std::atomic<int> constructor_failures{0};  ///< Simulator's constructor throws while positive

class Simulator {
 public:
  explicit Simulator(int start = 0) : total_(start) {
    if (constructor_failures.fetch_sub(1) > 0) throw std::runtime_error("not today");
  }
  int add(int amount) { return total_ += amount; }
  int total() const { return total_; }
  /// Changes the state, then ends the actor: the change must not survive the restart.
  int crash() {
    total_ += 1000;
    throw manta::ActorFatalError("the simulator diverged");
  }
  bool restarted() const { return manta::was_current_actor_restarted(); }
  /// Changes the state, then ends the actor for good.
  int quit() {
    total_ += 1;
    manta::exit_actor();
  }
  /// exit_actor() is not a std::exception: this handler must not stop it.
  int quit_inside_a_handler() {
    try {
      manta::exit_actor();
    } catch (const std::exception&) {
      return -1;
    }
  }
  /// Ends the actor while fail_next_call is positive; then adds 1.
  int flaky() {
    if (fail_next_call.fetch_sub(1) > 0) throw manta::ActorFatalError("lost the GPU");
    return ++total_;
  }

  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& total_;
  }

 private:
  int total_ = 0;
};
MANTA_ACTOR(Simulator, add, total, crash, flaky, restarted, quit, quit_inside_a_handler);

class ActorRestarts : public ::testing::Test {
 protected:
  void SetUp() override {
    fail_next_call = 0;
    constructor_failures = 0;
    directory_ = fs::path(::testing::TempDir()) /
                 ("manta-restart-" +
                  std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
                  "-" + std::to_string(getpid()));
    fs::remove_all(directory_);
    auto options = manta_test::runtime_options(2);
    options.checkpoint_directory = directory_.string();
    runtime_.emplace(options);
  }
  void TearDown() override {
    runtime_.reset();
    fs::remove_all(directory_);
  }

  static manta::ActorHandle<Simulator> simulator(manta::ActorOptions options, int start = 0) {
    return manta::actor<Simulator>().options(options).remote(start);
  }

  /// Calls through `actor` fail with ActorDiedError whose message has `reason`.
  static void expect_dead(const manta::ActorHandle<Simulator>& actor, const std::string& reason) {
    try {
      manta::get(actor.call(&Simulator::total).remote());
      ADD_FAILURE() << "the actor still answers";
    } catch (const manta::ActorDiedError& error) {
      EXPECT_NE(std::string(error.what()).find(reason), std::string::npos) << error.what();
    }
  }

  fs::path directory_;
  std::optional<manta::Runtime> runtime_;
};

TEST_F(ActorRestarts, FatalErrorRestartsFromTheLastCheckpoint) {
  auto actor = simulator({.max_restarts = 1});
  actor.call(&Simulator::add).remote(5);
  manta::get(actor.checkpoint());
  EXPECT_EQ(manta::get(actor.call(&Simulator::add).remote(3)), 8);  // after the checkpoint: lost
  try {
    manta::get(actor.call(&Simulator::crash).remote());
    ADD_FAILURE() << "crash returned";
  } catch (const manta::TaskError& error) {
    EXPECT_EQ(error.exception_type(), "manta::ActorFatalError");
    EXPECT_EQ(error.message(), "the simulator diverged");
  }
  EXPECT_EQ(manta::get(actor.call(&Simulator::total).remote()), 5);
  EXPECT_EQ(manta::get(actor.call(&Simulator::add).remote(1)), 6);
}

TEST_F(ActorRestarts, WithoutACheckpointTheConstructorRunsAgainWithItsArguments) {
  auto actor = simulator({.max_restarts = 1}, 7);
  actor.call(&Simulator::add).remote(1);
  auto crashed = actor.call(&Simulator::crash).remote();
  auto queued = actor.call(&Simulator::add).remote(10);  // queued behind the crash: kept
  auto later = actor.call(&Simulator::add).remote(100);
  EXPECT_THROW(manta::get(crashed), manta::TaskError);
  EXPECT_EQ(manta::get(queued), 17);
  EXPECT_EQ(manta::get(later), 117);
}

TEST_F(ActorRestarts, NoRestartLeftMeansTheActorIsDead) {
  auto actor = simulator({.max_restarts = 1});
  EXPECT_THROW(manta::get(actor.call(&Simulator::crash).remote()), manta::TaskError);
  EXPECT_EQ(manta::get(actor.call(&Simulator::total).remote()), 0);  // restarted once
  EXPECT_THROW(manta::get(actor.call(&Simulator::crash).remote()), manta::TaskError);
  expect_dead(actor, "the simulator diverged");
}

TEST_F(ActorRestarts, CallThatKilledItsActorIsRetriedOnTheNewOne) {
  fail_next_call = 2;
  auto actor = simulator({.max_restarts = 3, .max_task_retries = 2}, 40);
  EXPECT_EQ(manta::get(actor.call(&Simulator::flaky).remote()), 41);  // third run succeeds
  EXPECT_EQ(manta::get(actor.call(&Simulator::total).remote()), 41);
}

TEST_F(ActorRestarts, RetriesRunOutBeforeRestartsDo) {
  fail_next_call = 2;
  auto actor = simulator({.max_restarts = 3, .max_task_retries = 1});
  try {
    manta::get(actor.call(&Simulator::flaky).remote());
    ADD_FAILURE() << "flaky succeeded with one retry for two failures";
  } catch (const manta::TaskError& error) {
    EXPECT_EQ(error.message(), "lost the GPU");
  }
  EXPECT_EQ(manta::get(actor.call(&Simulator::flaky).remote()), 1);  // the actor lives on
}

TEST_F(ActorRestarts, MinusOneRestartsAndRetriesForever) {
  // Ray's -1: a call that kills its actor 20 times runs on the 21st instance.
  fail_next_call = 20;
  auto retried = simulator({.max_restarts = -1, .max_task_retries = -1}, 40);
  EXPECT_EQ(manta::get(retried.call(&Simulator::flaky).remote()), 41);
  // Without retries, each such call fails, and the actor starts again each time.
  auto restarted = simulator({.max_restarts = -1}, 40);
  for (int i = 0; i < 20; ++i) {
    EXPECT_THROW(manta::get(restarted.call(&Simulator::crash).remote()), manta::TaskError);
  }
  EXPECT_EQ(manta::get(restarted.call(&Simulator::total).remote()), 40);
}

TEST_F(ActorRestarts, CountsBelowMinusOneAreRefused) {
  EXPECT_THROW(simulator({.max_restarts = -2}), manta::InvalidOptionError);
  EXPECT_THROW(simulator({.max_task_retries = -5}), manta::InvalidOptionError);
}

TEST_F(ActorRestarts, WasRestartedTellsARestartedInstance) {
  auto actor = simulator({.max_restarts = 1});
  EXPECT_FALSE(manta::get(actor.call(&Simulator::restarted).remote()));
  EXPECT_THROW(manta::get(actor.call(&Simulator::crash).remote()), manta::TaskError);
  EXPECT_TRUE(manta::get(actor.call(&Simulator::restarted).remote()));
  EXPECT_THROW(manta::was_current_actor_restarted(), manta::Error);  // the driver is no actor
}

TEST_F(ActorRestarts, ExitActorEndsItForGoodDespiteRestartsLeft) {
  auto actor = simulator({.max_restarts = 5}, 3);
  EXPECT_EQ(manta::get(actor.call(&Simulator::add).remote(1)), 4);
  try {
    manta::get(actor.call(&Simulator::quit).remote());
    FAIL() << "quit returned";
  } catch (const manta::ActorDiedError& error) {
    EXPECT_NE(std::string(error.what()).find("called manta::exit_actor() in"), std::string::npos)
        << error.what();
  }
  expect_dead(actor, "called manta::exit_actor()");
  EXPECT_THROW(manta::exit_actor(), manta::Error);  // outside an actor: an error, not an exit
}

TEST_F(ActorRestarts, ExitActorPassesThroughStdExceptionHandlers) {
  auto actor = simulator({});
  EXPECT_THROW(manta::get(actor.call(&Simulator::quit_inside_a_handler).remote()),
               manta::ActorDiedError);
  expect_dead(actor, "called manta::exit_actor()");
}

TEST_F(ActorRestarts, ConstructorFailuresUseRestarts) {
  constructor_failures = 1;
  auto lucky = simulator({.max_restarts = 1}, 3);
  EXPECT_EQ(manta::get(lucky.call(&Simulator::total).remote()), 3);
  constructor_failures = 2;
  auto unlucky = simulator({.max_restarts = 1}, 3);
  expect_dead(unlucky, "its constructor failed: not today");
}

TEST_F(ActorRestarts, KillWithoutRestartEndsTheActorAndFreesItsCpu) {
  const auto idle = manta::available_resources();
  auto actor = simulator({.num_cpus = 1, .max_restarts = 5});
  EXPECT_EQ(manta::get(actor.call(&Simulator::add).remote(2)), 2);
  EXPECT_EQ(manta::available_resources().at("CPU"), 1);
  manta::kill(actor);
  expect_dead(actor, "killed by manta::kill");
  manta_test::expect_free(idle);
}

TEST_F(ActorRestarts, KillWithRestartStartsFromTheLastCheckpoint) {
  auto actor = simulator({.max_restarts = 1});
  actor.call(&Simulator::add).remote(4);
  manta::get(actor.checkpoint());
  EXPECT_EQ(manta::get(actor.call(&Simulator::add).remote(1)), 5);
  manta::kill(actor, true);
  EXPECT_EQ(manta::get(actor.call(&Simulator::total).remote()), 4);
  manta::kill(actor, true);  // no restart left
  expect_dead(actor, "killed by manta::kill");
}

}  // namespace
