#include "store/sizing.hpp"

#include "util/format_bytes.hpp"
#include "util/usable_memory.hpp"

#include <manta/error.hpp>

#include <sys/statvfs.h>

#include <algorithm>
#include <sstream>

namespace manta::store {
namespace {

constexpr std::uint64_t default_store_bytes = std::uint64_t{2} << 30;

}  // namespace

NodeMemory node_memory(const std::string& hostname, int ranks) {
  const auto usable = util::usable_memory();
  NodeMemory node{
      .hostname = hostname, .ranks = ranks, .bytes = usable.bytes, .source = usable.source};
  if (struct statvfs shm{}; statvfs("/dev/shm", &shm) == 0) {
    node.shm_free = static_cast<std::uint64_t>(shm.f_bavail) * shm.f_frsize;
  }
  return node;
}

std::uint64_t default_store_size(const NodeMemory& node) {
  const std::uint64_t share =
      node.bytes / 10 * 3 / static_cast<std::uint64_t>(std::max(node.ranks, 1));
  return std::max(std::min(default_store_bytes, share), smallest_sane_store);
}

std::vector<std::string> check_store_size(std::uint64_t per_rank, std::uint64_t node_total,
                                          const NodeMemory& node) {
  const auto sizes = [&] {
    std::ostringstream text;
    text << "--object-store-memory " << util::format_bytes(per_rank) << " on each of the "
         << node.ranks << " rank(s) on node " << node.hostname << " adds up to "
         << util::format_bytes(node_total) << " of shared memory; the node has "
         << util::format_bytes(node.bytes) << " (" << node.source << ")";
    return text.str();
  };
  if (per_rank == 0) throw InvalidOptionError("--object-store-memory is 0 bytes; give a size");
  if (node_total > node.bytes) {
    throw InvalidOptionError(
        sizes() + ": give at most " +
        util::format_bytes(node.bytes / static_cast<std::uint64_t>(std::max(node.ranks, 1))) +
        " per rank. (The stores are anonymous shared memory, so /dev/shm's " +
        util::format_bytes(node.shm_free) +
        " free does not limit them; their pages are taken as "
        "objects are written.)");
  }
  std::vector<std::string> warnings;
  if (node_total > node.bytes / 10 * 8) {
    warnings.push_back(sizes() + ": full stores would leave tasks less than 20% of it");
  }
  if (per_rank < smallest_sane_store) {
    warnings.push_back("--object-store-memory " + util::format_bytes(per_rank) + " is below " +
                       util::format_bytes(smallest_sane_store) +
                       ": objects of --inline-limit bytes and more are kept in the store, and "
                       "those that do not fit stay in process memory");
  }
  return warnings;
}

}  // namespace manta::store
