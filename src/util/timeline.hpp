/// @file util/timeline.hpp
/// @brief What each thread of a rank did and when, for `--timeline`: spans (a task, an actor
/// call, a blocking get or wait, an RMA get of object bytes, a checkpoint) and the two ends of
/// flows (a task submitted here and run on another rank). Each thread appends to a buffer of its
/// own, with no lock and no allocation on the way but one chunk every few thousand events; off,
/// recording costs one atomic load. The runtime collects the buffers at the end (core's
/// timeline_file writes them as one Chrome trace for the whole job).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace manta::util::timeline {

enum class Kind : std::uint8_t {
  task,        ///< a task running (name: its function)
  actor_call,  ///< an actor's method, or its constructor, running
  blocked,     ///< a get or wait that had to wait (name: "get" or "wait")
  transfer,    ///< object bytes read from another rank (peer, bytes)
  checkpoint,  ///< this rank's part of a checkpoint round
  submit,      ///< a task sent to another rank (peer): a flow starts in it
  flow_start,  ///< a flow leaves (id): bound to the span around it
  flow_end,    ///< a flow arrives (id): bound to the span that starts at it
};

/// One thing a thread did. `name` is a string that outlives the runtime (a registered
/// function's or method's name, or a literal): events are recorded by pointer.
struct Event {
  const char* name = "";
  std::int64_t start_ns = 0;  ///< since the timeline's epoch (enable())
  std::int64_t end_ns = 0;    ///< == start_ns for flow ends
  std::uint64_t id = 0;       ///< flow id, or task/call id
  std::uint64_t bytes = 0;
  std::int32_t peer = -1;
  Kind kind = Kind::task;
  bool failed = false;
};

/// What one thread recorded.
struct Track {
  std::string thread_name;  ///< as the thread named itself, or "thread <n>"
  std::uint32_t thread_id = 0;
  std::vector<Event> events;
  std::uint64_t dropped = 0;  ///< past the per-thread limit, not kept
};

/// Whether recording is on (one atomic load: the cost of a span when it is off).
inline bool enabled() noexcept;

/// Starts recording into fresh buffers; `epoch` is time 0 of the events. Each thread keeps at
/// most `max_events_per_thread` events and counts what it drops beyond.
void enable(std::chrono::steady_clock::time_point epoch, std::size_t max_events_per_thread);
/// Stops recording; collect() still reads what was recorded.
void disable() noexcept;
/// Every thread's events so far. Safe while threads still record (what they add meanwhile may
/// be missed): the requeue exit collects with workers running.
std::vector<Track> collect();

/// Names the calling thread's track ("worker 3", "progress").
void name_thread(std::string name);
/// The calling thread's name ("" if it gave itself none).
const std::string& thread_name() noexcept;

/// Nanoseconds since the epoch.
std::int64_t now_ns() noexcept;
/// `time` in nanoseconds since the epoch.
std::int64_t ns_of(std::chrono::steady_clock::time_point time) noexcept;
/// Appends `event` to the calling thread's buffer (when enabled()).
void record(const Event& event) noexcept;

/// @brief A span from construction to destruction, recorded when it ends; nothing when the
/// timeline is off at its start.
class Span {
 public:
  Span(Kind kind, const char* name, std::uint64_t id = 0) noexcept {
    if (enabled()) {
      event_.kind = kind;
      event_.name = name;
      event_.id = id;
      event_.start_ns = now_ns();
      active_ = true;
    }
  }
  ~Span() {
    if (active_) {
      event_.end_ns = now_ns();
      record(event_);
    }
  }
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

  void set_failed() noexcept { event_.failed = true; }
  void set_transfer(int peer, std::uint64_t bytes) noexcept {
    event_.peer = peer;
    event_.bytes = bytes;
  }
  /// Records a flow leaving now (`id`, unique in the job), inside this span.
  void flow_out(std::uint64_t id) noexcept;
  /// Records flow `id` arriving at this span's start (what a viewer binds to the span).
  void flow_in(std::uint64_t id) noexcept;

 private:
  Event event_;
  bool active_ = false;
};

/// A flow's id in the job: the submitting rank's object (`owner_rank`, `sequence`).
constexpr std::uint64_t flow_id(int owner_rank, std::uint64_t sequence) noexcept {
  return (static_cast<std::uint64_t>(owner_rank) << 44) ^ sequence;
}

namespace detail {
extern std::atomic<bool> on;
}  // namespace detail

inline bool enabled() noexcept { return detail::on.load(std::memory_order_acquire); }

}  // namespace manta::util::timeline
