// The checkpoint layer on the benchmark's state: each local actor captured with save_state, all
// actors written by all ranks into one file, then each rank restoring its own actors from it
// (restore_state: arrays read straight into the actors' vectors).
#include "bench.hpp"

#include "../common/results.hpp"
#include "checkpoint/checkpoint.hpp"
#include "checkpoint/format.hpp"
#include "checkpoint/state.hpp"

#include <manta/h5_array.hpp>

#include <string>

namespace bench::checkpoint {
namespace {

namespace ckpt = manta::checkpoint;

/// An actor whose weights a checkpoint stores as a native float64 dataset.
struct NativeActor {
  Weights weights;
  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& manta::h5_array("weights", weights);
  }
};

/// The same actor with its weights inside its Boost archive.
struct ArchiveActor {
  Weights weights;
  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& weights;
  }
};

template <class Actor>
CheckpointFigures measure(const Job& job, const std::vector<Weights>& state, std::uint64_t epoch) {
  CheckpointFigures figures;
  std::vector<Actor> actors(state.size());
  for (std::size_t i = 0; i < state.size(); ++i) actors[i].weights = state[i];

  MPI_Barrier(MPI_COMM_WORLD);
  auto start = Clock::now();
  std::vector<ckpt::ActorRecord> records(actors.size());
  for (std::size_t i = 0; i < actors.size(); ++i) {
    records[i].key = "actor-" + std::to_string(job.actors[i]);
    records[i].class_name = "Actor";
    ckpt::save_state(actors[i], records[i]);
  }
  figures.capture = slowest(seconds_since(start));
  actors.clear();

  settle();
  start = Clock::now();
  // Keeping them all leaves deleting out of the write; it is timed below, after the read.
  const auto file = ckpt::write_checkpoint(MPI_COMM_WORLD, job.directory, records,
                                           {.job_id = "perf", .epoch = epoch}, /*keep_last=*/1000);
  figures.write = slowest(seconds_since(start));
  records.clear();
  figures.file_bytes = std::filesystem::file_size(file);

  drop_cached_pages(file);
  MPI_Barrier(MPI_COMM_WORLD);
  start = Clock::now();
  std::vector<Actor> restored(state.size());
  for (std::size_t i = 0; i < restored.size(); ++i) {
    ckpt::restore_state(restored[i], file, "actor-" + std::to_string(job.actors[i]));
  }
  figures.read = slowest(seconds_since(start));
  for (std::size_t i = 0; i < restored.size(); ++i) {
    check_answer(restored[i].weights == state[i],
                 "actor " + std::to_string(job.actors[i]) + " restored with other weights");
  }
  figures.erase = erase(job, file);
  return figures;
}

}  // namespace

CheckpointFigures measure_checkpoint(const Job& job, const std::vector<Weights>& state,
                                     Layout layout, std::uint64_t epoch) {
  return layout == Layout::native ? measure<NativeActor>(job, state, epoch)
                                  : measure<ArchiveActor>(job, state, epoch);
}

double crc32_gbps(const std::vector<Weights>& state) {
  std::size_t bytes = 0;
  std::uint32_t combined = 0;
  const auto start = Clock::now();
  for (const Weights& weights : state) {
    combined ^= ckpt::format::crc32(std::as_bytes(std::span(weights)));
    bytes += weights.size() * sizeof(double);
  }
  const double seconds = seconds_since(start);
  check_answer(bytes == 0 || combined != 0, "a CRC-32 of zero for the whole state");
  return static_cast<double>(bytes) / seconds / 1e9;
}

}  // namespace bench::checkpoint
