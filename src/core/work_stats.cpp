#include "core/work_stats.hpp"

#include <algorithm>
#include <chrono>
#include <map>

namespace manta::core {
namespace {

std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Adds to a counter only its own thread writes (no read-modify-write needed).
template <class T>
void add(std::atomic<T>& counter, T amount) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
}

std::atomic<std::uint64_t> next_serial{1};

/// The calling thread's record in the WorkStats of serial `serial`.
struct OwnRecord {
  std::uint64_t serial = 0;
  void* thread = nullptr;
};
thread_local OwnRecord own_record;

}  // namespace

struct WorkStats::Counters {
  bool actor_call = false;
  std::atomic<std::uint64_t> running{0};
  std::atomic<std::uint64_t> finished{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> retried{0};
  std::atomic<std::int64_t> total_ns{0};
  std::atomic<std::int64_t> max_ns{0};
};

struct WorkStats::Thread {
  /// Runs nested deeper than this on one thread are counted, not listed.
  static constexpr std::uint32_t listed_depth = 32;

  struct Frame {
    std::atomic<const char*> name{nullptr};
    std::atomic<std::int64_t> start_ns{0};
    std::atomic<bool> actor_call{false};
  };

  explicit Thread(std::string thread_name) : name(std::move(thread_name)) {}

  /// The counters of `function`, made on first use; the owner only.
  Counters& counters(const char* function, bool actor_call) {
    if (function != last_function) {
      util::LockGuard lock(mutex);
      last_counters = &functions[function];
      last_counters->actor_call = actor_call;
      last_function = function;
    }
    return *last_counters;
  }

