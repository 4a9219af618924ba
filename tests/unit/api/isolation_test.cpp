// Process isolation on one rank (TaskOptions::isolation = process): the task runs in a worker
// process of the rank, forked from the helper started before MPI; a worker that dies (a signal,
// exit(), SIGKILL as the OOM killer sends) fails its task with WorkerCrashedError and the job
// goes on; a crash is retried per max_retries; timeouts and forced cancels kill the worker.
#include "test_support.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace manta_test;
namespace fs = std::filesystem;

int process_id() { return static_cast<int>(getpid()); }
MANTA_REMOTE(process_id);

/// A large argument and a large result, both through the worker's channel.
std::vector<double> scaled(std::vector<double> values, double factor) {
  for (double& value : values) value *= factor;
  return values;
}
MANTA_REMOTE(scaled);

int throws_out_of_range(int code) { throw std::out_of_range("code " + std::to_string(code)); }
MANTA_REMOTE(throws_out_of_range);

/// A page nobody may touch: a store there is a real page fault, not the null dereference that
/// UndefinedBehaviorSanitizer would report first.
volatile int* forbidden_page() {
  return static_cast<volatile int*>(
      mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
}

/// How a simulator dies; `how` names it.
int crash(std::string how) {
  if (how == "segfault") {
    *forbidden_page() = 1;
  } else if (how == "abort") {
    std::abort();
  } else if (how == "exit") {
    std::exit(3);
  } else if (how == "sigkill") {
    kill(getpid(), SIGKILL);  // what the kernel's OOM killer sends
  } else if (how == "out-of-memory") {
    // A C simulator past its memory limit: malloc fails and the null result is used.
    const rlimit limit{std::size_t{1} << 30, std::size_t{1} << 30};
    setrlimit(RLIMIT_AS, &limit);
    auto* buffer = static_cast<volatile char*>(std::malloc(std::size_t{2} << 30));
    for (std::size_t i = 0; i < (std::size_t{2} << 30); i += 4096) buffer[i] = 1;
  }
  return 0;
}
MANTA_REMOTE(crash);

/// Dies as `how` says the first time (no marker file yet), then returns 7: a simulator that
/// crashes once in a while.
int crash_first_time(std::string how, std::string marker) {
  if (fs::exists(marker)) return 7;
  std::ofstream(marker) << how;
  return crash(how);
}
MANTA_REMOTE(crash_first_time);

/// Crashes the first time (no marker file yet), then returns 42: a flaky simulator.
int crash_once(std::string marker) {
  if (!fs::exists(marker)) {
    std::ofstream(marker) << "crashed once";
    std::abort();
  }
  return 42;
}
MANTA_REMOTE(crash_once);

/// Writes `started`, then sleeps for `seconds`: a simulator that hangs.
int sleep_after_start(std::string started, double seconds) {
  std::ofstream(started) << getpid();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  return 1;
}
MANTA_REMOTE(sleep_after_start);

int puts_an_object() { return manta::get(manta::put(1)); }
MANTA_REMOTE(puts_an_object);

int sum_of(manta::ObjectRef<int> ref) { return manta::get(ref); }
MANTA_REMOTE(sum_of);

manta::TaskOptions in_process(int max_retries = 0) {
  return {.max_retries = max_retries, .isolation = manta::Isolation::process};
}

// A sanitizer's own address-space reservations exceed any limit a test may set.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif

/// Waits up to 30 s for `file` to exist.
bool appears(const fs::path& file) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!fs::exists(file) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  return fs::exists(file);
}

class Isolation : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() / ("manta-isolation-" + std::to_string(getpid()));
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  manta::Runtime runtime_{runtime_options(1)};
  fs::path directory_;
};

TEST_F(Isolation, TaskRunsInAWorkerProcessThatIsReused) {
  const int worker = manta::get(manta::task(process_id).options(in_process()).remote());
  EXPECT_NE(worker, process_id());
  EXPECT_GT(worker, 0);
  EXPECT_EQ(manta::get(manta::task(process_id).options(in_process()).remote()), worker);
  EXPECT_EQ(manta::get(manta::task(process_id).remote()), process_id()) << "threads by default";
}

