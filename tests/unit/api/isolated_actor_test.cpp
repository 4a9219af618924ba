// Process-isolated actors on one rank (ActorOptions::isolation = process): the instance lives in
// a worker process of its own; when that process dies (SIGKILL, a segfault, exit()), the call
// running fails with WorkerCrashedError or runs again (max_task_retries), the actor restarts
// from its last checkpoint (max_restarts), later calls run in the order they were made, and the
// job goes on.
#include "test_support.hpp"

#include <manta/checkpoint.hpp>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

/// A walking robot simulator with a counter, a log of the calls it served (in order) and a
/// trajectory stored as a native array in checkpoints.
class Walker {
 public:
  explicit Walker(int start = 0) : total_(start) {}
  int pid() const { return static_cast<int>(getpid()); }
  int add(int amount) {
    served_.push_back(amount);
    return total_ += amount;
  }
  int total() const { return total_; }
  std::vector<int> served() const { return served_; }
  bool restarted() const { return manta::was_current_actor_restarted(); }
  /// Sleeps `seconds` after writing `marker` (so that a test knows the call is running).
  int slow(std::string marker, double seconds) {
    std::ofstream(marker) << "running";
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    return ++total_;
  }
  /// Dies as `how` says while `marker` does not exist yet (creating it), then adds 1.
  int crash_once(std::string how, std::string marker) {
    if (!fs::exists(marker)) {
      std::ofstream(marker) << how;
      total_ += 1000;  // a change the restart must not keep
      if (how == "segfault") {
        *static_cast<volatile int*>(
            mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) = 1;
      } else if (how == "exit") {
        std::exit(3);
      } else if (how == "sigkill") {
        kill(getpid(), SIGKILL);
      }
    }
    return ++total_;
  }
  int fatal() { throw manta::ActorFatalError("the simulator diverged"); }
  int out_of_range() { throw std::out_of_range("no such joint"); }
  int quit() { manta::exit_actor(); }
  /// Makes the trajectory `steps` long: 0.5, 1.5, 2.5, ...
  std::size_t record(int steps) {
    trajectory_.resize(static_cast<std::size_t>(steps));
    for (int i = 0; i < steps; ++i) trajectory_[static_cast<std::size_t>(i)] = i + 0.5;
    return trajectory_.size();
  }
  std::vector<double> trajectory() const { return trajectory_; }

  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& total_& served_;
    archive& manta::h5_array("trajectory", trajectory_);
  }

 private:
  int total_ = 0;
  std::vector<int> served_;
  std::vector<double> trajectory_;
};
MANTA_ACTOR(Walker, pid, add, total, served, restarted, slow, crash_once, fatal, out_of_range, quit,
            record, trajectory);

/// A class without `serialize`: restarts start from its constructor.
class Stateless {
 public:
  int pid() const { return static_cast<int>(getpid()); }
};
MANTA_ACTOR(Stateless, pid);

/// noexcept methods (const and not), called in the worker process: their calls travel as bytes.
class QuietWorker {
 public:
  int pid() const noexcept { return static_cast<int>(getpid()); }
  int add(int amount) noexcept { return total_ += amount; }

 private:
  int total_ = 0;
};
MANTA_ACTOR(QuietWorker, pid, add);

/// A constructor argument that cannot be serialized: the actor cannot leave its creator.
class Callback {
 public:
  explicit Callback(std::function<int()> source) : source_(std::move(source)) {}
  int read() const { return source_(); }

 private:
  std::function<int()> source_;
};
MANTA_ACTOR(Callback, read);

manta::ActorOptions isolated(int max_restarts = 0, int max_task_retries = 0) {
  return {.max_restarts = max_restarts,
          .max_task_retries = max_task_retries,
          .isolation = manta::Isolation::process};
}

/// Waits up to 30 s for `file` to exist.
bool appears(const fs::path& file) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!fs::exists(file) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  return fs::exists(file);
}

