// Process-isolated tasks and actors on other ranks: a crash there fails the task naming that rank
// and its worker, is retried per max_retries, and timeouts and forced cancels kill the worker
// there; an actor whose worker dies there restarts and serves later calls in order.
#include <manta/manta.hpp>

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

int abort_now() { std::abort(); }
MANTA_REMOTE(abort_now);

/// Crashes the first time (no marker file yet), then returns 42.
int abort_once(std::string marker) {
  if (!fs::exists(marker)) {
    std::ofstream(marker) << "crashed once";
    std::abort();
  }
  return 42;
}
MANTA_REMOTE(abort_once);

/// Writes `started`, then sleeps for `seconds`: a simulator that hangs.
int write_then_sleep(std::string started, double seconds) {
  std::ofstream(started) << getpid();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  return 1;
}
MANTA_REMOTE(write_then_sleep);

int rank_here() { return manta::rank(); }
MANTA_REMOTE(rank_here);

/// Whether process `pid` of this rank's node still runs (asked there: on another node the same
/// number names another process, if any).
bool process_runs(int pid) { return kill(pid, 0) == 0; }
MANTA_REMOTE(process_runs);

/// An actor that counts and can kill its own worker process once (`marker` records it).
class Odometer {
 public:
  explicit Odometer(int start) : total_(start) {}
  int add(int amount) { return total_ += amount; }
  int rank() const { return manta::rank(); }
  int crash_once(std::string marker) {
    if (!fs::exists(marker)) {
      std::ofstream(marker) << getpid();
      kill(getpid(), SIGKILL);
    }
    return ++total_;
  }

 private:
  int total_;
};
MANTA_ACTOR(Odometer, add, rank, crash_once);

manta::TaskOptions in_process_on(int rank) {
  return {.rank = rank, .isolation = manta::Isolation::process};
}

/// A file path of this test's own in a directory every rank sees: MANTA_TEST_SHARED_DIR when set
/// (ranks on several nodes, each with a /tmp of its own: tests/multinode), else the node's /tmp.
fs::path scratch(const std::string& name) {
  const char* shared = std::getenv("MANTA_TEST_SHARED_DIR");
  return (shared != nullptr ? fs::path(shared) : fs::temp_directory_path()) /
         ("manta-dist-isolation-" + std::to_string(getpid()) + "-" + name);
}

TEST(Isolation, CrashOnAnotherRankFailsNamingThatRank) {
  const int last = manta::world_size() - 1;
  try {
    manta::get(manta::task(abort_now).options(in_process_on(last)).remote(), 60s);
    FAIL() << "no WorkerCrashedError";
  } catch (const manta::WorkerCrashedError& error) {
    const std::string what = error.what();
    EXPECT_EQ(error.rank(), last);
    EXPECT_EQ(error.task_name(), "abort_now");
    EXPECT_NE(
        what.find("task 'abort_now' on rank " + std::to_string(last) + ": its worker process"),
        std::string::npos)
        << what;
    EXPECT_NE(what.find("killed by signal 6 (SIGABRT)"), std::string::npos) << what;
  }
  // That rank goes on.
  EXPECT_EQ(manta::get(manta::task(rank_here).options({.rank = last}).remote(), 30s), last);
}

TEST(Isolation, CrashOnAnotherRankIsRetried) {
  const auto marker = scratch("crashed");
  fs::remove(marker);
  auto options = in_process_on(manta::world_size() - 1);
  options.max_retries = 1;
  EXPECT_EQ(manta::get(manta::task(abort_once).options(options).remote(marker.string()), 60s), 42);
  EXPECT_TRUE(fs::exists(marker));
  fs::remove(marker);
}

TEST(Isolation, TimeoutOnAnotherRankKillsItsWorker) {
  const int last = manta::world_size() - 1;
  auto options = in_process_on(last);
  options.timeout = 0.3s;
  const auto started = scratch("timed");
  try {
    manta::get(manta::task(write_then_sleep).options(options).remote(started.string(), 60.0), 30s);
    FAIL() << "no TaskTimeoutError";
  } catch (const manta::TaskTimeoutError& error) {
    EXPECT_EQ(error.rank(), last);
    EXPECT_NE(std::string(error.what()).find("ran past its timeout"), std::string::npos)
        << error.what();
  }
  fs::remove(started);
}

TEST(Isolation, ForcedCancelKillsAWorkerOnAnotherRank) {
  const int last = manta::world_size() - 1;
  const auto started = scratch("cancelled");
  fs::remove(started);
  const auto ref =
      manta::task(write_then_sleep).options(in_process_on(last)).remote(started.string(), 60.0);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!fs::exists(started) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  int worker = 0;
  while (worker == 0 && std::chrono::steady_clock::now() < deadline) {
    std::ifstream(started) >> worker;
  }
  ASSERT_GT(worker, 0) << "the task never started";
  manta::cancel(ref, {.force = true});
  EXPECT_THROW(manta::get(ref, 10s), manta::TaskCancelledError);
  // Killed, not left sleeping: its CPU is free, so a task needing all of that rank's CPUs runs.
  const auto all_cpus = manta::TaskOptions{.num_cpus = manta::num_cpus(), .rank = last};
  EXPECT_EQ(manta::get(manta::task(rank_here).options(all_cpus).remote(), 30s), last);
  EXPECT_FALSE(manta::get(manta::task(process_runs).options({.rank = last}).remote(worker)))
      << "worker " << worker << " still runs";
  fs::remove(started);
}

TEST(Isolation, ActorOnAnotherRankRestartsAfterItsWorkerIsKilled) {
  const int last = manta::world_size() - 1;
  const manta::ActorOptions options{.rank = last,
                                    .max_restarts = 1,
                                    .max_task_retries = 1,
                                    .isolation = manta::Isolation::process};
  auto actor = manta::actor<Odometer>().options(options).remote(10);
  EXPECT_EQ(manta::get(actor.call(&Odometer::add).remote(5), 30s), 15);
  const auto marker = scratch("actor-killed");
  fs::remove(marker);
  // Killed in its first run; run again on the restarted instance (from its constructor: no
  // checkpoint), then the later calls in order.
  auto crashed = actor.call(&Odometer::crash_once).remote(marker.string());
  std::vector<manta::ObjectRef<int>> later;
  for (int i = 1; i <= 10; ++i) later.push_back(actor.call(&Odometer::add).remote(i));
  EXPECT_EQ(manta::get(crashed, 60s), 11);
  int expected = 11;
  for (int i = 1; i <= 10; ++i) {
    expected += i;
    EXPECT_EQ(manta::get(later[static_cast<std::size_t>(i - 1)], 30s), expected) << "call " << i;
  }
  EXPECT_TRUE(fs::exists(marker));
  fs::remove(marker);

  // Without restarts, the call fails naming the rank and the signal; the job goes on.
  auto fragile = manta::actor<Odometer>()
                     .options({.rank = last, .isolation = manta::Isolation::process})
                     .remote(0);
  try {
    manta::get(fragile.call(&Odometer::crash_once).remote(marker.string()), 60s);
    FAIL() << "no WorkerCrashedError";
  } catch (const manta::WorkerCrashedError& error) {
    EXPECT_EQ(error.rank(), last);
    EXPECT_EQ(error.task_name(), "Odometer.crash_once");
    EXPECT_NE(std::string(error.what()).find("SIGKILL"), std::string::npos) << error.what();
  }
  EXPECT_THROW(manta::get(fragile.call(&Odometer::add).remote(1), 30s), manta::ActorDiedError);
  fs::remove(marker);
}

}  // namespace