TEST_F(Isolation, ArgumentsAndResultsCrossIntact) {
  std::vector<double> values(300'000);  // 2.4 MB each way, beyond the inline limit
  std::iota(values.begin(), values.end(), 0.0);
  const auto result = manta::get(manta::task(scaled).options(in_process()).remote(values, 2.0));
  ASSERT_EQ(result.size(), values.size());
  for (std::size_t i = 0; i < values.size(); i += 997) EXPECT_EQ(result[i], 2.0 * values[i]);
  EXPECT_EQ(result.back(), 2.0 * values.back());
}

TEST_F(Isolation, ExceptionIsATaskErrorAndTheWorkerLivesOn) {
  const int worker = manta::get(manta::task(process_id).options(in_process()).remote());
  try {
    manta::get(manta::task(throws_out_of_range).options(in_process()).remote(7));
    FAIL() << "no TaskError";
  } catch (const manta::TaskError& error) {
    EXPECT_EQ(error.task_name(), "throws_out_of_range");
    EXPECT_EQ(error.rank(), 0);
    EXPECT_EQ(error.exception_type(), "std::out_of_range");
    EXPECT_EQ(error.message(), "code 7");
  }
  EXPECT_EQ(manta::get(manta::task(process_id).options(in_process()).remote()), worker);
}

/// Each way a worker dies, and how the error says it.
struct Crash {
  const char* how;
  const char* reported;
};

class IsolatedCrash : public Isolation, public ::testing::WithParamInterface<Crash> {};

TEST_P(IsolatedCrash, FailsTheTaskNotTheJob) {
  if (sanitized && std::string(GetParam().how) == "out-of-memory") {
    GTEST_SKIP() << "a sanitizer reserves more address space than the limit this sets";
  }
  const int before = manta::get(manta::task(process_id).options(in_process()).remote());
  try {
    manta::get(manta::task(crash).options(in_process()).remote(std::string(GetParam().how)));
    FAIL() << "no WorkerCrashedError";
  } catch (const manta::WorkerCrashedError& error) {
    const std::string what = error.what();
    EXPECT_EQ(error.task_name(), "crash");
    EXPECT_EQ(error.rank(), 0);
    EXPECT_NE(what.find("task 'crash' on rank 0: its worker process (pid " +
                        std::to_string(before) + ")"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find(GetParam().reported), std::string::npos) << what;
  }
  // The job goes on, on a new worker.
  const int after = manta::get(manta::task(process_id).options(in_process()).remote());
  EXPECT_NE(after, before);
  EXPECT_EQ(manta::get(manta::task(process_id).remote()), process_id());
}

constexpr const char* segfault_report = "killed by signal 11 (SIGSEGV)";

TEST_P(IsolatedCrash, SucceedsOnRetry) {
  if (sanitized && std::string(GetParam().how) == "out-of-memory") {
    GTEST_SKIP() << "a sanitizer reserves more address space than the limit this sets";
  }
  const auto marker = (directory_ / "crashed").string();
  const auto ref = manta::task(crash_first_time)
                       .options(in_process(1))
                       .remote(std::string(GetParam().how), marker);
  EXPECT_EQ(manta::get(ref), 7);
  EXPECT_TRUE(fs::exists(marker)) << "the first attempt never ran";
}

std::string crash_name(const ::testing::TestParamInfo<Crash>& crash) {
  std::string name = crash.param.how;
  std::erase(name, '-');
  return name;
}

INSTANTIATE_TEST_SUITE_P(, IsolatedCrash,
                         ::testing::Values(Crash{"segfault", segfault_report},
                                           Crash{"abort", "killed by signal 6 (SIGABRT)"},
                                           Crash{"exit", "exited with code 3"},
                                           Crash{"sigkill", "killed by signal 9 (SIGKILL)"},
                                           Crash{"out-of-memory", segfault_report}),
                         crash_name);

TEST_F(Isolation, CrashIsRetriedWhateverRetryExceptionsSays) {
  const auto marker = (directory_ / "crashed").string();
  auto options = in_process(1);
  options.retry_exceptions = false;  // covers exceptions, not crashed workers
  EXPECT_EQ(manta::get(manta::task(crash_once).options(options).remote(marker)), 42);
  EXPECT_TRUE(fs::exists(marker));
}

TEST_F(Isolation, CrashWithoutRetriesLeftIsFinal) {
  const auto marker = (directory_ / "crashed").string();
  EXPECT_THROW(manta::get(manta::task(crash_once).options(in_process()).remote(marker)),
               manta::WorkerCrashedError);
  EXPECT_EQ(manta::get(manta::task(crash_once).options(in_process()).remote(marker)), 42);
}

TEST_F(Isolation, TimeoutKillsTheWorkerAndFailsTheTask) {
  auto options = in_process();
  options.timeout = 1.5s;  // time enough for the task to start on a loaded machine
  const auto started = (directory_ / "started").string();
  const auto begin = std::chrono::steady_clock::now();
  try {
    manta::get(manta::task(sleep_after_start).options(options).remote(started, 60.0));
    FAIL() << "no TaskTimeoutError";
  } catch (const manta::TaskTimeoutError& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find("task 'sleep_after_start' on rank 0 ran past its timeout of 1.5"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("was killed"), std::string::npos) << what;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 30s) << "the sleeping worker was not killed";
  EXPECT_TRUE(fs::exists(started));
  EXPECT_EQ(manta::get(manta::task(process_id).options(in_process()).remote()) > 0, true);
}

TEST_F(Isolation, TimeoutIsRetriedPerMaxRetries) {
  auto options = in_process(2);
  options.timeout = 0.2s;
  const auto started = (directory_ / "started").string();
  EXPECT_THROW(manta::get(manta::task(sleep_after_start).options(options).remote(started, 60.0)),
               manta::TaskTimeoutError);
}

TEST_F(Isolation, ForcedCancelKillsTheRunningWorker) {
  const auto started = directory_ / "started";
  const auto ref =
      manta::task(sleep_after_start).options(in_process()).remote(started.string(), 60.0);
  ASSERT_TRUE(appears(started));
  int worker = 0;
  while (worker == 0) std::ifstream(started) >> worker;  // written just before the sleep
  manta::cancel(ref, {.force = true});
  EXPECT_THROW(manta::get(ref), manta::TaskCancelledError);
  // The only CPU is free again at once, not after the sleep: the next task runs.
  EXPECT_GT(manta::get(manta::task(process_id).options(in_process()).remote()), 0);
  EXPECT_NE(kill(worker, 0), 0) << "worker " << worker << " still runs";
}

TEST_F(Isolation, ApiInsideAWorkerFailsNamingWhy) {
  try {
    manta::get(manta::task(puts_an_object).options(in_process()).remote());
    FAIL() << "no TaskError";
  } catch (const manta::TaskError& error) {
    EXPECT_NE(error.message().find("worker process (isolation = process)"), std::string::npos)
        << error.what();
  }
}

TEST_F(Isolation, BadOptionsAreRefusedAtSubmission) {
  auto zero_timeout = in_process();
  zero_timeout.timeout = 0s;
  EXPECT_THROW(manta::task(process_id).options(zero_timeout).remote(), manta::InvalidOptionError);
  try {
    manta::task(sum_of).options(in_process()).remote(manta::put(1));
    FAIL() << "no InvalidOptionError";
  } catch (const manta::InvalidOptionError& error) {
    EXPECT_NE(std::string(error.what()).find("cannot run in a worker process"), std::string::npos)
        << error.what();
  }
}

TEST(IsolationDefault, JobWideProcessIsolationAppliesUnlessATaskSaysThread) {
  auto options = runtime_options(1);
  options.isolation = manta::Isolation::process;
  manta::Runtime runtime(options);
  EXPECT_NE(manta::get(manta::task(process_id).remote()), process_id());
  EXPECT_EQ(
      manta::get(manta::task(process_id).options({.isolation = manta::Isolation::thread}).remote()),
      process_id());
}

}  // namespace
