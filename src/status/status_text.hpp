/// @file status/status_text.hpp
/// @brief The job's status document as a table for a terminal, as `ray status` prints it: what
/// `manta status` shows and the status page serves at `/`.
///
/// The document (written by core::StatusPublisher, version 1) is a JSON object:
/// - `job`: `id`, `state` (running, finished, failed), `ranks`, `nodes`, `started` and `updated`
///   (seconds since the Unix epoch), `interval_seconds`, `page` (the status page's URL or ""),
///   `error` (why it failed, or "");
/// - `silent_ranks`: the ranks that did not answer the last round;
/// - `ranks`: per rank `rank`, `host`, `queued`, `running`, `actors`, `store_used` and
///   `store_capacity` (bytes of its object store), `spilled_objects` and `spilled_bytes` (in
///   spill files now);
/// - `functions`: per function or actor method `name`, `actor_method`, `running`, `finished`,
///   `failed`, `retried`, `total_seconds`, `max_seconds`, most run first;
/// - `running` (the longest-running first, at most status_listed of them) with `running_total`:
///   `rank`, `thread`, `name`, `actor_call`, `seconds`, `depth`;
/// - `actors` (at most status_listed) with `actors_total`: `rank`, `class`, `name`, `phase`,
///   `restarts`, `calls_waiting`, `calls_finished`.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <string>

namespace manta::status {

/// Running tasks and actors a document lists at most (it counts them all).
inline constexpr std::size_t status_listed = 100;

/// The document's version this code writes and reads.
inline constexpr int status_version = 1;

/// Seconds since the Unix epoch: the clock of the document's times.
double unix_now();

/// The table for `document`, seen at `now` (seconds since the Unix epoch; it says how old the
/// document is, and that the job may be gone when it stopped being updated). At most
/// `rank_lines` ranks are listed, the busiest first, unless 0 (all).
/// @throws Error naming what is missing or of the wrong type when `document` is not a status
std::string status_text(const nlohmann::json& document, double now, std::size_t rank_lines = 16);

}  // namespace manta::status
