/// @file transport/peers.hpp
/// @brief What every rank knows about every other one after bootstrap: where it runs, how many
/// CPUs it has, how to reach its UCX worker and read its store. O(ranks) memory, a few hundred
/// bytes each; endpoints and rkeys are made on first use, so a rank that never talks to another
/// pays nothing for it.
#pragma once

#include "transport/mpi_bootstrap.hpp"
#include "transport/ucx_context.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace manta::transport {

/// @brief One rank as the others see it.
struct PeerInfo {
  int rank = 0;
  int node = 0;  ///< index of its node, 0..nodes-1, in order of the nodes' first ranks
  std::string hostname;
  std::int64_t pid = 0;  ///< its process, for messages that name a rank
  double num_cpus = 0;
  std::vector<std::int32_t> gpu_ordinals;   ///< its GPUs, as CUDA ordinals in its own process
  std::vector<std::string> gpu_ids;         ///< the same GPUs as its launcher named them
  std::uint64_t memory = 0;                 ///< bytes tasks and actors may ask for
  std::map<std::string, double> resources;  ///< custom resources
  std::vector<std::byte> worker_address;
  std::uint64_t store_base = 0;  ///< address of its store region in its own address space
  std::uint64_t store_size = 0;
  std::vector<std::byte> store_rkey;  ///< packed rkey of that region
};

/// Why `size` bytes at `offset` are not all inside rank `peer`'s store (`peers` being the job's
/// ranks), or empty when they are: locations come in messages and are checked before any read.
std::string outside_store(const std::vector<PeerInfo>& peers, int peer, std::uint64_t offset,
                          std::uint64_t size);

/// Gathers every rank's PeerInfo (collective over MPI_COMM_WORLD: every rank calls it once).
/// `self` is this rank's own entry (its `node` is filled in here).
/// @throws manta::Error naming the MPI call that failed
std::vector<PeerInfo> exchange_peer_info(const MpiBootstrap& mpi, PeerInfo self);

}  // namespace manta::transport