  const std::string name;
  util::Mutex mutex;  ///< the owner inserts under it, readers iterate under it
  std::unordered_map<const char*, Counters> functions MANTA_GUARDED_BY(mutex);
  const char* last_function = nullptr;  ///< owner only
  Counters* last_counters = nullptr;    ///< owner only
  /// Runs on the stack; only the owner writes it. A pop needs no sequence: the frames below stay.
  std::atomic<std::uint32_t> depth{0};
  /// Odd while the owner writes a frame (a sequence lock: readers retry).
  std::atomic<std::uint32_t> sequence{0};
  std::array<Frame, listed_depth> frames;
};

WorkStats::WorkStats() : serial_(next_serial.fetch_add(1)) {}
WorkStats::~WorkStats() = default;

WorkStats::Thread& WorkStats::own_thread() {
  if (own_record.serial == serial_) return *static_cast<Thread*>(own_record.thread);
  std::string name = util::timeline::thread_name();
  util::LockGuard lock(mutex_);
  if (name.empty()) name = "thread " + std::to_string(threads_.size());
  threads_.push_back(std::make_unique<Thread>(std::move(name)));
  own_record = {serial_, threads_.back().get()};
  return *threads_.back();
}

WorkStats::Run::Run(WorkStats& stats, util::timeline::Kind kind, const char* name, std::uint64_t id)
    : label_(name),
      span_(kind, name, id),
      thread_(&stats.own_thread()),
      counters_(&thread_->counters(name, kind == util::timeline::Kind::actor_call)),
      start_ns_(now_ns()) {
  add(counters_->running, std::uint64_t{1});
  const std::uint32_t depth = thread_->depth.load(std::memory_order_relaxed);
  if (depth >= Thread::listed_depth) {
    thread_->depth.store(depth + 1, std::memory_order_release);
    return;
  }
  const std::uint32_t sequence = thread_->sequence.load(std::memory_order_relaxed);
  // Release stores and acquire loads instead of fences (which ThreadSanitizer does not model): a
  // reader that sees a field of this change also sees the odd sequence before it.
  thread_->sequence.store(sequence + 1, std::memory_order_relaxed);
  auto& frame = thread_->frames[depth];
  frame.name.store(name, std::memory_order_release);
  frame.start_ns.store(start_ns_, std::memory_order_release);
  frame.actor_call.store(counters_->actor_call, std::memory_order_release);
  thread_->depth.store(depth + 1, std::memory_order_release);
  thread_->sequence.store(sequence + 2, std::memory_order_release);
}

WorkStats::Run::~Run() {
  const std::int64_t took = now_ns() - start_ns_;
  thread_->depth.store(thread_->depth.load(std::memory_order_relaxed) - 1,
                       std::memory_order_release);
  counters_->running.store(counters_->running.load(std::memory_order_relaxed) - 1,
                           std::memory_order_relaxed);
  switch (outcome_) {
    case Outcome::finished:
      add(counters_->finished, std::uint64_t{1});
      break;
    case Outcome::failed:
      add(counters_->failed, std::uint64_t{1});
      break;
    case Outcome::retried:
      add(counters_->retried, std::uint64_t{1});
      break;
  }
  add(counters_->total_ns, took);
  if (took > counters_->max_ns.load(std::memory_order_relaxed)) {
    counters_->max_ns.store(took, std::memory_order_relaxed);
  }
}

void WorkStats::Run::failed() noexcept {
  span_.set_failed();
  outcome_ = Outcome::failed;
}

void WorkStats::Run::retried() noexcept {
  span_.set_failed();
  outcome_ = Outcome::retried;
}

std::vector<FunctionSummary> WorkStats::functions() const {
  std::map<std::string, FunctionSummary> by_name;
  util::LockGuard lock(mutex_);
  for (const auto& thread : threads_) {
    util::LockGuard thread_lock(thread->mutex);
    for (const auto& [function, counters] : thread->functions) {
      const auto seconds = [](const std::atomic<std::int64_t>& ns) {
        return static_cast<double>(ns.load(std::memory_order_relaxed)) * 1e-9;
      };
      const FunctionSummary counted{function,
                                    counters.actor_call,
                                    counters.running.load(std::memory_order_relaxed),
                                    counters.finished.load(std::memory_order_relaxed),
                                    counters.failed.load(std::memory_order_relaxed),
                                    counters.retried.load(std::memory_order_relaxed),
                                    seconds(counters.total_ns),
                                    seconds(counters.max_ns)};
      const auto [summary, first] = by_name.try_emplace(function, counted);
      if (!first) summary->second += counted;
    }
  }
  std::vector<FunctionSummary> functions;
  for (auto& [name, summary] : by_name) functions.push_back(std::move(summary));
  return functions;
}

std::vector<RunningTask> WorkStats::running(int rank) const {
  struct Seen {
    const char* name;
    std::int64_t start_ns;
    bool actor_call;
  };
  std::vector<RunningTask> running;
  const std::int64_t now = now_ns();
  util::LockGuard lock(mutex_);
  for (const auto& thread : threads_) {
    std::array<Seen, Thread::listed_depth> seen{};
    std::uint32_t depth = 0;
    // A reader that keeps meeting the owner mid-change gives up on this thread's stack.
    for (int attempt = 0; attempt < 1000; ++attempt) {
      const std::uint32_t before = thread->sequence.load(std::memory_order_acquire);
      if (before % 2 != 0) continue;
      depth = std::min(thread->depth.load(std::memory_order_acquire), Thread::listed_depth);
      for (std::uint32_t i = 0; i < depth; ++i) {
        const auto& frame = thread->frames[i];
        seen[i] = {frame.name.load(std::memory_order_acquire),
                   frame.start_ns.load(std::memory_order_acquire),
                   frame.actor_call.load(std::memory_order_acquire)};
      }
      if (thread->sequence.load(std::memory_order_relaxed) == before) break;
      depth = 0;
    }
    for (std::uint32_t i = 0; i < depth; ++i) {
      running.push_back({rank, thread->name, seen[i].name, seen[i].actor_call,
                         static_cast<double>(now - seen[i].start_ns) * 1e-9, static_cast<int>(i)});
    }
  }
  return running;
}

}  // namespace manta::core
