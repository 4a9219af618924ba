/// @file checkpoint/checkpoint.hpp
/// @brief Checkpoint files: actors' state written by all ranks together into one HDF5 file per
/// checkpoint, atomically, and read back with every byte checked.
///
/// @code
/// using namespace manta::checkpoint;
/// ActorRecord record{.key = "counter-0", .class_name = "Counter", .sequence = calls};
/// save_state(counter, record);                                   // state.hpp
/// auto file = write_checkpoint(MPI_COMM_WORLD, "ckpt", {&record, 1}, {.epoch = 7}, 3);
/// // file == "ckpt/checkpoint-00000007.h5"; at most 3 checkpoints remain in ckpt/
///
/// if (auto latest = latest_valid_checkpoint("ckpt")) {           // after a restart
///   for (const ActorSummary& actor : read_index(*latest).actors) {
///     Counter restored;
///     restore_state(restored, *latest, actor.key);                 // state.hpp
///   }
/// }
/// @endcode
///
/// The file layout is in format.hpp. Files are `<directory>/checkpoint-<epoch>.h5`; while one is
/// being written it is `checkpoint-<epoch>.h5.tmp`, which readers ignore.
///
/// Thread safety: every function may be called from any thread; calls are serialized within the
/// process (this HDF5 is not thread-safe). Errors: every function throws CheckpointError (or
/// manta::Error if MPI fails), whose message names the file and, where one is concerned, the actor.
#pragma once

#include <manta/error.hpp>
#include "checkpoint/record.hpp"

#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace manta::checkpoint {

/// @brief What went wrong on one rank, for write_checkpoint() to report on every rank.
struct RankFailure {
  std::string actor{};  ///< "" when no one actor is concerned
  std::string problem{};
};

/// @brief Writes the actors of every rank of `comm` into one new checkpoint file.
///
/// COLLECTIVE over `comm`: every rank calls it at the same point, with its own actors (any number,
/// zero included), the same `directory`, `info` and `keep_last` (rank 0's `info` is written).
/// Ranks write their own actors' bytes in parallel through MPI-IO. The file appears under its
/// final name only once every rank's data is on disk (flushed with MPI_File_sync), so a crash
/// leaves either the complete file or none. Then rank 0 deletes older checkpoints beyond the
/// newest `keep_last` and any temporary files left by interrupted writes. No other thread may
/// use `comm` for collectives meanwhile.
///
/// @param comm the ranks writing together (MPI_COMM_WORLD for a job-wide checkpoint)
/// @param directory created if missing; should hold the checkpoints of one job only
/// @param local_records this rank's actors; keys must be unique across all ranks
/// @param info job id and epoch (use next_epoch()); an empty time becomes rank 0's current time
/// @param keep_last how many checkpoints to keep, counting this one (at least 1)
/// @param local_failure what went wrong on this rank preparing its records (an actor whose state
///   could not be saved): then nothing is written, and every rank throws it
/// @return the file written, the same on every rank
/// @throws CheckpointError on every rank when any rank fails (invalid or duplicate keys, a record
///   whose array bytes do not match its dims, a full disk...), naming the rank; nothing is left
///   under the final name then
std::filesystem::path write_checkpoint(MPI_Comm comm, const std::filesystem::path& directory,
                                       std::span<const ActorRecord> local_records,
                                       const FileInfo& info, int keep_last,
                                       const std::optional<RankFailure>& local_failure = {});

/// @brief The file's attributes and its actors without their data. Not collective.
/// @throws CheckpointError if the file is missing, not HDF5, truncated, not a Manta checkpoint,
///   of another format version, or has damaged metadata
CheckpointIndex read_index(const std::filesystem::path& file);

/// @brief One actor's record, every dataset checked against its CRC-32. Not collective.
/// @throws CheckpointError as read_index(), or if the actor is not in the file, or a dataset
///   fails its checksum
ActorRecord read_actor(const std::filesystem::path& file, const std::string& key);

/// @brief Reads the whole file and checks every checksum. Not collective; it reads every byte, so
/// on restart call it on one rank and broadcast the verdict.
/// @throws CheckpointError naming the first problem found
void verify_checkpoint(const std::filesystem::path& file);

/// @brief The newest checkpoint in `directory` that verify_checkpoint() accepts, or nothing.
/// Each newer file it skips is logged as a warning naming the file, the actor and the problem.
/// Reads whole files (see verify_checkpoint()).
std::optional<std::filesystem::path> latest_valid_checkpoint(
    const std::filesystem::path& directory);

/// @brief The checkpoint files in `directory`, oldest epoch first (temporary files excluded);
/// empty if the directory does not exist.
std::vector<std::filesystem::path> list_checkpoints(const std::filesystem::path& directory);

/// @brief `<directory>/checkpoint-<epoch, 8 digits or more>.h5`.
std::filesystem::path checkpoint_path(const std::filesystem::path& directory, std::uint64_t epoch);

/// @brief One more than the newest epoch in `directory` (1 when there is none): the epoch of the
/// next checkpoint, so that rotation never takes an older file for a newer one.
std::uint64_t next_epoch(const std::filesystem::path& directory);

/// @brief Now as ISO 8601 UTC, e.g. "2026-11-21T12:00:01Z".
std::string utc_time_now();

}  // namespace manta::checkpoint
