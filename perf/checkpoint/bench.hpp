// What the two implementation files of the checkpoint benchmark share: the actors' state, the
// job (ranks, directory), and the figures of one repetition. manta.cpp takes checkpoints of the
// state with Manta's checkpoint layer; baseline.cpp moves the same bytes with plain POSIX calls.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <filesystem>
#include <vector>

namespace bench::checkpoint {

/// How an actor exposes its state: a native dataset (manta::h5_array), or inside its archive.
enum class Layout { native, archive };

/// This rank's part of the benchmark.
struct Job {
  int rank = 0;
  int ranks = 1;
  std::filesystem::path directory;  ///< where every file goes; the same on every rank
  std::size_t actor_bytes = 0;      ///< state of one actor
  std::vector<int> actors;          ///< global indices of this rank's actors
};

/// An actor's state: weights, as a policy network holds them.
using Weights = std::vector<double>;

/// The weights of actor `index`: a pattern a wrong read cannot reproduce.
Weights make_weights(int index, std::size_t bytes);

/// Seconds of the slowest rank: each rank's `seconds`, reduced with MPI_MAX. Collective.
double slowest(double seconds);

/// Flushes every dirty page of the machine (sync) and waits for all ranks, so that a timed write
/// does not also pay for the writeback of earlier ones. Collective.
void settle();

/// Evicts `file` from the page cache (its pages are clean once synced), so the next read comes
/// from the disk, as after a restart.
void drop_cached_pages(const std::filesystem::path& file);

/// Seconds rank 0 takes to delete `file` and sync: what rotation pays per old checkpoint (on an
/// ext4 mounted with `discard`, as here, freeing 1 GB is not free). Collective.
double erase(const Job& job, const std::filesystem::path& file);

/// One repetition of the checkpoint layer with `layout` (manta.cpp). Seconds of the slowest rank.
struct CheckpointFigures {
  double capture = 0;  ///< save_state of every local actor
  double write = 0;    ///< write_checkpoint of all actors, synced and renamed
  double read = 0;     ///< restore_state of every local actor, cold page cache
  double erase = 0;    ///< deleting the file, as rotation later does
  std::uintmax_t file_bytes = 0;
};
CheckpointFigures measure_checkpoint(const Job& job, const std::vector<Weights>& state,
                                     Layout layout, std::uint64_t epoch);

/// The same state in named actors, checkpointed and restored through the runtime (runtime.cpp);
/// rank 0's seconds.
struct RuntimeFigures {
  double checkpoint_all = 0;  ///< manta::checkpoint_all, durable
  double restart = 0;         ///< a new runtime restoring the file, until every actor has answered
  std::uintmax_t file_bytes = 0;
};
RuntimeFigures measure_runtime_checkpoint(const Job& job, int actor_count);

/// GB/s of this layer's CRC-32 over `state` (manta.cpp).
double crc32_gbps(const std::vector<Weights>& state);

/// One repetition of the same bytes without Manta (baseline.cpp): seconds of the slowest rank.
struct BaselineFigures {
  double copy = 0;   ///< copying the local state into fresh vectors (what a capture must do)
  double write = 0;  ///< pwrite of every rank's bytes into one file at its offset, fsync
  double read = 0;   ///< pread back into fresh vectors, cold page cache
  double erase = 0;  ///< deleting the file
};
BaselineFigures measure_baseline(const Job& job, const std::vector<Weights>& state);

/// GB/s of memcpy over `state` into buffers touched before.
double memcpy_gbps(const std::vector<Weights>& state);

}  // namespace bench::checkpoint
