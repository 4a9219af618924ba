#include "core/timeline_file.hpp"

#include "util/log.hpp"
#include "util/output_file.hpp"
#include "util/timeline.hpp"

#include <manta/error.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <vector>

namespace manta::core {
namespace {

namespace timeline = util::timeline;
using nlohmann::json;

const char* category_of(timeline::Kind kind) {
  switch (kind) {
    case timeline::Kind::task:
      return "task";
    case timeline::Kind::actor_call:
      return "actor";
    case timeline::Kind::blocked:
      return "blocked";
    case timeline::Kind::transfer:
      return "transfer";
    case timeline::Kind::checkpoint:
      return "checkpoint";
    case timeline::Kind::submit:
      return "submit";
    case timeline::Kind::flow_start:
    case timeline::Kind::flow_end:
      return "flow";
  }
  return "other";
}

/// Microseconds, the unit of the format, kept to the nanosecond.
double micros(std::int64_t nanoseconds) { return static_cast<double>(nanoseconds) / 1000.0; }

json event_json(const timeline::Event& event, int rank, std::uint32_t thread) {
  json out{{"pid", rank}, {"tid", thread}, {"ts", micros(event.start_ns)}};
  out["cat"] = category_of(event.kind);
  if (event.kind == timeline::Kind::flow_start || event.kind == timeline::Kind::flow_end) {
    // A start binds to the span around it (the submission), an end to the span that starts at
    // it (the task on the other rank).
    out["name"] = "task";
    out["ph"] = event.kind == timeline::Kind::flow_start ? "s" : "f";
    out["id"] = event.id;
    return out;
  }
  out["name"] = event.name != nullptr ? event.name : "?";
  out["ph"] = "X";
  out["dur"] = micros(event.end_ns - event.start_ns);
  json args = json::object();
  if (event.id != 0) args["id"] = event.id;
  if (event.peer >= 0) args[event.kind == timeline::Kind::submit ? "to rank" : "rank"] = event.peer;
  if (event.bytes != 0) {
    args["bytes"] = event.bytes;
    if (event.end_ns > event.start_ns) {
      args["GB/s"] =
          static_cast<double>(event.bytes) / static_cast<double>(event.end_ns - event.start_ns);
    }
  }
  if (event.failed) args["failed"] = true;
  if (!args.empty()) out["args"] = std::move(args);
  return out;
}

json metadata(const char* name, int rank, json args) {
  return json{{"name", name}, {"ph", "M"}, {"pid", rank}, {"args", std::move(args)}};
}

/// This rank's part of the file: its events, comma-separated, and how many it dropped.
std::string format_rank(int rank, const std::string& hostname, std::size_t& events,
                        std::uint64_t& dropped) {
  std::string text;
  const auto append = [&text](const json& item) {
    if (!text.empty()) text += ",\n";
    text += item.dump();
  };
  append(metadata("process_name", rank,
                  {{"name", "rank " + std::to_string(rank) + " (" + hostname + ")"}}));
  append(metadata("process_sort_index", rank, {{"sort_index", rank}}));
  for (const auto& track : timeline::collect()) {
    json name = metadata("thread_name", rank, {{"name", track.thread_name}});
    name["tid"] = track.thread_id;
    append(name);
    for (const auto& event : track.events) append(event_json(event, rank, track.thread_id));
    events += track.events.size();
    dropped += track.dropped;
  }
  return text;
}

}  // namespace

void start_timeline() {
  timeline::enable(std::chrono::steady_clock::now(), timeline_events_per_thread);
}

std::size_t write_timeline(const transport::Communicator& comm, const std::filesystem::path& file,
                           const std::string& hostname) {
  timeline::disable();
  std::size_t events = 0;
  std::uint64_t dropped = 0;
  const std::string part = format_rank(comm.rank(), hostname, events, dropped);
  if (dropped > 0) {
    util::log().warn("timeline: {} events past the limit of {} per thread were not kept", dropped,
                     timeline_events_per_thread);
  }
  const auto total_dropped = comm.sum(static_cast<std::int64_t>(dropped));
  const auto total_events = comm.sum(static_cast<std::int64_t>(events));
  const auto parts = comm.gather(part);
  if (comm.rank() != 0) return events;
  util::replace_file(file, [&](std::ostream& out) {
    out << "{\"displayTimeUnit\":\"ms\",\"otherData\":"
        << json{{"ranks", comm.size()}, {"events", total_events}, {"dropped_events", total_dropped}}
               .dump()
        << ",\n\"traceEvents\":[\n";
    bool first = true;
    for (const auto& rank_part : parts) {
      if (rank_part.empty()) continue;
      if (!first) out << ",\n";
      out << rank_part;
      first = false;
    }
    out << "\n]}\n";
  });
  util::log().info("timeline of {} ranks, {} events, written to {}", comm.size(), total_events,
                   file.string());
  return static_cast<std::size_t>(total_events);
}

}  // namespace manta::core
