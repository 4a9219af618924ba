/// @file cluster.hpp
/// @brief What the job is made of: Ray's `ray.nodes()` and `ray.cluster_resources()`, and counts
/// of what the runtime has moved between ranks.
#pragma once
#include "detail/public_header.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace manta {

/// @brief One rank of the job (Manta's unit of placement, as a Ray node is Ray's).
struct RankInfo {
  int rank = 0;
  int node = 0;  ///< index of its node, 0 .. nodes-1; ranks of one node share a store
  std::string hostname;
  double num_cpus = 0;
  std::size_t object_store_memory = 0;
  bool alive = true;  ///< always true: a rank that dies ends the job (Open MPI 4.1)
  /// Its GPUs as its launcher named them (CUDA_VISIBLE_DEVICES, SLURM_STEP_GPUS, ...).
  std::vector<std::string> gpu_ids = {};
  std::size_t memory = 0;                        ///< its `memory` resource, in bytes
  std::map<std::string, double> resources = {};  ///< its custom resources
};

/// @brief Every rank of the job, in rank order. Thread-safe.
std::vector<RankInfo> nodes();

/// @brief Totals over the job, with Ray's keys: "CPU", "GPU", "memory", "object_store_memory",
/// each custom resource by name, and "node:<hostname>" (ranks on that host). Thread-safe.
std::map<std::string, double> cluster_resources();

/// @brief What is free on the calling rank now, with the keys of cluster_resources() ("CPU",
/// "GPU", "memory", custom names). Run it in a task pinned to a rank to ask about that rank.
/// Thread-safe.
std::map<std::string, double> available_resources();

/// @brief The GPUs the calling task or actor holds, as CUDA device ordinals of this process
/// (Ray's `get_gpu_ids()`); in CUDA builds the first is already the current device. Empty
/// outside tasks and for tasks that asked for no GPU.
std::vector<int> gpu_ids();

/// @brief Counts of this rank's traffic since the runtime started (monotonic).
struct TransferStats {
  std::uint64_t messages_sent = 0;      ///< control messages to other ranks
  std::uint64_t messages_received = 0;  ///< control messages from other ranks
  std::uint64_t batches_sent = 0;       ///< UCX active messages that carried them
  std::uint64_t gets = 0;               ///< RMA gets of objects from other ranks' stores
  std::uint64_t get_bytes = 0;          ///< bytes those gets moved
  std::uint64_t get_nanoseconds = 0;    ///< time those gets took, each from issue to completion
  std::uint64_t mapped_reads = 0;       ///< objects read in place from a same-node rank's store
  std::uint64_t mapped_bytes = 0;       ///< bytes of those objects (none of them copied)
};

/// @brief This rank's TransferStats. Thread-safe.
TransferStats transfer_stats();

}  // namespace manta
