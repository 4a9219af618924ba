// Manta's single-rank figures. Ray's microbenchmarks (python/ray/_private/ray_perf.py) keep its
// names, shapes and units (operations per second); Ray's Python actors and clients become C++
// actors. Manta's own: 1M queued tasks, 10k actor creations, the tutorial's parallel run.
#include "../common/results.hpp"
#include "bench.hpp"

#include <manta/manta.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <numeric>
#include <thread>

namespace {

using bench::check_answer;
using bench::Clock;
using bench::seconds_since;
using bench::small_value;
MANTA_REMOTE(small_value);

/// Ray's Actor: small values, with and without an argument.
class Server {
 public:
  int small_value() { return 1; }
  int small_value_arg(int x) { return x + 1; }
};
MANTA_ACTOR(Server, small_value, small_value_arg);

using Servers = std::vector<manta::ActorHandle<Server>>;

/// Ray's Client (and its Actor.small_value_batch): a caller living on the rank as an actor,
/// which submits a batch and waits for all of it. Each method returns the sum of the results.
class Client {
 public:
  explicit Client(Servers servers) : servers_(std::move(servers)) {}

  /// `n` tasks, then get them all.
  int submit_tasks(int n) {
    std::vector<manta::ObjectRef<int>> refs;
    refs.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) refs.push_back(manta::task(small_value).remote(0));
    return sum(manta::get(refs));
  }

  /// `n` calls to each server, then get them all.
  int call_servers(int n) {
    std::vector<manta::ObjectRef<int>> refs;
    refs.reserve(servers_.size() * static_cast<std::size_t>(n));
    for (const auto& server : servers_) {
      for (int i = 0; i < n; ++i) refs.push_back(server.call(&Server::small_value).remote());
    }
    return sum(manta::get(refs));
  }

  /// As call_servers, each call taking the same put object (Ray's small_value_batch_arg).
  int call_servers_with_arg(int n) {
    const auto argument = manta::put(0);
    std::vector<manta::ObjectRef<int>> refs;
    refs.reserve(servers_.size() * static_cast<std::size_t>(n));
    for (const auto& server : servers_) {
      for (int i = 0; i < n; ++i) {
        refs.push_back(server.call(&Server::small_value_arg).remote(argument));
      }
    }
    return sum(manta::get(refs));
  }

 private:
  static int sum(const std::vector<int>& values) {
    return std::accumulate(values.begin(), values.end(), 0);
  }

  Servers servers_;
};
MANTA_ACTOR(Client, submit_tasks, call_servers, call_servers_with_arg);

/// Ray's `work` task of n:n actor calls: `n` calls spread over the servers, then get them all.
int call_round_robin(Servers servers, int n) {
  std::vector<manta::ObjectRef<int>> refs;
  refs.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    refs.push_back(
        servers[static_cast<std::size_t>(i) % servers.size()].call(&Server::small_value).remote());
  }
  const auto values = manta::get(refs);
  return std::accumulate(values.begin(), values.end(), 0);
}
MANTA_REMOTE(call_round_robin);

/// Ray sizes its 1:n and n:n benchmarks by cpu_count // 2; at least two, or 1:n would be 1:1.
int server_count() {
  return std::max(2, static_cast<int>(std::thread::hardware_concurrency()) / 2);
}

/// Clients (Ray's "multi client" count, m = 4 in ray_perf.py) each holding `servers`.
std::vector<manta::ActorHandle<Client>> clients(int count, const Servers& servers) {
  std::vector<manta::ActorHandle<Client>> made;
  for (int i = 0; i < count; ++i) made.push_back(manta::actor<Client>().remote(servers));
  return made;
}
constexpr int ray_client_count = 4;

Servers servers(int count) {
  Servers made;
  for (int i = 0; i < count; ++i) made.push_back(manta::actor<Server>().remote());
  return made;
}

/// Calls per second of `call(client, n)` run on every client at once, `n` calls each per server.
template <class Call>
double client_calls_per_second(const std::vector<manta::ActorHandle<Client>>& all, int n,
                               int calls_per_client, Call call) {
  std::vector<manta::ObjectRef<int>> batches;
  const auto start = Clock::now();
  for (const auto& client : all) batches.push_back(call(client, n));
  const auto sums = manta::get(batches);
  const double rate = static_cast<double>(all.size()) * calls_per_client / seconds_since(start);
  for (const int sum : sums) check_answer(sum == calls_per_client, "a client's batch");
  return rate;
}

