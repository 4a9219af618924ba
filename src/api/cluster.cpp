#include "core/runtime.hpp"

#include <manta/cluster.hpp>

namespace manta {

std::vector<RankInfo> nodes() {
  auto& runtime = core::Runtime::current();
  std::vector<RankInfo> ranks;
  for (const auto& peer : runtime.messenger().peers()) {
    ranks.push_back({peer.rank, peer.node, peer.hostname, peer.num_cpus, peer.store_size, true,
                     peer.gpu_ids, peer.memory, peer.resources});
  }
  return ranks;
}

std::map<std::string, double> cluster_resources() {
  std::map<std::string, double> totals;
  for (const auto& rank : nodes()) {
    totals["CPU"] += rank.num_cpus;
    totals["GPU"] += static_cast<double>(rank.gpu_ids.size());
    totals["memory"] += static_cast<double>(rank.memory);
    totals["object_store_memory"] += static_cast<double>(rank.object_store_memory);
    totals["node:" + rank.hostname] += 1;
    for (const auto& [name, amount] : rank.resources) totals[name] += amount;
  }
  return totals;
}

std::map<std::string, double> available_resources() {
  auto& runtime = core::Runtime::current();
  const auto free = runtime.executor().available();
  const auto amount = [](resources::Amount units) {
    return static_cast<double>(units) / resources::units_per_unit;
  };
  std::map<std::string, double> available{{"CPU", amount(free.cpu)},
                                          {"GPU", amount(free.gpu_total())},
                                          {"memory", static_cast<double>(free.memory)}};
  for (std::size_t i = 0; i < free.custom.size(); ++i) {
    if (runtime.executor().total().custom[i] > 0) {
      available[runtime.cluster().catalog().name(i)] = amount(free.custom[i]);
    }
  }
  return available;
}

std::vector<int> gpu_ids() {
  std::vector<int> ids;
  for (const auto& share : core::Executor::current_devices()) ids.push_back(share.device);
  return ids;
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
