// A job that survives its time limit: counter actors count to a target, their state is
// checkpointed to HDF5 as they go, and a rerun carries on from the last checkpoint.
//
//   mpirun -np 4 resumable --target 5000 --checkpoint ckpt      # SIGUSR1 at any moment: exit 75
//   mpirun -np 2 resumable --target 5000 --checkpoint ckpt      # restores, on 2 ranks, finishes
//   final counts: [5000, 5000, 5000, 5000]
//
// The counters are named actors created with get_if_exists, so the same driver code serves a
// fresh start and a restart: on a restart each one starts from the state the checkpoint holds.
// Under Slurm, `#SBATCH --signal=USR1@120` and slurm/checkpoint_requeue.sbatch requeue the job.
#include <manta/checkpoint.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

/// A counter whose increments also land in a small "policy" array, stored as a native HDF5
/// dataset: `h5dump -d /actors/counter-0/weights` shows it, and its sum is the count.
class Counter {
 public:
  std::int64_t increment(int work_us) {
    if (work_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(work_us));
    weights_[static_cast<std::size_t>(count_) % weights_.size()] += 1.0;
    return ++count_;
  }
  std::int64_t read() const { return count_; }

  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& count_& manta::h5_array("weights", weights_);
  }

 private:
  std::int64_t count_ = 0;
  std::vector<double> weights_ = std::vector<double>(16, 0.0);
};
MANTA_ACTOR(Counter, increment, read);

std::string list(const std::vector<std::int64_t>& counts) {
  std::string text = "[";
  for (std::size_t i = 0; i < counts.size(); ++i) {
    text += (i ? ", " : "") + std::to_string(counts[i]);
  }
  return text + "]";
}

int main(int argc, char** argv) {
  CLI::App app("Counter actors that count to a target across interruptions and restarts");
  app.allow_extras();  // Manta's own flags
  std::int64_t target = 1000;
  int counters = 4;
  std::uint64_t every_calls = 100;
  int batch = 50;
  int work_us = 0;
  int mark_every = 0;
  int progress_ms = 1000;
  std::string checkpoint;
  app.add_option("--target", target, "the count every counter ends at")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--counters", counters, "counter actors, spread over the ranks")
      ->check(CLI::PositiveNumber);
  app.add_option("--checkpoint", checkpoint, "checkpoint directory (as --checkpoint-dir)");
  app.add_option("--checkpoint-every", every_calls, "checkpoint every this many increments");
  app.add_option("--batch", batch, "increments in flight per counter")->check(CLI::PositiveNumber);
  app.add_option("--work-us", work_us, "microseconds each increment works (to pace the run)");
  app.add_option("--mark-every", mark_every,
                 "also ask each counter for a checkpoint (handle.checkpoint()) every this many "
                 "increments; 0 never")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--progress-ms", progress_ms,
                 "milliseconds between progress lines; 0: every batch")
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);

  manta::RuntimeOptions options;
  try {
    options = manta::parse_options(argc, argv);
  } catch (const manta::InvalidOptionError& error) {
    std::cerr << "resumable: " << error.what() << "\n";
    return 2;
  }
  if (!checkpoint.empty()) options.checkpoint_directory = checkpoint;
  return manta::run(options, [&] {
    if (auto file = manta::restored_checkpoint()) std::cout << "restored from " << *file << "\n";
    std::vector<manta::ActorHandle<Counter>> handles;
    for (int i = 0; i < counters; ++i) {
      handles.push_back(manta::actor<Counter>()
                            .options({.name = "counter-" + std::to_string(i),
                                      .rank = i % manta::world_size(),
                                      .get_if_exists = true,
                                      .checkpoint_every_calls = every_calls})
                            .remote());
    }
    std::vector<std::int64_t> counts;
    for (const auto& counter : handles)
      counts.push_back(manta::get(counter.call(&Counter::read).remote()));
    std::cout << "starting counts: " << list(counts) << std::endl;

    auto last_report = std::chrono::steady_clock::now();
    bool done = false;
    while (!done) {
      done = true;
      std::vector<manta::ObjectRef<std::int64_t>> last(handles.size());
      for (std::size_t i = 0; i < handles.size(); ++i) {
        // A counter restored beyond the target is done.
        const std::int64_t step = std::clamp<std::int64_t>(target - counts[i], 0, batch);
        for (std::int64_t k = 0; k < step; ++k) {
          last[i] = handles[i].call(&Counter::increment).remote(work_us);
          if (mark_every > 0 && (counts[i] + k + 1) % mark_every == 0) handles[i].checkpoint();
        }
        done = done && step == 0;
      }
      for (std::size_t i = 0; i < handles.size(); ++i) {
        if (last[i].valid()) counts[i] = manta::get(last[i]);
      }
      if (std::chrono::steady_clock::now() - last_report >=
          std::chrono::milliseconds(progress_ms)) {
        std::cout << "progress: " << list(counts) << std::endl;
        last_report = std::chrono::steady_clock::now();
      }
    }
    std::cout << "checkpoint " << manta::checkpoint_all() << "\n";
    std::cout << "final counts: " << list(counts) << std::endl;
  });
}
