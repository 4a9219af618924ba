// What each rank of a Slurm step is given, gathered by the driver: one line per rank, then checks.
// Run under srun; the driver (rank 0) asks every rank by a task pinned to it.
//
//   srun -n 2 --gpus-per-task=1 -c 1 manta_slurm_rank_info --gpus-per-rank 1
//
// Checks, for every rank r:
//   - SLURM_PROCID is r (Manta's ranks are Slurm's tasks, in order) and SLURM_JOB_ID is the same;
//   - its num_cpus in manta::nodes() is SLURM_CPUS_PER_TASK when Slurm sets it (srun -c);
//   - with --gpus-per-rank N: CUDA_VISIBLE_DEVICES names N devices, and no device of a node is
//     given to two ranks of that node (SLURM_NODEID tells the node: fake nodes share a hostname).
// Prints "rank_info: N ranks OK" at the end; a failed check fails the driver (manta::run prints
// "manta: rank 0: the driver failed: ..." and ends the job).
#include <manta/manta.hpp>

#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using Environment = std::map<std::string, std::string>;

// The Slurm variables of the rank that runs it; "-" for those not set.
Environment slurm_environment() {
  Environment env;
  for (const char* name : {"SLURM_JOB_ID", "SLURM_PROCID", "SLURM_LOCALID", "SLURM_NODEID",
                           "SLURM_CPUS_PER_TASK", "SLURM_STEP_GPUS", "CUDA_VISIBLE_DEVICES"}) {
    const char* value = std::getenv(name);
    env[name] = value != nullptr ? value : "-";
  }
  env["rank"] = std::to_string(manta::rank());
  return env;
}
MANTA_REMOTE(slurm_environment);

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> items;
  std::stringstream stream(list);
  for (std::string item; std::getline(stream, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

std::vector<int> gpus_held() { return manta::gpu_ids(); }
MANTA_REMOTE(gpus_held);

int main(int argc, char** argv) {
  int gpus_per_rank = -1;  // -1: no GPU check
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--gpus-per-rank") gpus_per_rank = std::atoi(argv[i + 1]);
  }
  return manta::run(argc, argv, [&] {
    const auto ranks = manta::nodes();
    std::vector<manta::ObjectRef<Environment>> refs;
    for (int r = 0; r < static_cast<int>(ranks.size()); ++r) {
      refs.push_back(manta::task(slurm_environment).options({.rank = r}).remote());
    }
    const auto envs = manta::get(refs);

    std::set<std::pair<std::string, std::string>> taken;  // (SLURM_NODEID, device) given out
    for (std::size_t r = 0; r < envs.size(); ++r) {
      const auto& env = envs[r];
      const std::string rank = std::to_string(r);
      std::cout << "rank " << r << ": SLURM_PROCID=" << env.at("SLURM_PROCID")
                << " SLURM_LOCALID=" << env.at("SLURM_LOCALID")
                << " SLURM_NODEID=" << env.at("SLURM_NODEID")
                << " CUDA_VISIBLE_DEVICES=" << env.at("CUDA_VISIBLE_DEVICES")
                << " SLURM_STEP_GPUS=" << env.at("SLURM_STEP_GPUS")
                << " SLURM_CPUS_PER_TASK=" << env.at("SLURM_CPUS_PER_TASK")
                << " num_cpus=" << ranks[r].num_cpus << " host=" << ranks[r].hostname << "\n";

      check(env.at("rank") == rank, "rank " + rank + "'s task ran on rank " + env.at("rank"));
      check(env.at("SLURM_PROCID") == rank,
            "rank " + rank + " has SLURM_PROCID=" + env.at("SLURM_PROCID"));
      check(env.at("SLURM_JOB_ID") == envs[0].at("SLURM_JOB_ID"),
            "rank " + rank + " is in job " + env.at("SLURM_JOB_ID") + ", rank 0 in " +
                envs[0].at("SLURM_JOB_ID"));
      const std::string cpus = env.at("SLURM_CPUS_PER_TASK");
      if (cpus != "-") {
        check(ranks[r].num_cpus == std::atof(cpus.c_str()),
              "rank " + rank + " has num_cpus " + std::to_string(ranks[r].num_cpus) +
                  ", but SLURM_CPUS_PER_TASK=" + cpus);
      }
      if (gpus_per_rank >= 0) {
        const std::string visible = env.at("CUDA_VISIBLE_DEVICES");
        const auto devices = visible == "-" ? std::vector<std::string>() : split(visible);
        check(static_cast<int>(devices.size()) == gpus_per_rank,
              "rank " + rank + " sees " + std::to_string(devices.size()) +
                  " GPUs (CUDA_VISIBLE_DEVICES=" + visible + "), expected " +
                  std::to_string(gpus_per_rank));
        // The runtime found the same devices, and a GPU task pinned there gets one of them.
        check(ranks[r].gpu_ids == devices,
              "rank " + rank + "'s runtime counts " + std::to_string(ranks[r].gpu_ids.size()) +
                  " GPUs, not those of CUDA_VISIBLE_DEVICES=" + visible);
        if (gpus_per_rank > 0) {
          const auto held = manta::get(manta::task(gpus_held)
                                           .options({.rank = static_cast<int>(r), .num_gpus = 1})
                                           .remote());
          check(held.size() == 1, "a one-GPU task on rank " + rank + " holds " +
                                      std::to_string(held.size()) + " GPUs");
        }
        for (const auto& device : devices) {
          check(taken.emplace(env.at("SLURM_NODEID"), device).second,
                "GPU " + device + " of node " + env.at("SLURM_NODEID") +
                    " is given to two ranks (rank " + rank + " and an earlier one)");
        }
      }
    }
    std::cout << "rank_info: " << envs.size() << " ranks OK" << std::endl;
  });
}