/// Fibonacci by nested tasks: each blocks in get on the two it submitted.
int nested_fib(int n) {
  if (n < 2) return n;
  const auto a = manta::task(nested_fib).remote(n - 1);
  const auto b = manta::task(nested_fib).remote(n - 2);
  return manta::get(a) + manta::get(b);
}
MANTA_REMOTE(nested_fib);

double nested_fib_tasks() {
  const auto start = Clock::now();
  const int value = manta::get(manta::task(nested_fib).remote(bench::fib_argument));
  const double rate = bench::fib_calls / seconds_since(start);
  check_answer(value == bench::fib_value, "nested_fib_25");
  return rate;
}

double tasks_sync(int count) {
  const auto start = Clock::now();
  int sum = 0;
  for (int i = 0; i < count; ++i) sum += manta::get(manta::task(small_value).remote(0));
  const double rate = count / seconds_since(start);
  check_answer(sum == count, "single_client_tasks_sync");
  return rate;
}

double tasks_async(int count) {
  std::vector<manta::ObjectRef<int>> refs;
  refs.reserve(static_cast<std::size_t>(count));
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) refs.push_back(manta::task(small_value).remote(i));
  const auto values = manta::get(refs);
  const double rate = count / seconds_since(start);
  check_answer(values.back() == count, "single_client_tasks_async");
  return rate;
}

/// Ray's small tasks in worker processes (TaskOptions::isolation = process).
manta::TaskOptions in_process() { return {.isolation = manta::Isolation::process}; }

double process_tasks_sync(int count) {
  const auto start = Clock::now();
  int sum = 0;
  for (int i = 0; i < count; ++i) {
    sum += manta::get(manta::task(small_value).options(in_process()).remote(0));
  }
  const double rate = count / seconds_since(start);
  check_answer(sum == count, "process_tasks_sync");
  return rate;
}

double process_tasks_async(int count) {
  std::vector<manta::ObjectRef<int>> refs;
  refs.reserve(static_cast<std::size_t>(count));
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    refs.push_back(manta::task(small_value).options(in_process()).remote(i));
  }
  const auto values = manta::get(refs);
  const double rate = count / seconds_since(start);
  check_answer(values.back() == count, "process_tasks_async");
  return rate;
}

/// Ends its worker process: the next process task needs a new one.
int end_worker() { std::_Exit(0); }
MANTA_REMOTE(end_worker);

/// Tasks whose worker dies, each followed by one on a fresh worker: what losing a worker costs.
double process_worker_replacements(int count) {
  const auto start = Clock::now();
  int sum = 0;
  for (int i = 0; i < count; ++i) {
    try {
      manta::get(manta::task(end_worker).options(in_process()).remote());
    } catch (const manta::WorkerCrashedError&) {
      sum += manta::get(manta::task(small_value).options(in_process()).remote(0));
    }
  }
  const double rate = count / seconds_since(start);
  check_answer(sum == count, "process_worker_replacements");
  return rate;
}

/// Ray's 1:1 actor calls to an actor in a worker process of its own (ActorOptions::isolation).
double process_actor_calls(int count, bool sync, const char* name) {
  const auto server =
      manta::actor<Server>().options({.isolation = manta::Isolation::process}).remote();
  const auto start = Clock::now();
  int last = 0;
  if (sync) {
    for (int i = 0; i < count; ++i)
      last = manta::get(server.call(&Server::small_value_arg).remote(i));
  } else {
    std::vector<manta::ObjectRef<int>> refs;
    refs.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) refs.push_back(server.call(&Server::small_value_arg).remote(i));
    last = manta::get(refs).back();
  }
  const double rate = count / seconds_since(start);
  check_answer(last == count, name);
  return rate;
}

/// A process task taking a 100 MB array and returning it: how fast large values cross to and
/// from a worker process (each way counted once).
std::vector<char> echo_bytes(std::vector<char> bytes) { return bytes; }
MANTA_REMOTE(echo_bytes);

double process_task_array_gigabytes() {
  static const std::vector<char> data(bench::large_bytes, 5);
  const auto start = Clock::now();
  const auto echoed = manta::get(manta::task(echo_bytes).options(in_process()).remote(data));
  const double rate = 2.0 * static_cast<double>(data.size()) / seconds_since(start) / 1e9;
  check_answer(echoed.size() == data.size() && echoed.back() == 5, "process_task_array_gigabytes");
  return rate;
}

