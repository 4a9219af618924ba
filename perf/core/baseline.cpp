// Baselines: the same work as manta.cpp without Manta, on this machine, in the same run.
//   memcpy_100mb            the copy a put of 100 MB must at least make
//   memcpy_fresh_100mb      the same copy into memory never touched before, as every new value
//                           of 100 MB (a task's argument or result) needs: page faults included
//   thread_pool_*           the plainest C++ runtime for small tasks: one queue under one
//                           mutex, as many threads as Manta has CPU slots, a std::promise per
//                           task; what a hand-written pool pays per task and per round trip
//   heap_object_calls       one reference-counted heap object, the least a put creates
//   future_get_calls        reading a ready std::shared_future, the least a get does
//   thread_parallel_runtime the tutorial's eight retrievals on eight std::threads
//   file_write_fsync_100mb  dd-style: 100 MB written to a new file where spill files go, synced
//   file_read_100mb         the same bytes read back with pread (from the page cache, as a
//                           spilled object just written is) and summed
#include "../common/results.hpp"
#include "bench.hpp"

#include <manta/manta.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <numeric>

namespace bench {
namespace {

/// A fixed set of threads taking jobs from one queue; a job computes small_value(argument) into
/// its promise. Created held, it queues jobs without running them until release().
class ThreadPool {
 public:
  enum class Start { running, held };

  ThreadPool(int threads, Start start) : held_(start == Start::held) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
  }
  ~ThreadPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto& thread : threads_) thread.join();
  }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::future<int> submit(int argument) {
    std::promise<int> result;
    auto future = result.get_future();
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back({argument, std::move(result)});
    }
    ready_.notify_one();
    return future;
  }

  /// Lets a held pool run its jobs.
  void release() {
    {
      std::lock_guard lock(mutex_);
      held_ = false;
    }
    ready_.notify_all();
  }

 private:
  struct Job {
    int argument;
    std::promise<int> result;
  };

  void work() {
    std::unique_lock lock(mutex_);
    while (true) {
      ready_.wait(lock, [this] { return stopping_ || (!held_ && !jobs_.empty()); });
      if (jobs_.empty() || held_) return;  // stopping, nothing left to run
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job.result.set_value(small_value(job.argument));
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> jobs_;   ///< guarded by mutex_
  bool held_;              ///< guarded by mutex_
  bool stopping_ = false;  ///< guarded by mutex_
  std::vector<std::thread> threads_;
};

/// As many threads as Manta has CPU slots.
int pool_threads() { return std::max(1, static_cast<int>(manta::num_cpus())); }

double pool_tasks_async(int count) {
  ThreadPool pool(pool_threads(), ThreadPool::Start::running);
  std::vector<std::future<int>> futures;
  futures.reserve(static_cast<std::size_t>(count));
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) futures.push_back(pool.submit(i));
  int last = 0;
  for (auto& future : futures) last = future.get();
  const double rate = count / seconds_since(start);
  check_answer(last == count, "thread_pool_tasks_async");
  return rate;
}

double pool_tasks_sync(int count) {
  ThreadPool pool(pool_threads(), ThreadPool::Start::running);
  const auto start = Clock::now();
  int sum = 0;
  for (int i = 0; i < count; ++i) sum += pool.submit(0).get();
  const double rate = count / seconds_since(start);
  check_answer(sum == count, "thread_pool_tasks_sync");
  return rate;
}

/// fork() of this process, whose child exits at once, and waitpid: the floor under a worker
/// process's replacement.
double fork_wait_processes(int count) {
  const auto start = Clock::now();
  int exited = 0;
  for (int i = 0; i < count; ++i) {
    const pid_t child = fork();
    if (child == 0) _exit(0);
    int status = 0;
    if (child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status)) ++exited;
  }
  const double rate = count / seconds_since(start);
  check_answer(exited == count, "fork_wait_processes");
  return rate;
}

double pool_batches(int batches) {
  ThreadPool pool(pool_threads(), ThreadPool::Start::running);
  std::vector<std::future<int>> futures;
  futures.reserve(batch_size);
  const auto start = Clock::now();
  for (int b = 0; b < batches; ++b) {
    futures.clear();
    for (int i = 0; i < batch_size; ++i) futures.push_back(pool.submit(i));
    int last = 0;
    for (auto& future : futures) last = future.get();
    check_answer(last == batch_size, "thread_pool_batch_1k");
  }
  return batches / seconds_since(start);
}

/// Seconds to queue `count` jobs in a held pool, release it and drain them all.
double pool_queued(int count) {
  ThreadPool pool(pool_threads(), ThreadPool::Start::held);
  std::vector<std::future<int>> futures;
  futures.reserve(static_cast<std::size_t>(count));
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) futures.push_back(pool.submit(i));
  pool.release();
  int last = 0;
  for (auto& future : futures) last = future.get();
  const double seconds = seconds_since(start);
  check_answer(last == count, "thread_pool_queued_1m");
  return seconds;
}

double heap_object_calls(int count) {
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) escape(std::make_shared<int>(0).get());
  return count / seconds_since(start);
}

double future_get_calls(int count) {
  std::promise<int> promise;
  const std::shared_future<int> ready = promise.get_future().share();
  promise.set_value(7);
  const auto start = Clock::now();
  long sum = 0;
  for (int i = 0; i < count; ++i) sum += ready.get();
  const double rate = count / seconds_since(start);
  check_answer(sum == 7L * count, "future_get_calls");
  return rate;
}