/// Whether process `pid` is gone (reaped by the helper) within 30 s.
bool ends(int pid) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (kill(pid, 0) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  return kill(pid, 0) != 0;
}

class IsolatedActors : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::path(::testing::TempDir()) /
                 ("manta-isolated-actor-" +
                  std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
                  "-" + std::to_string(getpid()));
    fs::remove_all(directory_);
    fs::create_directories(directory_);
    auto options = manta_test::runtime_options(2);
    options.checkpoint_directory = (directory_ / "checkpoints").string();
    runtime_.emplace(options);
  }
  void TearDown() override {
    runtime_.reset();
    fs::remove_all(directory_);
  }

  fs::path directory_;
  std::optional<manta::Runtime> runtime_;
};

TEST_F(IsolatedActors, InstanceLivesInOneWorkerProcessForItsLife) {
  auto actor = manta::actor<Walker>().options(isolated()).remote(10);
  const int worker = manta::get(actor.call(&Walker::pid).remote());
  EXPECT_NE(worker, static_cast<int>(getpid()));
  EXPECT_EQ(manta::get(actor.call(&Walker::add).remote(5)), 15);
  EXPECT_EQ(manta::get(actor.call(&Walker::add).remote(7)), 22);
  EXPECT_EQ(manta::get(actor.call(&Walker::pid).remote()), worker);
  EXPECT_FALSE(manta::get(actor.call(&Walker::restarted).remote()));

  auto other = manta::actor<Walker>().options(isolated()).remote();
  EXPECT_NE(manta::get(other.call(&Walker::pid).remote()), worker);  // one process each
}

TEST_F(IsolatedActors, NoexceptMethodsRunInTheWorkerProcess) {
  auto actor = manta::actor<QuietWorker>().options(isolated()).remote();
  EXPECT_NE(manta::get(actor.call(&QuietWorker::pid).remote()), static_cast<int>(getpid()));
  EXPECT_EQ(manta::get(actor.call(&QuietWorker::add).remote(5)), 5);
  EXPECT_EQ(manta::get(actor.call(&QuietWorker::add).remote(7)), 12);
}

TEST_F(IsolatedActors, ExceptionsCrossAsTheyDoForThreadActors) {
  auto actor = manta::actor<Walker>().options(isolated()).remote();
  try {
    manta::get(actor.call(&Walker::out_of_range).remote());
    ADD_FAILURE() << "no error";
  } catch (const manta::TaskError& error) {
    EXPECT_EQ(error.exception_type(), "std::out_of_range");
    EXPECT_EQ(error.message(), "no such joint");
    EXPECT_EQ(error.task_name(), "Walker.out_of_range");
  }
  EXPECT_EQ(manta::get(actor.call(&Walker::add).remote(1)), 1);  // the actor lives on
}

TEST_F(IsolatedActors, SigkillBetweenCallsRestartsFromTheCheckpointKeepingOrder) {
  auto actor = manta::actor<Walker>().options(isolated(1)).remote();
  for (int i = 1; i <= 5; ++i) actor.call(&Walker::add).remote(i);
  const std::string file = manta::get(actor.checkpoint());  // total 15, served 1..5
  EXPECT_TRUE(fs::exists(file)) << file;
  EXPECT_EQ(manta::get(actor.call(&Walker::add).remote(100)), 115);  // not in the checkpoint
  const int worker = manta::get(actor.call(&Walker::pid).remote());
  ASSERT_EQ(kill(worker, SIGKILL), 0);
  ASSERT_TRUE(ends(worker));

  // Calls made after the kill run on the restarted instance, in the order they were made.
  std::vector<manta::ObjectRef<int>> totals;
  for (int i = 6; i <= 25; ++i) totals.push_back(actor.call(&Walker::add).remote(i));
  int expected = 15;
  for (int i = 6; i <= 25; ++i) {
    expected += i;
    EXPECT_EQ(manta::get(totals[static_cast<std::size_t>(i - 6)]), expected) << "call " << i;
  }
  std::vector<int> served{1, 2, 3, 4, 5};
  for (int i = 6; i <= 25; ++i) served.push_back(i);
  EXPECT_EQ(manta::get(actor.call(&Walker::served).remote()), served);
  EXPECT_TRUE(manta::get(actor.call(&Walker::restarted).remote()));
  EXPECT_NE(manta::get(actor.call(&Walker::pid).remote()), worker);
}

