#include "util/timeline.hpp"

#include "util/mutex.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <new>
#include <utility>

namespace manta::util::timeline {
namespace detail {
std::atomic<bool> on{false};
}  // namespace detail
namespace {

constexpr std::size_t chunk_events = 4096;
/// Chunks a thread may fill: 16.7M events, far beyond any limit a user sets.
constexpr std::size_t max_chunks = 4096;

/// One thread's events. Only its thread appends; collect() reads what `size` publishes.
struct Buffer {
  Buffer(std::uint32_t thread_id, std::size_t max_events) : id(thread_id), limit(max_events) {}

  void append(const Event& event) noexcept {
    const std::size_t index = size.load(std::memory_order_relaxed);
    if (index >= limit) {
      dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    auto& chunk = chunks[index / chunk_events];
    Event* events = chunk.load(std::memory_order_relaxed);
    if (events == nullptr) {
      events = new (std::nothrow) Event[chunk_events];
      if (events == nullptr) {
        dropped.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      chunk.store(events, std::memory_order_release);
    }
    events[index % chunk_events] = event;
    size.store(index + 1, std::memory_order_release);
  }

  ~Buffer() {
    for (auto& chunk : chunks) delete[] chunk.load(std::memory_order_relaxed);
  }

  const std::uint32_t id;
  const std::size_t limit;
  std::atomic<std::size_t> size{0};
  std::atomic<std::uint64_t> dropped{0};
  std::array<std::atomic<Event*>, max_chunks> chunks{};
  Mutex name_mutex;
  std::string name MANTA_GUARDED_BY(name_mutex);
};

/// The buffers of the timeline now recording; they outlive their threads until the next enable.
struct Registry {
  Mutex mutex;
  std::uint64_t generation MANTA_GUARDED_BY(mutex) = 0;
  std::vector<std::unique_ptr<Buffer>> buffers MANTA_GUARDED_BY(mutex);
  std::size_t limit MANTA_GUARDED_BY(mutex) = 0;
  std::chrono::steady_clock::time_point epoch;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

std::atomic<std::uint64_t> current_generation{0};

struct ThreadSlot {
  Buffer* buffer = nullptr;
  std::uint64_t generation = 0;
  std::string name;  ///< kept across timelines: a thread names itself once
};
thread_local ThreadSlot slot;

/// The calling thread's buffer in the current timeline, registered on first use.
Buffer* own_buffer() {
  const std::uint64_t generation = current_generation.load(std::memory_order_acquire);
  if (slot.buffer != nullptr && slot.generation == generation) return slot.buffer;
  Registry& shared = registry();
  LockGuard lock(shared.mutex);
  if (shared.generation != generation) return nullptr;  // disabled meanwhile
  auto buffer =
      std::make_unique<Buffer>(static_cast<std::uint32_t>(shared.buffers.size()), shared.limit);
  {
    LockGuard name_lock(buffer->name_mutex);
    buffer->name = slot.name;
  }
  slot = {buffer.get(), generation, slot.name};
  shared.buffers.push_back(std::move(buffer));
  return slot.buffer;
}

}  // namespace

void enable(std::chrono::steady_clock::time_point epoch, std::size_t max_events_per_thread) {
  Registry& shared = registry();
  LockGuard lock(shared.mutex);
  shared.buffers.clear();
  shared.limit = std::min(max_events_per_thread, chunk_events * max_chunks);
  shared.epoch = epoch;
  shared.generation = current_generation.load() + 1;
  current_generation.store(shared.generation, std::memory_order_release);
  detail::on.store(true, std::memory_order_release);
}

void disable() noexcept { detail::on.store(false, std::memory_order_release); }

std::vector<Track> collect() {
  Registry& shared = registry();
  LockGuard lock(shared.mutex);
  std::vector<Track> tracks;
  for (const auto& buffer : shared.buffers) {
    Track track;
    track.thread_id = buffer->id;
    {
      LockGuard name_lock(buffer->name_mutex);
      track.thread_name =
          buffer->name.empty() ? "thread " + std::to_string(buffer->id) : buffer->name;
    }
    const std::size_t size = buffer->size.load(std::memory_order_acquire);
    track.events.reserve(size);
    for (std::size_t index = 0; index < size; ++index) {
      const Event* events = buffer->chunks[index / chunk_events].load(std::memory_order_acquire);
      track.events.push_back(events[index % chunk_events]);
    }
    track.dropped = buffer->dropped.load(std::memory_order_relaxed);
    tracks.push_back(std::move(track));
  }
  return tracks;
}

void name_thread(std::string name) {
  slot.name = std::move(name);
  if (slot.buffer != nullptr && slot.generation == current_generation.load()) {
    LockGuard lock(slot.buffer->name_mutex);
    slot.buffer->name = slot.name;
  }
}

const std::string& thread_name() noexcept { return slot.name; }

std::int64_t ns_of(std::chrono::steady_clock::time_point time) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time - registry().epoch).count();
}

std::int64_t now_ns() noexcept { return ns_of(std::chrono::steady_clock::now()); }

void record(const Event& event) noexcept {
  if (!enabled()) return;
  Buffer* buffer = nullptr;
  try {
    buffer = own_buffer();
  } catch (...) {
    return;  // out of memory registering: the event is lost, the work is not
  }
  if (buffer != nullptr) buffer->append(event);
}

void Span::flow_out(std::uint64_t id) noexcept {
  if (!active_) return;
  Event start;
  start.kind = Kind::flow_start;
  start.id = id;
  start.start_ns = start.end_ns = now_ns();
  record(start);
}

void Span::flow_in(std::uint64_t id) noexcept {
  if (!active_) return;
  Event arrival;
  arrival.kind = Kind::flow_end;
  arrival.id = id;
  arrival.start_ns = arrival.end_ns = event_.start_ns;
  record(arrival);
}

}  // namespace manta::util::timeline
