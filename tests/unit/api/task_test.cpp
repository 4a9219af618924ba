// Tasks: value and ObjectRef arguments, chains and fan-in, void results, nested submission and
// nested get, CPU limits. Each test runs on runtimes of 1, 2 and 4 CPU slots.
#include "test_support.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using namespace manta_test;

std::atomic<int> void_task_sum{0};
ConcurrencyProbe task_probe;
std::atomic<int> whole_rank_task_saw_others{0};

int task_add_one(int x) { return x + 1; }
MANTA_REMOTE(task_add_one);

int task_add(int a, int b) { return a + b; }
MANTA_REMOTE(task_add);

long task_weighted_sum(int a, int b, int c, int d) { return a + 10L * b + 100L * c + 1000L * d; }
MANTA_REMOTE(task_weighted_sum);

std::string task_greet(const std::string& name, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += "hello " + name + ";";
  return out;
}
MANTA_REMOTE(task_greet);

double task_sum_vector(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0);
}
MANTA_REMOTE(task_sum_vector);

double task_sum_span(std::span<const double> values) {
  return std::accumulate(values.begin(), values.end(), 0.0);
}
MANTA_REMOTE(task_sum_span);

std::uintptr_t task_span_address(std::span<const double> values) {
  return reinterpret_cast<std::uintptr_t>(values.data());
}
MANTA_REMOTE(task_span_address);

void task_accumulate(int x) { void_task_sum += x; }
MANTA_REMOTE(task_accumulate);

/// Submits n tasks from inside a task and gets their results.
int task_nested_sum(int n) {
  std::vector<manta::ObjectRef<int>> refs;
  for (int i = 0; i < n; ++i) refs.push_back(manta::task(task_add_one).remote(i));
  const auto values = manta::get(refs);
  return std::accumulate(values.begin(), values.end(), 0);
}
MANTA_REMOTE(task_nested_sum);

/// Fibonacci by nested tasks: every level blocks in get on two children.
int task_fib(int n) {
  if (n < 2) return n;
  const auto a = manta::task(task_fib).remote(n - 1);
  const auto b = manta::task(task_fib).remote(n - 2);
  return manta::get(a) + manta::get(b);
}
MANTA_REMOTE(task_fib);

int task_chain_tail(int x) { return x + 1; }
MANTA_REMOTE(task_chain_tail);

int task_chain_middle(int x) { return manta::get(manta::task(task_chain_tail).remote(x)) + 1; }
MANTA_REMOTE(task_chain_middle);

/// f -> g -> h: each link submits the next and blocks in get on it.
int task_chain_head(int x) { return manta::get(manta::task(task_chain_middle).remote(x)) + 1; }
MANTA_REMOTE(task_chain_head);

/// Submits n tasks from inside a task and waits for all of them with manta::wait.
std::size_t task_wait_inside(int n) {
  std::vector<manta::ObjectRef<int>> refs;
  for (int i = 0; i < n; ++i) refs.push_back(manta::task(task_add_one).remote(i));
  return manta::wait(refs, {.num_returns = refs.size()}).ready.size();
}
MANTA_REMOTE(task_wait_inside);

int task_probe_run(int partners) {
  task_probe.run_with(partners);
  return 1;
}
MANTA_REMOTE(task_probe_run);

/// Runs holding every CPU of the rank; records whether any other probed task ran meanwhile.
int task_whole_rank(int) {
  for (int i = 0; i < 20; ++i) {
    if (task_probe.running() != 0) whole_rank_task_saw_others += 1;
    std::this_thread::sleep_for(1ms);
  }
  return 1;
}
MANTA_REMOTE(task_whole_rank);

class Tasks : public ::testing::TestWithParam<double> {
 protected:
  void SetUp() override { task_probe.reset(); }
  int cpus() const { return static_cast<int>(GetParam()); }

  manta::Runtime runtime_{runtime_options(GetParam())};
};

TEST_P(Tasks, ValueArguments) {
  EXPECT_EQ(manta::get(manta::task(task_add).remote(2, 3)), 5);
  EXPECT_EQ(manta::get(manta::task(task_greet).remote(std::string("ray"), 2)),
            "hello ray;hello ray;");
  EXPECT_EQ(manta::get(manta::task(task_greet).remote("literal", 1)), "hello literal;");
  const short small = 7;
  EXPECT_EQ(manta::get(manta::task(task_add_one).remote(small)), 8);  // converted to int
}

TEST_P(Tasks, ChainThroughRefs) {
  manta::ObjectRef<int> ref = manta::task(task_add_one).remote(0);
  for (int i = 0; i < 20; ++i) ref = manta::task(task_add_one).remote(ref);
  EXPECT_EQ(manta::get(ref), 21);
}