TEST_F(IsolatedActors, SigkillInACallFailsItWithWorkerCrashedErrorAndRestarts) {
  auto actor = manta::actor<Walker>().options(isolated(1)).remote(3);
  const int worker = manta::get(actor.call(&Walker::pid).remote());
  const auto marker = directory_ / "running";
  auto running = actor.call(&Walker::slow).remote(marker.string(), 60.0);
  auto after = actor.call(&Walker::add).remote(4);  // queued behind it
  ASSERT_TRUE(appears(marker));
  ASSERT_EQ(kill(worker, SIGKILL), 0);
  try {
    manta::get(running, 30s);
    ADD_FAILURE() << "the killed call returned";
  } catch (const manta::WorkerCrashedError& error) {
    const std::string what = error.what();
    EXPECT_EQ(error.task_name(), "Walker.slow");
    EXPECT_EQ(error.rank(), 0);
    EXPECT_NE(what.find("pid " + std::to_string(worker)), std::string::npos) << what;
    EXPECT_NE(what.find("SIGKILL"), std::string::npos) << what;
    EXPECT_NE(what.find("actor 'Walker'"), std::string::npos) << what;
  }
  EXPECT_EQ(manta::get(after, 30s), 7);  // the constructor's 3, then this call
  EXPECT_TRUE(manta::get(actor.call(&Walker::restarted).remote()));
}

class IsolatedActorCrash : public IsolatedActors,
                           public ::testing::WithParamInterface<const char*> {};

TEST_P(IsolatedActorCrash, CallRunsAgainOnTheRestartedInstance) {
  auto actor = manta::actor<Walker>().options(isolated(1, 1)).remote(10);
  manta::get(actor.checkpoint());
  const auto marker = directory_ / GetParam();
  // The first run changed the state by 1000 and died: the retry starts from the checkpoint.
  EXPECT_EQ(manta::get(actor.call(&Walker::crash_once).remote(GetParam(), marker.string())), 11);
  EXPECT_TRUE(fs::exists(marker));
  EXPECT_EQ(manta::get(actor.call(&Walker::total).remote()), 11);
}

TEST_P(IsolatedActorCrash, WithoutRestartsTheActorDiesAndTheJobGoesOn) {
  auto actor = manta::actor<Walker>().options(isolated()).remote();
  const auto marker = directory_ / GetParam();
  EXPECT_THROW(manta::get(actor.call(&Walker::crash_once).remote(GetParam(), marker.string())),
               manta::WorkerCrashedError);
  try {
    manta::get(actor.call(&Walker::total).remote());
    ADD_FAILURE() << "a dead actor answered";
  } catch (const manta::ActorDiedError& error) {
    EXPECT_NE(std::string(error.what()).find("worker process"), std::string::npos) << error.what();
  }
  // Another isolated actor still starts and works.
  auto next = manta::actor<Walker>().options(isolated()).remote(1);
  EXPECT_EQ(manta::get(next.call(&Walker::add).remote(1)), 2);
}

INSTANTIATE_TEST_SUITE_P(, IsolatedActorCrash, ::testing::Values("segfault", "exit", "sigkill"),
                         [](const auto& test) { return std::string(test.param); });

