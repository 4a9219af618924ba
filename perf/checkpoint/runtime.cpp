// The same state held by real actors, checkpointed through the runtime: checkpoint_all (each
// actor's arrays borrowed, written by all ranks together, durable), then a new runtime restoring
// from the file (every checksum verified at start-up, then each named actor loaded when it is
// created again) until every actor has answered a call.
#include "../common/results.hpp"
#include "bench.hpp"

#include <manta/checkpoint.hpp>

#include <string>

namespace {

/// A policy holding its weights as a native dataset.
class WeightsActor {
 public:
  void fill(int index, std::size_t bytes) {
    weights_ = bench::checkpoint::make_weights(index, bytes);
  }
  std::size_t size() const { return weights_.size(); }
  bool holds(int index, std::size_t bytes) const {
    return weights_ == bench::checkpoint::make_weights(index, bytes);
  }

  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& manta::h5_array("weights", weights_);
  }

 private:
  bench::checkpoint::Weights weights_;
};
MANTA_ACTOR(WeightsActor, fill, size, holds);

manta::ActorHandle<WeightsActor> actor(int index, int ranks, bool existing) {
  return manta::actor<WeightsActor>()
      .options({.name = "weights-" + std::to_string(index),
                .rank = index % ranks,
                .get_if_exists = existing})
      .remote();
}

}  // namespace

namespace bench::checkpoint {

using bench::check_answer;
using bench::Clock;
using bench::seconds_since;

RuntimeFigures measure_runtime_checkpoint(const Job& job, int actor_count) {
  RuntimeFigures figures;
  manta::RuntimeOptions options;
  options.checkpoint_directory = (job.directory / "runtime").string();
  options.checkpoint_keep = 1;
  {
    manta::Runtime runtime(options);
    if (job.rank == 0) {
      std::vector<manta::ObjectRef<std::size_t>> filled;
      for (int i = 0; i < actor_count; ++i) {
        auto weights = actor(i, job.ranks, false);
        weights.call(&WeightsActor::fill).remote(i, job.actor_bytes);
        filled.push_back(weights.call(&WeightsActor::size).remote());
      }
      manta::get(filled);
      ::sync();  // earlier writes are not this checkpoint's to pay for
      const auto start = Clock::now();
      const auto file = manta::checkpoint_all();
      figures.checkpoint_all = seconds_since(start);
      figures.file_bytes = std::filesystem::file_size(file);
      drop_cached_pages(file);
    }
  }
  MPI_Barrier(MPI_COMM_WORLD);
  const auto start = Clock::now();
  {
    manta::Runtime runtime(options);
    if (job.rank == 0) {
      std::vector<manta::ObjectRef<std::size_t>> sizes;
      for (int i = 0; i < actor_count; ++i) {
        sizes.push_back(actor(i, job.ranks, true).call(&WeightsActor::size).remote());
      }
      manta::get(sizes);
      figures.restart = seconds_since(start);
      for (int i = 0; i < actor_count; ++i) {
        check_answer(
            manta::get(
                actor(i, job.ranks, true).call(&WeightsActor::holds).remote(i, job.actor_bytes)),
            "actor " + std::to_string(i) + " restored with other weights");
      }
    }
  }
  std::filesystem::remove_all(job.directory / "runtime");
  return figures;
}

}  // namespace bench::checkpoint