double multi_client_tasks(int per_client) {
  return client_calls_per_second(
      clients(ray_client_count, {}), per_client, per_client,
      [](const auto& client, int n) { return client.call(&Client::submit_tasks).remote(n); });
}

double actor_calls_sync(int count) {
  const auto server = manta::actor<Server>().remote();
  const auto start = Clock::now();
  int sum = 0;
  for (int i = 0; i < count; ++i) sum += manta::get(server.call(&Server::small_value).remote());
  const double rate = count / seconds_since(start);
  check_answer(sum == count, "1_1_actor_calls_sync");
  return rate;
}

/// Ray's "1:1 actor calls async", and with `max_concurrency` 16 its "1:1 actor calls concurrent"
/// (the methods are stateless, so thread-safe).
double actor_calls_async(int count, int max_concurrency, const char* name) {
  const auto server = manta::actor<Server>().options({.max_concurrency = max_concurrency}).remote();
  std::vector<manta::ObjectRef<int>> refs;
  refs.reserve(static_cast<std::size_t>(count));
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) refs.push_back(server.call(&Server::small_value_arg).remote(i));
  const auto values = manta::get(refs);
  const double rate = count / seconds_since(start);
  check_answer(values.back() == count, name);
  return rate;
}

const auto call_servers = [](const manta::ActorHandle<Client>& client, int n) {
  return client.call(&Client::call_servers).remote(n);
};

/// Manta's actors run one call at a time (no max_concurrency), so Ray's 1:1 concurrent
/// benchmark becomes the contention it would relieve: four callers on one actor.
double many_callers_one_actor(int per_client) {
  return client_calls_per_second(clients(ray_client_count, servers(1)), per_client, per_client,
                                 call_servers);
}

double one_caller_many_actors(int per_server) {
  const int count = server_count();
  return client_calls_per_second(clients(1, servers(count)), per_server, count * per_server,
                                 call_servers);
}

double many_callers_many_actors(int per_caller) {
  const auto shared = servers(server_count());
  std::vector<manta::ObjectRef<int>> batches;
  const auto start = Clock::now();
  for (int i = 0; i < ray_client_count; ++i) {
    batches.push_back(manta::task(call_round_robin).remote(shared, per_caller));
  }
  const auto sums = manta::get(batches);
  const double rate = ray_client_count * static_cast<double>(per_caller) / seconds_since(start);
  for (const int sum : sums) check_answer(sum == per_caller, "n_n_actor_calls_async");
  return rate;
}

/// Ray's n:n with arg: each client calls a server of its own, passing a put object.
double many_pairs_with_arg(int per_client) {
  std::vector<manta::ActorHandle<Client>> pairs;
  for (const auto& server : servers(server_count())) {
    pairs.push_back(manta::actor<Client>().remote(Servers{server}));
  }
  return client_calls_per_second(pairs, per_client, per_client, [](const auto& client, int n) {
    return client.call(&Client::call_servers_with_arg).remote(n);
  });
}

double put_calls(int count) {
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) manta::put(0);
  return count / seconds_since(start);
}

double get_calls(int count) {
  const auto ref = manta::put(7);
  const auto start = Clock::now();
  long sum = 0;
  for (int i = 0; i < count; ++i) sum += manta::get(ref);
  const double rate = count / seconds_since(start);
  check_answer(sum == 7L * count, "single_client_get_calls");
  return rate;
}

/// GB/s of one put of 100 MB, into store pages an earlier put has touched (as memcpy_100mb's
/// target pages are): a store in use reuses its pages.
double put_gigabytes() {
  static const std::vector<char> data(bench::large_bytes, 3);
  static const bool warm = (manta::put(data), true);
  const auto start = Clock::now();
  const auto ref = manta::put(data);
  const double rate = static_cast<double>(data.size()) / seconds_since(start) / 1e9;
  check_answer(warm && manta::get_view(ref)[data.size() - 1] == 3, "single_client_put_gigabytes");
  return rate;
}

/// GB/s of a put of 100 MB that does not fit in the store (run with --object-store-memory 64M):
/// written into a spill file and paged out of the process.
double spill_put_gigabytes() {
  static const std::vector<char> data(bench::large_bytes, 5);
  const auto start = Clock::now();
  const auto ref = manta::put(data);
  const double rate = static_cast<double>(data.size()) / seconds_since(start) / 1e9;
  check_answer(manta::get_view(ref)[data.size() - 1] == 5, "spill_put_gigabytes");
  return rate;
}

