// Checkpoint figures for 1 GB of actor state (8 actors of 128 MB, shared among the ranks): how
// long capturing, writing (durably) and reading back take with Manta's checkpoint layer, the
// weights stored as native datasets and again inside the actors' archives, and through the
// runtime (checkpoint_all of real actors, and a restart from the file), next to the same
// bytes written and read with plain pwrite/fsync/pread in the same directory, and memcpy. Files
// go to a fresh directory under /tmp and are deleted. JSON list on stdout and in --output: name,
// value (median), unit, baseline, baseline_value, ratio (performance relative to the baseline,
// > 1 means ahead, as perf/report computes it), runs.
//
//   manta_perf_checkpoint [--size-mb 1024] [--actors 8] [--repetitions 3] [--quick] [--output F]
//   mpirun -np 2 manta_perf_checkpoint ...     the same state, each rank holding half the actors
#include "../common/results.hpp"
#include "bench.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

namespace {

using namespace bench::checkpoint;
using bench::Clock;
using bench::median;
using bench::seconds_since;

/// Figures of every repetition, by name, with their unit and baseline.
class Figures {
 public:
  void add(const std::string& name, const std::string& unit, const std::string& baseline,
           double value) {
    auto& figure = figures_[name];
    if (figure.runs.empty()) order_.push_back(name);
    figure.unit = unit;
    figure.baseline = baseline;
    figure.runs.push_back(value);
  }

  /// The JSON list; ratio > 1 means better than the baseline, whatever the unit.
  nlohmann::ordered_json json() const {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& name : order_) {
      const Figure& figure = figures_.at(name);
      const double value = median(figure.runs);
      nlohmann::ordered_json entry = {{"name", name}, {"value", value}, {"unit", figure.unit}};
      if (figure.baseline.empty()) {
        entry["baseline"] = nullptr;
      } else {
        const double base = median(figures_.at(figure.baseline).runs);
        const bool higher_is_better = figure.unit.ends_with("/s");
        entry["baseline"] = figure.baseline;
        entry["baseline_value"] = base;
        entry["ratio"] = higher_is_better ? value / base : base / value;
      }
      entry["runs"] = figure.runs;
      list.push_back(std::move(entry));
    }
    return list;
  }

 private:
  struct Figure {
    std::string unit;
    std::string baseline;
    std::vector<double> runs;
  };
  std::map<std::string, Figure> figures_;
  std::vector<std::string> order_;
};

/// A fresh directory under /tmp, made by rank 0 and shared with the others.
std::filesystem::path shared_directory(int rank) {
  std::string name;
  if (rank == 0) {
    std::string pattern = "/tmp/manta-perf-checkpoint-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    name = pattern;
  }
  int length = static_cast<int>(name.size());
  MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
  name.resize(static_cast<std::size_t>(length));
  MPI_Bcast(name.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
  return name;
}

}  // namespace

namespace bench::checkpoint {

Weights make_weights(int index, std::size_t bytes) {
  Weights weights(bytes / sizeof(double));
  for (std::size_t i = 0; i < weights.size(); ++i)
    weights[i] = index + 1e-9 * static_cast<double>(i);
  return weights;
}

double slowest(double seconds) {
  double result = 0;
  MPI_Allreduce(&seconds, &result, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return result;
}

void settle() {
  ::sync();
  MPI_Barrier(MPI_COMM_WORLD);
}

double erase(const Job& job, const std::filesystem::path& file) {
  settle();
  const auto start = Clock::now();
  if (job.rank == 0) {
    std::filesystem::remove(file);
    ::sync();
  }
  return slowest(seconds_since(start));
}

void drop_cached_pages(const std::filesystem::path& file) {
  const int descriptor = ::open(file.c_str(), O_RDONLY);
  if (descriptor < 0) return;
  ::fdatasync(descriptor);
  ::posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED);
  ::close(descriptor);
}

}  // namespace bench::checkpoint