TEST_F(IsolatedActors, FatalErrorAndExitActorBehaveAsOnThreads) {
  auto restarting = manta::actor<Walker>().options(isolated(1)).remote(5);
  const int worker = manta::get(restarting.call(&Walker::pid).remote());
  EXPECT_THROW(manta::get(restarting.call(&Walker::fatal).remote()), manta::TaskError);
  EXPECT_TRUE(manta::get(restarting.call(&Walker::restarted).remote()));
  EXPECT_EQ(manta::get(restarting.call(&Walker::total).remote()), 5);
  EXPECT_NE(manta::get(restarting.call(&Walker::pid).remote()), worker);  // a fresh process

  auto quitting = manta::actor<Walker>().options(isolated(3)).remote();
  try {
    manta::get(quitting.call(&Walker::quit).remote());
    ADD_FAILURE() << "exit_actor() returned";
  } catch (const manta::ActorDiedError& error) {
    EXPECT_NE(std::string(error.what()).find("manta::exit_actor()"), std::string::npos)
        << error.what();
  }
  EXPECT_THROW(manta::get(quitting.call(&Walker::total).remote()), manta::ActorDiedError);
}

TEST_F(IsolatedActors, CheckpointHoldsTheWorkersStateWithNativeArrays) {
  auto actor = manta::actor<Walker>().options(isolated(1)).remote(2);
  EXPECT_EQ(manta::get(actor.call(&Walker::record).remote(1000)), 1000u);
  const std::string file = manta::get(actor.checkpoint());
  const int worker = manta::get(actor.call(&Walker::pid).remote());
  ASSERT_EQ(kill(worker, SIGKILL), 0);
  ASSERT_TRUE(ends(worker));
  const auto trajectory = manta::get(actor.call(&Walker::trajectory).remote());
  ASSERT_EQ(trajectory.size(), 1000u);
  EXPECT_EQ(trajectory.front(), 0.5);
  EXPECT_EQ(trajectory.back(), 999.5);
  EXPECT_EQ(manta::get(actor.call(&Walker::total).remote()), 2);
  // The trajectory is a dataset of its own (1000 doubles), as for an actor on a thread.
  const std::string command =
      "h5ls -r " + file + " | grep -q '/actors/Walker@0\\.[0-9]*/trajectory  *Dataset {1000}'";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

TEST_F(IsolatedActors, StatelessActorRestartsFromItsConstructor) {
  auto actor = manta::actor<Stateless>().options(isolated(1)).remote();
  const int worker = manta::get(actor.call(&Stateless::pid).remote());
  ASSERT_EQ(kill(worker, SIGKILL), 0);
  ASSERT_TRUE(ends(worker));
  const int second = manta::get(actor.call(&Stateless::pid).remote());
  EXPECT_NE(second, worker);
  ASSERT_EQ(kill(second, SIGKILL), 0);
  ASSERT_TRUE(ends(second));
  // max_restarts 1 is used up: the next loss ends the actor.
  EXPECT_THROW(manta::get(actor.call(&Stateless::pid).remote()), manta::ActorDiedError);
}

TEST_F(IsolatedActors, ConstructorArgumentsMayBeObjectRefs) {
  auto start = manta::put(40);
  auto actor = manta::actor<Walker>().options(isolated()).remote(start);
  EXPECT_EQ(manta::get(actor.call(&Walker::add).remote(2)), 42);
}

TEST_F(IsolatedActors, BadOptionsAreRefusedAtCreation) {
  try {
    manta::actor<Walker>()
        .options({.max_concurrency = 2, .isolation = manta::Isolation::process})
        .remote();
    ADD_FAILURE() << "accepted";
  } catch (const manta::InvalidOptionError& error) {
    EXPECT_NE(std::string(error.what()).find("max_concurrency 2"), std::string::npos)
        << error.what();
  }
  try {
    manta::actor<Callback>().options(isolated()).remote(std::function<int()>([] { return 1; }));
    ADD_FAILURE() << "accepted";
  } catch (const manta::InvalidOptionError& error) {
    EXPECT_NE(std::string(error.what()).find("cannot run in a worker process"), std::string::npos)
        << error.what();
  }
}

}  // namespace
