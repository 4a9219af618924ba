/// @file test_support.hpp
/// @brief Helpers shared by the API tests: runtime options, the rank a test expects, resident
/// memory, a gate that holds tasks back, and a probe that counts tasks running at once.
#pragma once

#include "../../support/process_memory.hpp"

#include <manta/manta.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace manta_test {

using namespace std::chrono_literals;

/// A runtime of `cpus` CPU slots with a small object store (it is touched lazily anyway).
inline manta::RuntimeOptions runtime_options(double cpus) {
  return {.num_cpus = cpus, .object_store_memory = std::size_t{256} << 20};
}

/// A rank with 4 CPUs, 2 (pretend) GPUs, 1 GiB of memory and 2 "sim" slots.
inline manta::RuntimeOptions gpu_rank_options() {
  auto options = runtime_options(4);
  options.num_gpus = 2;
  options.memory = std::size_t{1} << 30;
  options.resources = {{"sim", 2}};
  return options;
}

/// Everything a gpu_rank_options() rank has, as available_resources() shows it when idle.
inline std::map<std::string, double> gpu_rank_totals() {
  return {{"CPU", 4}, {"GPU", 2}, {"memory", double(std::size_t{1} << 30)}, {"sim", 2}};
}

/// Waits (up to 10 s) for this rank's free resources to become `expected`: work gives them
/// back just after its result is set.
inline void expect_free(const std::map<std::string, double>& expected) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (manta::available_resources() != expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(manta::available_resources(), expected);
}

/// The rank this process should see: the launcher's, or 0 for a process started alone.
inline int expected_rank() {
  const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
  return rank != nullptr ? std::atoi(rank) : 0;
}

/// The job size this process should see: the launcher's, or 1.
inline int expected_world_size() {
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  return size != nullptr ? std::atoi(size) : 1;
}

/// A rank of this job: where a task ran, which on several ranks may be any of them.
inline void expect_rank_of_job(int rank) {
  EXPECT_GE(rank, 0);
  EXPECT_LT(rank, expected_world_size());
}

/// Whether resident memory tells if memory was freed: not under AddressSanitizer, whose quarantine
/// keeps freed blocks (LeakSanitizer checks for leaks there instead).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool resident_memory_is_meaningful = false;
#else
inline constexpr bool resident_memory_is_meaningful = true;
#endif

using manta::testing::resident_bytes;

/// "1cpu", "2cpus", "0_5cpus": parameter names for tests swept over the runtime's CPUs.
inline std::string cpus_name(const ::testing::TestParamInfo<double>& info) {
  std::string number = std::to_string(info.param);
  number.erase(number.find_last_not_of('0') + 1);
  if (number.back() == '.') number.pop_back();
  std::replace(number.begin(), number.end(), '.', '_');
  return number + (info.param == 1.0 ? "cpu" : "cpus");
}

/// @brief Holds tasks back until opened. Tasks call pass(); a test closes it before submitting
/// and opens it when they may finish. pass() gives up after 60 s so a failing test cannot hang.
class Gate {
 public:
  void close() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }
  /// Blocks until the gate is open; false if it stayed closed for 60 s.
  bool pass() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 60s, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = true;
};

/// Opens `gate` when destroyed, so that a failed assertion never leaves tasks blocked forever
/// (the runtime's destructor waits for them).
class GateOpener {
 public:
  explicit GateOpener(Gate& gate) : gate_(gate) {}
  ~GateOpener() { gate_.open(); }
  GateOpener(const GateOpener&) = delete;
  GateOpener& operator=(const GateOpener&) = delete;

 private:
  Gate& gate_;
};

/// @brief Counts tasks running at once and remembers the peak.
class ConcurrencyProbe {
 public:
  void reset() {
    running_ = 0;
    peak_ = 0;
  }
  /// Marks one task running, then waits (up to 2 s) until `partners` tasks run at once so the
  /// peak reflects the limit rather than the timing, then holds a little longer before leaving.
  void run_with(int partners) {
    const int now = running_.fetch_add(1) + 1;
    int peak = peak_.load();
    while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
    }
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (running_.load() < partners && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    std::this_thread::sleep_for(10ms);
    record_peak();
    running_.fetch_sub(1);
  }
  int running() const { return running_.load(); }
  int peak() const { return peak_.load(); }

 private:
  void record_peak() {
    const int now = running_.load();
    int peak = peak_.load();
    while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
    }
  }

  std::atomic<int> running_{0};
  std::atomic<int> peak_{0};
};

}  // namespace manta_test
