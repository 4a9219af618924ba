#include "transport/peers.hpp"

#include <manta/detail/input_archive.hpp>
// Not Boost's own vector header: the byte vectors (address, rkey) must be written the way every
// other file writes them (one serializer per type in the program).
#include <manta/detail/serialization.hpp>

#include <map>
#include <sstream>

namespace boost::serialization {
template <class Archive>
void serialize(Archive& archive, manta::transport::PeerInfo& peer, unsigned) {
  archive& peer.rank& peer.node& peer.hostname& peer.pid& peer.num_cpus& peer.gpu_ordinals& peer
      .gpu_ids& peer.memory& peer.resources& peer.worker_address& peer.store_base& peer
      .store_size& peer.store_rkey;
}
}  // namespace boost::serialization

namespace manta::transport {

std::string outside_store(const std::vector<PeerInfo>& peers, int peer, std::uint64_t offset,
                          std::uint64_t size) {
  if (peer < 0 || static_cast<std::size_t>(peer) >= peers.size()) {
    return "rank " + std::to_string(peer) + " is not a rank of this job";
  }
  const std::uint64_t store_size = peers[static_cast<std::size_t>(peer)].store_size;
  if (offset > store_size || size > store_size - offset) {
    return std::to_string(size) + " bytes at offset " + std::to_string(offset) +
           " are outside rank " + std::to_string(peer) + "'s store of " +
           std::to_string(store_size) + " bytes";
  }
  return {};
}

std::vector<PeerInfo> exchange_peer_info(const MpiBootstrap& mpi, PeerInfo self) {
  const int size = mpi.layout().size;
  // A node is named by the world rank of its first rank (node-local rank 0).
  const int leader = mpi.layout().node_rank == 0 ? mpi.layout().rank : 0;
  self.node = static_cast<int>(mpi.node().max(leader));

  std::ostringstream out;
  {
    boost::archive::binary_oarchive archive(out, boost::archive::no_header);
    archive << self;
  }
  const std::vector<std::string> all = mpi.world().all_gather(out.str());

  std::vector<PeerInfo> peers(size);
  std::map<int, int> node_index;  // leader rank -> dense node index, in rank order
  for (int i = 0; i < size; ++i) {
    detail::InputArchive archive(std::as_bytes(std::span(all[static_cast<std::size_t>(i)])),
                                 boost::archive::no_header);
    archive >> peers[i];
    node_index.emplace(peers[i].node, 0);
  }
  int next = 0;
  for (auto& [leader_rank, index] : node_index) index = next++;
  for (auto& peer : peers) peer.node = node_index.at(peer.node);
  return peers;
}

}  // namespace manta::transport