TEST_P(Tasks, FanInOfSeveralRefs) {
  const auto a = manta::task(task_add_one).remote(0);  // 1
  const auto b = manta::task(task_add).remote(1, 1);   // 2
  const auto c = manta::put(3);
  const auto d = manta::task(task_add_one).remote(c);  // 4
  EXPECT_EQ(manta::get(manta::task(task_weighted_sum).remote(a, b, c, d)), 4321);
  // Refs and values mixed, and one ref given twice.
  EXPECT_EQ(manta::get(manta::task(task_weighted_sum).remote(a, 5, a, d)), 4151);
}

TEST_P(Tasks, TreeReduction) {
  std::vector<manta::ObjectRef<int>> level;
  for (int i = 0; i < 64; ++i) level.push_back(manta::put(i));
  while (level.size() > 1) {
    std::vector<manta::ObjectRef<int>> next;
    for (std::size_t i = 0; i < level.size(); i += 2) {
      next.push_back(manta::task(task_add).remote(level[i], level[i + 1]));
    }
    level = std::move(next);
  }
  EXPECT_EQ(manta::get(level.front()), 64 * 63 / 2);
}

TEST_P(Tasks, PutObjectPassedToEightTasks) {
  const auto data = manta::put(std::vector<double>(100'000, 0.5));
  const std::uintptr_t address = reinterpret_cast<std::uintptr_t>(manta::get_view(data).data());
  std::vector<manta::ObjectRef<double>> sums;
  std::vector<manta::ObjectRef<std::uintptr_t>> addresses;
  for (int i = 0; i < 8; ++i) {
    sums.push_back(manta::task(task_sum_vector).remote(data));
    addresses.push_back(manta::task(task_span_address).remote(data));
  }
  for (double sum : manta::get(sums)) EXPECT_DOUBLE_EQ(sum, 50'000.0);
  for (std::uintptr_t seen : manta::get(addresses)) EXPECT_EQ(seen, address);
}

TEST_P(Tasks, SpanParameterReadsTheObjectInPlace) {
  std::vector<double> values(50'000);
  std::iota(values.begin(), values.end(), 1.0);
  const auto ref = manta::put(values);
  const auto address = reinterpret_cast<std::uintptr_t>(manta::get_view(ref).data());
  EXPECT_EQ(manta::get(manta::task(task_span_address).remote(ref)), address);
  EXPECT_DOUBLE_EQ(manta::get(manta::task(task_sum_span).remote(ref)), 50'000.0 * 50'001.0 / 2);
  // A task's (typed, in-memory) result is read in place too.
  const auto small = manta::put(std::vector<double>{1.0, 2.0});
  EXPECT_EQ(manta::get(manta::task(task_span_address).remote(small)),
            reinterpret_cast<std::uintptr_t>(manta::get_view(small).data()));
}

TEST_P(Tasks, VoidTasks) {
  void_task_sum = 0;
  std::vector<manta::ObjectRef<void>> refs;
  for (int i = 1; i <= 10; ++i) refs.push_back(manta::task(task_accumulate).remote(i));
  for (const auto& ref : refs) manta::get(ref);
  EXPECT_EQ(void_task_sum.load(), 55);
  const auto [ready, not_ready] = manta::wait(refs, {.num_returns = refs.size()});
  EXPECT_EQ(ready.size(), 10U);
  EXPECT_TRUE(not_ready.empty());
}

TEST_P(Tasks, NestedSubmission) {
  EXPECT_EQ(manta::get(manta::task(task_nested_sum).remote(20)), 20 * 21 / 2);
}

TEST_P(Tasks, NestedGetDoesNotDeadlock) {
  // Every level of the recursion blocks in get inside a task; on one CPU this only finishes if
  // blocked workers give their slot back.
  EXPECT_EQ(manta::get(manta::task(task_fib).remote(10), 60s), 55);
}

TEST_P(Tasks, DeepNestedRecursionCompletes) {
  // fib(25): 242,785 tasks, each blocked in get on two children. A thread per blocked get
  // stopped at fib(15) (the executor's 512 threads were all blocked).
  EXPECT_EQ(manta::get(manta::task(task_fib).remote(25)), 75025);
}

TEST_P(Tasks, ThousandNestedChainsComplete) {
  // 1,000 chains f -> g -> h submitted at once: each head blocks on its middle, which blocks on
  // its tail. With a thread per blocked get, 257 chains or more stopped on one CPU.
  std::vector<manta::ObjectRef<int>> heads;
  for (int i = 0; i < 1000; ++i) heads.push_back(manta::task(task_chain_head).remote(i));
  const auto values = manta::get(heads);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(values[i], i + 3);
}

TEST_P(Tasks, NestedWaitDoesNotDeadlock) {
  std::vector<manta::ObjectRef<std::size_t>> refs;
  for (int i = 0; i < 4; ++i) refs.push_back(manta::task(task_wait_inside).remote(10));
  for (std::size_t ready : manta::get(refs, 60s)) EXPECT_EQ(ready, 10U);
}

TEST_P(Tasks, ManyTasks) {
  std::vector<manta::ObjectRef<int>> refs;
  for (int i = 0; i < 2000; ++i) refs.push_back(manta::task(task_add_one).remote(i));
  const auto values = manta::get(refs);
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(values[i], i + 1);
}

TEST_P(Tasks, SubmitFromManyThreads) {
  constexpr int threads = 4;
  constexpr int per_thread = 250;
  std::vector<std::vector<manta::ObjectRef<int>>> refs(threads);
  std::vector<std::thread> submitters;
  for (int t = 0; t < threads; ++t) {
    submitters.emplace_back([&refs, t] {
      for (int i = 0; i < per_thread; ++i) refs[t].push_back(manta::task(task_add).remote(t, i));
    });
  }
  for (auto& thread : submitters) thread.join();
  for (int t = 0; t < threads; ++t) {
    const auto values = manta::get(refs[t]);
    for (int i = 0; i < per_thread; ++i) ASSERT_EQ(values[i], t + i);
  }
}

TEST_P(Tasks, AtMostOneTaskPerCpuRunsAtOnce) {
  std::vector<manta::ObjectRef<int>> refs;
  for (int i = 0; i < 3 * cpus(); ++i) refs.push_back(manta::task(task_probe_run).remote(cpus()));
  manta::get(refs);
  EXPECT_EQ(task_probe.peak(), cpus());
}

TEST_P(Tasks, HalfCpuTasksRunTwicePerCpu) {
  // A burst of work after a quiet spell, when every worker thread is idle: the pool must grow
  // to one thread per half CPU.
  manta::get(manta::task(task_add_one).remote(0));
  std::this_thread::sleep_for(20ms);
  const auto half = manta::task(task_probe_run).options({.num_cpus = 0.5});
  std::vector<manta::ObjectRef<int>> refs;
  for (int i = 0; i < 2 * cpus(); ++i) refs.push_back(half.remote(2 * cpus()));
  manta::get(refs);
  EXPECT_EQ(task_probe.peak(), 2 * cpus());
}

TEST_P(Tasks, TaskHoldingEveryCpuRunsAlone) {
  whole_rank_task_saw_others = 0;
  const auto whole = manta::task(task_whole_rank).options({.num_cpus = GetParam()});
  std::vector<manta::ObjectRef<int>> refs;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < cpus(); ++i) refs.push_back(manta::task(task_probe_run).remote(1));
    refs.push_back(whole.remote(0));
  }
  for (int value : manta::get(refs)) EXPECT_EQ(value, 1);
  EXPECT_EQ(whole_rank_task_saw_others.load(), 0);
}

TEST_P(Tasks, LargeResultIsViewable) {
  const auto ref = manta::task(task_greet).remote(std::string(40'000, 'z'), 3);
  const std::string_view view = manta::get_view(ref);
  EXPECT_EQ(view.size(), 3 * (40'000 + 7U));
  EXPECT_EQ(view.data(), manta::get_view(ref).data());
}

INSTANTIATE_TEST_SUITE_P(, Tasks, ::testing::Values(1.0, 2.0, 4.0), cpus_name);

}  // namespace

namespace {

using namespace manta_test;

Gate argument_gate;

int argument_gate_wait(int x) {
  argument_gate.pass();
  return x;
}
MANTA_REMOTE(argument_gate_wait);

double argument_sum_span(std::span<const double> values) {
  return std::accumulate(values.begin(), values.end(), 0.0);
}
MANTA_REMOTE(argument_sum_span);

std::size_t argument_count_x(std::string_view text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), 'x'));
}
MANTA_REMOTE(argument_count_x);

// Arguments are values: what a task receives is fixed when it is submitted. A std::span
// parameter given a std::vector (not a ref) must not keep looking at the caller's vector, which
// may change or be gone by the time the task runs.
/// An rvalue reference parameter: the task may take its argument over.
std::vector<int> argument_sorted_sink(std::vector<int>&& values) {
  std::vector<int> taken = std::move(values);
  std::sort(taken.begin(), taken.end());
  return taken;
}
MANTA_REMOTE(argument_sorted_sink);

/// Takes its argument over, then fails on its first attempt (and only that one).
std::atomic<int> argument_sink_attempts{0};
std::size_t argument_sink_then_fail_once(std::string&& text) {
  const std::string taken = std::move(text);
  if (argument_sink_attempts.fetch_add(1) == 0) throw std::runtime_error("first attempt");
  return taken.size();
}
MANTA_REMOTE(argument_sink_then_fail_once);

/// An overloaded function: each overload is registered under its signature.
int argument_twice(int x) { return 2 * x; }
std::string argument_twice(const std::string& text) { return text + text; }
MANTA_REMOTE(argument_twice, int(int));
MANTA_REMOTE(argument_twice, std::string(const std::string&));

/// noexcept is part of a function pointer's type too.
int argument_negate(int x) noexcept { return -x; }
MANTA_REMOTE(argument_negate);

TEST(TaskArguments, RvalueReferenceParameterTakesAValue) {
  manta::Runtime runtime(runtime_options(2));
  EXPECT_EQ(manta::get(manta::task(argument_sorted_sink).remote(std::vector<int>{3, 1, 2})),
            (std::vector<int>{1, 2, 3}));
  // The task owns a copy: neither the caller's vector nor an object it reads is moved from.
  const std::vector<int> kept{5, 4};
  EXPECT_EQ(manta::get(manta::task(argument_sorted_sink).remote(kept)), (std::vector<int>{4, 5}));
  EXPECT_EQ(kept, (std::vector<int>{5, 4}));
  const auto object = manta::put(std::vector<int>{9, 8, 7});
  EXPECT_EQ(manta::get(manta::task(argument_sorted_sink).remote(object)),
            (std::vector<int>{7, 8, 9}));
  EXPECT_EQ(manta::get(object), (std::vector<int>{9, 8, 7}));
  // In a worker process, where the call arrives as bytes (the path of a call from another rank).
  EXPECT_EQ(manta::get(manta::task(argument_sorted_sink)
                           .options({.isolation = manta::Isolation::process})
                           .remote(std::vector<int>{2, 3, 1})),
            (std::vector<int>{1, 2, 3}));
}

TEST(TaskArguments, RvalueReferenceParameterIsWholeAgainOnARetry) {
  manta::Runtime runtime(runtime_options(1));
  argument_sink_attempts = 0;
  const auto size = manta::task(argument_sink_then_fail_once)
                        .options({.max_retries = 1})
                        .remote(std::string(1000, 'x'));
  EXPECT_EQ(manta::get(size), 1000U);
  EXPECT_EQ(argument_sink_attempts.load(), 2);
}

TEST(TaskArguments, OverloadsRegisteredBySignature) {
  manta::Runtime runtime(runtime_options(2));
  EXPECT_EQ(manta::get(manta::task<int(int)>(argument_twice).remote(21)), 42);
  using TextTwice = std::string(const std::string&);
  EXPECT_EQ(manta::get(manta::task<TextTwice>(argument_twice).remote("ab")), "abab");
  EXPECT_STREQ(manta::task<int(int)>(argument_twice).name(), "argument_twice as int(int)");
  EXPECT_STREQ(manta::task<TextTwice>(argument_twice).name(),
               "argument_twice as std::string(const std::string&)");
  EXPECT_EQ(manta::get(manta::task<TextTwice>(argument_twice)
                           .options({.isolation = manta::Isolation::process})
                           .remote("cd")),
            "cdcd");
  EXPECT_EQ(manta::get(manta::task(argument_negate).remote(5)), -5);
}

TEST(TaskArguments, SpanParameterGivenAVectorIsCapturedAtSubmission) {
  manta::Runtime runtime(runtime_options(1));
  argument_gate.close();
  GateOpener opener(argument_gate);
  const auto blocker = manta::task(argument_gate_wait).remote(0);  // holds the only CPU
  std::vector<double> values{1.0, 2.0, 3.0};
  const auto sum = manta::task(argument_sum_span).remote(values);
  values.assign(3, 100.0);
  argument_gate.open();
  EXPECT_EQ(manta::get(blocker), 0);
  EXPECT_DOUBLE_EQ(manta::get(sum), 6.0);
}

TEST(TaskArguments, StringViewParameterGivenATemporaryStringOwnsACopy) {
  manta::Runtime runtime(runtime_options(1));
  argument_gate.close();
  GateOpener opener(argument_gate);
  const auto blocker = manta::task(argument_gate_wait).remote(0);
  // The temporary is gone (its heap buffer freed and reused) long before the task runs.
  const auto count = manta::task(argument_count_x).remote(std::string(100'000, 'x'));
  std::vector<std::string> reuse(64, std::string(100'000, 'y'));
  argument_gate.open();
  EXPECT_EQ(manta::get(blocker), 0);
  EXPECT_EQ(manta::get(count), 100'000U);
}

}  // namespace