/// GB/s of reading a spilled 100 MB object in place (get_view) and summing it: its pages come
/// back from the page cache.
double spill_get_gigabytes() {
  const auto ref = manta::put(std::vector<char>(bench::large_bytes, 6));
  const auto start = Clock::now();
  const auto view = manta::get_view(ref);
  const long sum = std::accumulate(view.begin(), view.end(), 0L);
  const double rate = static_cast<double>(view.size()) / seconds_since(start) / 1e9;
  check_answer(sum == 6L * static_cast<long>(bench::large_bytes), "spill_get_gigabytes");
  return rate;
}

std::vector<manta::ObjectRef<int>> submit_batch() {
  std::vector<manta::ObjectRef<int>> refs;
  refs.reserve(bench::batch_size);
  for (int i = 0; i < bench::batch_size; ++i) refs.push_back(manta::task(small_value).remote(i));
  return refs;
}

double tasks_and_get_batch(int batches) {
  const auto start = Clock::now();
  for (int b = 0; b < batches; ++b) {
    check_answer(manta::get(submit_batch()).back() == bench::batch_size, "a batch of 1,000");
  }
  return batches / seconds_since(start);
}

/// Ray's wait_multiple_refs: 1,000 tasks, then 1,000 waits for one more of them.
double wait_1k_refs(int batches) {
  const auto start = Clock::now();
  for (int b = 0; b < batches; ++b) {
    auto not_ready = submit_batch();
    for (int i = 0; i < bench::batch_size; ++i) {
      not_ready = manta::wait(std::move(not_ready)).not_ready;
    }
    check_answer(not_ready.empty(), "single_client_wait_1k_refs");
  }
  return batches / seconds_since(start);
}

std::atomic<bool> gate_open{false};

/// Holds its dependents back until gate_open: the ref they wait on stays unresolved.
int wait_for_gate() {
  while (!gate_open.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return 0;
}
MANTA_REMOTE(wait_for_gate);

int after_gate(int x, int /*gate*/) { return x; }
MANTA_REMOTE(after_gate);

/// Seconds to queue `count` tasks behind one unresolved ref, resolve it and drain them all.
double queued_tasks(int count) {
  std::vector<manta::ObjectRef<int>> refs;
  refs.reserve(static_cast<std::size_t>(count));
  gate_open = false;
  const auto gate = manta::task(wait_for_gate).remote();
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) refs.push_back(manta::task(after_gate).remote(i, gate));
  gate_open = true;
  const auto values = manta::get(refs);
  const double seconds = seconds_since(start);
  check_answer(values.back() == count - 1, "queued_tasks_1m");
  return seconds;
}

class Accumulator {
 public:
  int add(int x) { return total_ += x; }

 private:
  int total_ = 0;
};
MANTA_ACTOR(Accumulator, add);

/// Actors created per second, each having run its constructor and one call.
double actor_creation(int count) {
  std::vector<manta::ActorHandle<Accumulator>> actors;
  std::vector<manta::ObjectRef<int>> refs;
  actors.reserve(static_cast<std::size_t>(count));
  refs.reserve(static_cast<std::size_t>(count));
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    actors.push_back(manta::actor<Accumulator>().remote());
    refs.push_back(actors.back().call(&Accumulator::add).remote(1));
  }
  const auto values = manta::get(refs);
  const double rate = count / seconds_since(start);
  check_answer(values.back() == 1, "actor_creation_10k");
  return rate;
}

/// Ray's placement_group_create/removal: a one-bundle group created, waited for and removed.
double placement_group_create_removal(int count) {
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    auto group = manta::placement_group({{.num_cpus = 0.01}});
    check_answer(manta::get(group.ready()), "placement_group_create_removal");
    manta::remove_placement_group(group);
  }
  return count / seconds_since(start);
}

using bench::retrieve;
MANTA_REMOTE(retrieve);

/// The tutorial's parallel_run: its eight retrievals as tasks, then get them all.
double tutorial_parallel_runtime() {
  const auto start = Clock::now();
  std::vector<manta::ObjectRef<std::pair<int, std::string>>> refs;
  for (int item = 0; item < bench::tutorial_items; ++item) {
    refs.push_back(manta::task(retrieve).remote(item));
  }
  const auto data = manta::get(refs);
  const double seconds = seconds_since(start);
  check_answer(data.back().second == "Learning", "tutorial_parallel_runtime");
  return seconds;
}

}  // namespace