/// memcpy of 100 MB between buffers touched before (the store reuses warm pages the same way).
double memcpy_gigabytes() {
  static const std::unique_ptr<char[]> source(new char[large_bytes]);
  static const std::unique_ptr<char[]> target(new char[large_bytes]);
  static const bool warm =
      (std::memset(source.get(), 1, large_bytes), std::memset(target.get(), 0, large_bytes), true);
  const auto start = Clock::now();
  std::memcpy(target.get(), source.get(), large_bytes);
  const double rate = static_cast<double>(large_bytes) / seconds_since(start) / 1e9;
  check_answer(warm && target[large_bytes - 1] == 1, "memcpy_100mb");
  return rate;
}

/// memcpy of 100 MB into a new vector, whose pages the copy faults in.
double memcpy_fresh_gigabytes() {
  static const std::vector<char> source(large_bytes, 1);
  const auto start = Clock::now();
  const std::vector<char> target(source);
  const double rate = static_cast<double>(large_bytes) / seconds_since(start) / 1e9;
  check_answer(target[large_bytes - 1] == 1, "memcpy_fresh_100mb");
  return rate;
}

/// A new unlinked file in the directory spill files go to by default ($TMPDIR, else /tmp).
int temporary_file() {
  const char* directory = std::getenv("TMPDIR");
  const int descriptor = open(directory != nullptr && *directory != '\0' ? directory : "/tmp",
                              O_TMPFILE | O_RDWR, 0600);
  check_answer(descriptor >= 0, "temporary_file");
  return descriptor;
}

void write_all(int descriptor, const std::vector<char>& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t written =
        pwrite(descriptor, data.data() + done, data.size() - done, static_cast<off_t>(done));
    check_answer(written > 0, "write_all");
    done += static_cast<std::size_t>(written);
  }
}

double file_write_gigabytes() {
  static const std::vector<char> data(large_bytes, 7);
  const int descriptor = temporary_file();
  const auto start = Clock::now();
  write_all(descriptor, data);
  check_answer(fdatasync(descriptor) == 0, "file_write_fsync_100mb");
  const double rate = static_cast<double>(large_bytes) / seconds_since(start) / 1e9;
  close(descriptor);
  return rate;
}

double file_read_gigabytes() {
  static const std::vector<char> data(large_bytes, 8);
  static std::vector<char> target(large_bytes, 0);
  const int descriptor = temporary_file();
  write_all(descriptor, data);
  const auto start = Clock::now();
  std::size_t done = 0;
  while (done < large_bytes) {
    const ssize_t got =
        pread(descriptor, target.data() + done, large_bytes - done, static_cast<off_t>(done));
    check_answer(got > 0, "file_read_100mb");
    done += static_cast<std::size_t>(got);
  }
  const long sum = std::accumulate(target.begin(), target.end(), 0L);
  const double rate = static_cast<double>(large_bytes) / seconds_since(start) / 1e9;
  close(descriptor);
  check_answer(sum == 8L * static_cast<long>(large_bytes), "file_read_100mb");
  return rate;
}

double thread_parallel_runtime() {
  const auto start = Clock::now();
  std::vector<std::future<std::pair<int, std::string>>> results;
  for (int item = 0; item < tutorial_items; ++item) {
    results.push_back(std::async(std::launch::async, retrieve, item));
  }
  std::string last;
  for (auto& result : results) last = result.get().second;
  const double seconds = seconds_since(start);
  check_answer(last == "Learning", "thread_parallel_runtime");
  return seconds;
}

/// The same recursion as plain calls on one thread.
[[gnu::noinline]] int sequential_fib(int n) {
  if (n < 2) return n;
  return sequential_fib(n - 1) + sequential_fib(n - 2);
}

double sequential_fib_calls() {
  int argument = fib_argument;
  escape(&argument);  // computed at run time, not folded
  const auto start = Clock::now();
  const int value = sequential_fib(argument);
  const double rate = fib_calls / seconds_since(start);
  check_answer(value == fib_value, "sequential_fib_25");
  return rate;
}

}  // namespace

std::vector<Measurement> baseline_measurements(Scale scale) {
  return {
      {"memcpy_100mb", "GB/s", "", [] { return memcpy_gigabytes(); }},
      {"memcpy_fresh_100mb", "GB/s", "", [] { return memcpy_fresh_gigabytes(); }},
      {"thread_pool_tasks_sync", "tasks/s", "",
       [=] { return pool_tasks_sync(scale.count(10'000)); }},
      {"thread_pool_tasks_async", "tasks/s", "",
       [=] { return pool_tasks_async(scale.count(100'000)); }},
      {"thread_pool_batch_1k", "batches/s", "", [=] { return pool_batches(scale.count(20, 1)); }},
      {"fork_wait_processes", "processes/s", "",
       [=] { return fork_wait_processes(scale.count(300)); }},
      {"heap_object_calls", "objects/s", "",
       [=] { return heap_object_calls(scale.count(1'000'000)); }},
      {"future_get_calls", "gets/s", "", [=] { return future_get_calls(scale.count(1'000'000)); }},
      {"thread_pool_queued_1m", "s", "", [=] { return pool_queued(scale.count(1'000'000)); }, true,
       true},
      {"thread_parallel_runtime", "s", "", [] { return thread_parallel_runtime(); }, true},
      {"sequential_fib_25", "calls/s", "", [] { return sequential_fib_calls(); }, true},
      {"file_write_fsync_100mb", "GB/s", "", [] { return file_write_gigabytes(); }, true},
      {"file_read_100mb", "GB/s", "", [] { return file_read_gigabytes(); }, true},
  };
}

}  // namespace bench
