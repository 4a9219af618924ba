#include "core/runtime.hpp"

#include <manta/cluster.hpp>

namespace manta {

std::vector<RankInfo> nodes() {
  auto& runtime = core::Runtime::current();
  std::vector<RankInfo> ranks;
  for (const auto& peer : runtime.messenger().peers()) {
    ranks.push_back({peer.rank, peer.node, peer.hostname, peer.num_cpus, peer.store_size, true});
  }
  return ranks;
}

std::map<std::string, double> cluster_resources() {
  std::map<std::string, double> totals;
  for (const auto& rank : nodes()) {
    totals["CPU"] += rank.num_cpus;
    totals["object_store_memory"] += static_cast<double>(rank.object_store_memory);
    totals["node:" + rank.hostname] += 1;
  }
  return totals;
}

TransferStats transfer_stats() {
  const auto stats = core::Runtime::current().messenger().stats();
  return {.messages_sent = stats.messages_sent,
          .messages_received = stats.messages_received,
          .batches_sent = stats.batches_sent,
          .gets = stats.gets,
          .get_bytes = stats.get_bytes,
          .get_nanoseconds = stats.get_nanoseconds,
          .mapped_reads = stats.mapped_reads,
          .mapped_bytes = stats.mapped_bytes};
}

}  // namespace manta
