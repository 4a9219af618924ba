// Manta's core figures, after Ray's microbenchmarks (python/ray/_private/ray_perf.py): one rank,
// tasks and actor calls with small arguments, put and get.
#include "bench.hpp"

#include <manta/manta.hpp>

#include <malloc.h>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace {

int small_value(int x) { return x + 1; }
MANTA_REMOTE(small_value);

int after(int x, int /*gate*/) { return x; }
MANTA_REMOTE(after);

class Accumulator {
 public:
  int add(int x) { return total_ += x; }

 private:
  int total_ = 0;
};
MANTA_ACTOR(Accumulator, add);

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("benchmark answer wrong: ") + what);
}

/// Bytes the program has allocated and not freed (glibc's count: exact, unlike RSS, which keeps
/// freed pages).
std::size_t heap_bytes() { return mallinfo2().uordblks; }

double tasks_async(int count) {
  std::vector<manta::ObjectRef<int>> refs;
  refs.reserve(count);
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) refs.push_back(manta::task(small_value).remote(i));
  const auto values = manta::get(refs);
  const double rate = count / seconds_since(start);
  check(values.back() == count, "single_client_tasks_async");
  return rate;
}

double tasks_sync_us(int count) {
  const auto start = Clock::now();
  int sum = 0;
  for (int i = 0; i < count; ++i) sum += manta::get(manta::task(small_value).remote(0));
  const double micros = seconds_since(start) / count * 1e6;
  check(sum == count, "single_client_tasks_sync");
  return micros;
}

double actor_calls_async(int count) {
  auto accumulator = manta::actor<Accumulator>().remote();
  std::vector<manta::ObjectRef<int>> refs;
  refs.reserve(count);
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) refs.push_back(accumulator.call(&Accumulator::add).remote(1));
  const auto values = manta::get(refs);
  const double rate = count / seconds_since(start);
  check(values.back() == count, "1_1_actor_calls_async");
  return rate;
}

double actor_calls_sync_us(int count) {
  auto accumulator = manta::actor<Accumulator>().remote();
  const auto start = Clock::now();
  int last = 0;
  for (int i = 0; i < count; ++i) last = manta::get(accumulator.call(&Accumulator::add).remote(1));
  const double micros = seconds_since(start) / count * 1e6;
  check(last == count, "1_1_actor_calls_sync");
  return micros;
}

double put_calls(int count) {
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) manta::put(i);
  return count / seconds_since(start);
}

double get_calls(int count) {
  const auto ref = manta::put(7);
  const auto start = Clock::now();
  long sum = 0;
  for (int i = 0; i < count; ++i) sum += manta::get(ref);
  const double rate = count / seconds_since(start);
  check(sum == 7L * count, "single_client_get_calls");
  return rate;
}

double put_gbps(std::size_t bytes) {
  const std::vector<char> data(bytes, 3);
  const auto start = Clock::now();
  const auto ref = manta::put(data);
  const double rate = static_cast<double>(bytes) / seconds_since(start) / 1e9;
  check(manta::get_view(ref)[bytes - 1] == 3, "single_client_put_100mb");
  return rate;
}

std::atomic<bool> gate_open{false};

int wait_for_gate(int x) {
  while (!gate_open.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return x;
}
MANTA_REMOTE(wait_for_gate);

/// Heap bytes per task while `count` tasks wait for one object that is not ready.
double queued_task_bytes(int count) {
  std::vector<manta::ObjectRef<int>> refs;
  refs.reserve(count);
  gate_open = false;
  const auto gate = manta::task(wait_for_gate).remote(0);
  const auto before = heap_bytes();
  for (int i = 0; i < count; ++i) refs.push_back(manta::task(after).remote(i, gate));
  const auto during = heap_bytes();
  gate_open = true;
  const auto values = manta::get(refs);
  check(values.back() == count - 1, "queued_tasks");
  return static_cast<double>(during - before) / count;
}

}  // namespace

namespace bench {

std::vector<Measurement> manta_measurements(double scale) {
  const auto n = [scale](int full) { return std::max(10, static_cast<int>(full * scale)); };
  return {
      {"single_client_tasks_async", "tasks/s", "", [=] { return tasks_async(n(100000)); }},
      {"single_client_tasks_sync", "us", "", [=] { return tasks_sync_us(n(10000)); }},
      {"1_1_actor_calls_async", "calls/s", "", [=] { return actor_calls_async(n(100000)); }},
      {"1_1_actor_calls_sync", "us", "", [=] { return actor_calls_sync_us(n(10000)); }},
      {"single_client_put_calls", "puts/s", "", [=] { return put_calls(n(100000)); }},
      {"single_client_get_calls", "gets/s", "", [=] { return get_calls(n(100000)); }},
      {"single_client_put_100mb", "GB/s", "memcpy_100mb",
       [=] { return put_gbps(static_cast<std::size_t>(100e6 * scale)); }},
      {"queued_task_memory", "bytes/task", "", [=] { return queued_task_bytes(n(1000000)); }},
  };
}

}  // namespace bench