int main(int argc, char** argv) {
  CLI::App app("Manta checkpoint benchmark: write and read 1 GB of actor state");
  bench::Options options;
  options.repetitions = 3;
  bench::add_options(app, options);
  int size_mb = 1024;
  int actor_count = 8;
  app.add_option("--size-mb", size_mb, "MB of state in all (default 1024; --quick: 64)")
      ->check(CLI::PositiveNumber);
  app.add_option("--actors", actor_count, "actors sharing the state")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  if (options.quick && app.count("--size-mb") == 0) size_mb = 64;

  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  Job job;
  MPI_Comm_rank(MPI_COMM_WORLD, &job.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &job.ranks);
  job.directory = shared_directory(job.rank);
  const std::size_t total_bytes = static_cast<std::size_t>(size_mb) * 1'000'000;
  job.actor_bytes =
      total_bytes / static_cast<std::size_t>(actor_count) / sizeof(double) * sizeof(double);
  std::vector<Weights> state;
  for (int actor = job.rank; actor < actor_count; actor += job.ranks) {
    job.actors.push_back(actor);
    state.push_back(make_weights(actor, job.actor_bytes));
  }
  const std::size_t state_bytes = job.actor_bytes * static_cast<std::size_t>(actor_count);

  const std::string suffix =
      "_" + std::to_string(size_mb) + "mb_" + std::to_string(job.ranks) + "rank";
  const double gigabytes = static_cast<double>(state_bytes) / 1e9;
  Figures figures;
  std::uint64_t epoch = 1;
  for (int repetition = 0; repetition < options.repetitions; ++repetition) {
    const BaselineFigures posix = measure_baseline(job, state);
    figures.add("copy_state" + suffix, "s", "", posix.copy);
    figures.add("posix_write_fsync" + suffix, "s", "", posix.write);
    figures.add("posix_read" + suffix, "s", "", posix.read);
    figures.add("posix_write_fsync_bandwidth" + suffix, "GB/s", "", gigabytes / posix.write);
    figures.add("posix_read_bandwidth" + suffix, "GB/s", "", gigabytes / posix.read);
    figures.add("posix_delete" + suffix, "s", "", posix.erase);
    figures.add("raw_state" + suffix, "MB", "", static_cast<double>(state_bytes) / 1e6);
    for (const Layout layout : {Layout::native, Layout::archive}) {
      const std::string kind = layout == Layout::native ? "native" : "archive";
      const CheckpointFigures manta = measure_checkpoint(job, state, layout, epoch++);
      figures.add("checkpoint_capture_" + kind + suffix, "s", "copy_state" + suffix, manta.capture);
      figures.add("checkpoint_write_" + kind + suffix, "s", "posix_write_fsync" + suffix,
                  manta.write);
      figures.add("checkpoint_read_" + kind + suffix, "s", "posix_read" + suffix, manta.read);
      figures.add("checkpoint_write_" + kind + "_bandwidth" + suffix, "GB/s",
                  "posix_write_fsync_bandwidth" + suffix, gigabytes / manta.write);
      figures.add("checkpoint_read_" + kind + "_bandwidth" + suffix, "GB/s",
                  "posix_read_bandwidth" + suffix, gigabytes / manta.read);
      figures.add("checkpoint_delete_" + kind + suffix, "s", "posix_delete" + suffix, manta.erase);
      figures.add("checkpoint_file_" + kind + suffix, "MB", "raw_state" + suffix,
                  static_cast<double>(manta.file_bytes) / 1e6);
    }
    const RuntimeFigures runtime = measure_runtime_checkpoint(job, actor_count);
    if (job.rank == 0) {
      figures.add("checkpoint_all_native" + suffix, "s", "posix_write_fsync" + suffix,
                  runtime.checkpoint_all);
      figures.add("restart_from_checkpoint_native" + suffix, "s", "posix_read" + suffix,
                  runtime.restart);
      figures.add("checkpoint_all_file_native" + suffix, "MB", "raw_state" + suffix,
                  static_cast<double>(runtime.file_bytes) / 1e6);
    }
    // Per core: each rank's own rate (rank 0's is reported).
    figures.add("memcpy_bandwidth" + suffix, "GB/s", "", memcpy_gbps(state));
    figures.add("checkpoint_crc32_bandwidth" + suffix, "GB/s", "memcpy_bandwidth" + suffix,
                crc32_gbps(state));
  }

  MPI_Barrier(MPI_COMM_WORLD);
  if (job.rank == 0) {
    std::filesystem::remove_all(job.directory);
    const auto json = figures.json();
    std::printf("%s\n", json.dump(2).c_str());
    if (!options.output.empty()) std::ofstream(options.output) << json.dump(2) << "\n";
  }
  MPI_Finalize();
  return 0;
}