namespace bench {

std::vector<Measurement> manta_measurements(Scale scale) {
  const int tasks = scale.count(100'000), sync_calls = scale.count(10'000);
  const int per_client = scale.count(10'000), per_server = scale.count(5'000);
  const int batches = scale.count(20, 1);
  return {
      {"single_client_tasks_sync", "tasks/s", "thread_pool_tasks_sync",
       [=] { return tasks_sync(sync_calls); }},
      {"single_client_tasks_async", "tasks/s", "thread_pool_tasks_async",
       [=] { return tasks_async(tasks); }},
      {"process_tasks_sync", "tasks/s", "single_client_tasks_sync",
       [=] { return process_tasks_sync(sync_calls); }},
      {"process_tasks_async", "tasks/s", "single_client_tasks_async",
       [=] { return process_tasks_async(sync_calls); }},
      {"process_worker_replacements", "workers/s", "fork_wait_processes",
       [=] { return process_worker_replacements(scale.count(300)); }},
      {"process_actor_calls_sync", "calls/s", "1_1_actor_calls_sync",
       [=] { return process_actor_calls(sync_calls, true, "process_actor_calls_sync"); }},
      {"process_actor_calls_async", "calls/s", "1_1_actor_calls_async",
       [=] { return process_actor_calls(sync_calls, false, "process_actor_calls_async"); }},
      {"process_task_array_gigabytes", "GB/s", "memcpy_fresh_100mb",
       [] { return process_task_array_gigabytes(); }},
      {"multi_client_tasks_async", "tasks/s", "thread_pool_tasks_async",
       [=] { return multi_client_tasks(per_client); }},
      {"1_1_actor_calls_sync", "calls/s", "thread_pool_tasks_sync",
       [=] { return actor_calls_sync(sync_calls); }},
      {"1_1_actor_calls_async", "calls/s", "thread_pool_tasks_async",
       [=] { return actor_calls_async(tasks, 1, "1_1_actor_calls_async"); }},
      {"1_1_actor_calls_concurrent", "calls/s", "thread_pool_tasks_async",
       [=] { return actor_calls_async(tasks, 16, "1_1_actor_calls_concurrent"); }},
      {"n_1_actor_calls_async", "calls/s", "thread_pool_tasks_async",
       [=] { return many_callers_one_actor(per_client); }},
      {"1_n_actor_calls_async", "calls/s", "thread_pool_tasks_async",
       [=] { return one_caller_many_actors(per_server); }},
      {"n_n_actor_calls_async", "calls/s", "thread_pool_tasks_async",
       [=] { return many_callers_many_actors(per_server); }},
      {"n_n_actor_calls_with_arg_async", "calls/s", "thread_pool_tasks_async",
       [=] { return many_pairs_with_arg(scale.count(1'000)); }},
      {"single_client_put_calls", "puts/s", "heap_object_calls",
       [=] { return put_calls(scale.count(1'000'000)); }},
      {"single_client_get_calls", "gets/s", "future_get_calls",
       [=] { return get_calls(scale.count(1'000'000)); }},
      {"single_client_put_gigabytes", "GB/s", "memcpy_100mb", [] { return put_gigabytes(); }},
      {"single_client_tasks_and_get_batch", "batches/s", "thread_pool_batch_1k",
       [=] { return tasks_and_get_batch(batches); }},
      {"single_client_wait_1k_refs", "batches/s", "thread_pool_batch_1k",
       [=] { return wait_1k_refs(scale.count(5, 1)); }},
      {"actor_creation_10k", "actors/s", "thread_pool_tasks_async",
       [=] { return actor_creation(scale.count(10'000)); }},
      {"placement_group_create_removal", "groups/s", "thread_pool_tasks_sync",
       [=] { return placement_group_create_removal(sync_calls); }},
      {"queued_tasks_1m", "s", "thread_pool_queued_1m",
       [=] { return queued_tasks(scale.count(1'000'000)); }, true, true},
      {"nested_fib_25", "tasks/s", "sequential_fib_25", [] { return nested_fib_tasks(); }, true,
       false, true},
      {"tutorial_parallel_runtime", "s", "thread_parallel_runtime",
       [] { return tutorial_parallel_runtime(); }, true},
      {"spill_put_gigabytes", "GB/s", "file_write_fsync_100mb",
       [] { return spill_put_gigabytes(); }, true},
      {"spill_get_gigabytes", "GB/s", "file_read_100mb", [] { return spill_get_gigabytes(); },
       true},
  };
}

}  // namespace bench
