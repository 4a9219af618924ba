/// @file core/timeline_file.hpp
/// @brief The job's timeline as one file: every rank's recorded spans (util/timeline.hpp) in the
/// Chrome Trace Event format that Perfetto (ui.perfetto.dev) and chrome://tracing open as is:
/// one process per rank ("rank R (host)"), one thread track per thread that recorded, complete
/// events for spans and s/f flow events from a task's submission to its run on another rank.
#pragma once

#include "transport/communicator.hpp"

#include <filesystem>
#include <string>

namespace manta::core {

/// Events each thread keeps; beyond, they are counted as dropped (and the file says how many).
inline constexpr std::size_t timeline_events_per_thread = std::size_t{1} << 20;

/// Starts recording this rank's timeline; time 0 is now (call it right after a barrier, so the
/// ranks' clocks start together).
void start_timeline();

/// COLLECTIVE over `comm`: each rank formats what it recorded, rank 0 gathers and writes `file`
/// (util::replace_file: a reader never sees half of it). Stops
/// recording. Returns the events written (on rank 0; this rank's elsewhere).
/// @throws Error on rank 0 when the file cannot be written
std::size_t write_timeline(const transport::Communicator& comm, const std::filesystem::path& file,
                           const std::string& hostname);

}  // namespace manta::core
