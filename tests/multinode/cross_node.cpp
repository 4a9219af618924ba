// A job on several (fake) nodes, as tests/multinode/fake-nodes.sh makes them, seen from Manta:
//
//   fake-nodes.sh run -- mpirun --host node1:2,node2:2 -np 4 manta_multinode_check --nodes 2
//
// Checks, the driver (rank 0) failing on the first that does not hold:
//   - manta::nodes() shows NODES nodes of the same number of ranks each, in rank order (ranks
//     0 .. k-1 on the first node, ...), each node with a hostname of its own, and
//     cluster_resources() counts the ranks of each as "node:<hostname>";
//   - an object made by another rank of the reader's node is read in place (a mapped read, no
//     get): on the first node (rank 0 reads rank 1's) and on the last;
//   - one made on another node is read by one RMA get of all its bytes, not in place: the last
//     node's first rank reads rank 0's, rank 0 the last rank's (16 MiB, then a large one:
//     --megabytes, default 100 MB; the get's bandwidth is printed).
// Every object read is checked word for word. Each reader owns what it reads (it submitted the
// task that made it): a task's argument would come from its owner's store instead.
// Prints "multinode: N nodes x R ranks OK" at the end.
#include <manta/manta.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Words = std::vector<std::uint64_t>;

Words pattern(std::size_t count, std::uint64_t seed) {
  Words words(count);
  for (std::size_t i = 0; i < count; ++i) words[i] = (i * 0x9E3779B97F4A7C15ull) ^ seed;
  return words;
}

bool has_pattern(std::span<const std::uint64_t> words, std::size_t count, std::uint64_t seed) {
  if (words.size() != count) return false;
  for (std::size_t i = 0; i < count; ++i) {
    if (words[i] != ((i * 0x9E3779B97F4A7C15ull) ^ seed)) return false;
  }
  return true;
}

/// Makes `count` words on `producer`, reads them here (as their owner) and checks them; returns
/// what this rank counted meanwhile: gets, bytes they moved, their nanoseconds, mapped reads.
std::vector<std::uint64_t> read_from(int producer, std::size_t count, std::uint64_t seed) {
  const auto before = manta::transfer_stats();
  const auto ref = manta::task(pattern).options({.rank = producer}).remote(count, seed);
  if (!has_pattern(manta::get_view(ref), count, seed)) {
    throw std::runtime_error("rank " + std::to_string(manta::rank()) + " read the object of rank " +
                             std::to_string(producer) + " changed");
  }
  const auto after = manta::transfer_stats();
  return {after.gets - before.gets, after.get_bytes - before.get_bytes,
          after.get_nanoseconds - before.get_nanoseconds, after.mapped_reads - before.mapped_reads};
}

}  // namespace

MANTA_REMOTE(pattern);
MANTA_REMOTE(read_from);

namespace {

void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

struct Counted {
  std::uint64_t gets = 0;
  std::uint64_t get_bytes = 0;
  std::uint64_t get_nanoseconds = 0;
  std::uint64_t mapped_reads = 0;
};

/// Checks manta::nodes() against `expected_nodes` nodes of as many ranks each, in rank order;
/// returns the ranks per node.
int check_nodes(int expected_nodes) {
  const auto ranks = manta::nodes();
  const int size = static_cast<int>(ranks.size());
  check(size % expected_nodes == 0, std::to_string(size) + " ranks do not split into " +
                                        std::to_string(expected_nodes) + " equal nodes");
  const int per_node = size / expected_nodes;
  std::map<std::string, int> hosts;
  for (const auto& rank : ranks) {
    const int expected = rank.rank / per_node;
    std::printf("rank %d: node %d (%s)\n", rank.rank, rank.node, rank.hostname.c_str());
    check(rank.node == expected, "rank " + std::to_string(rank.rank) + " is on node " +
                                     std::to_string(rank.node) + ", not on node " +
                                     std::to_string(expected));
    const auto [it, added] = hosts.emplace(rank.hostname, rank.node);
    check(it->second == rank.node, "hostname " + rank.hostname + " is on two nodes");
  }
  check(
      static_cast<int>(hosts.size()) == expected_nodes,
      std::to_string(hosts.size()) + " hostnames for " + std::to_string(expected_nodes) + " nodes");
  const auto resources = manta::cluster_resources();
  for (const auto& [host, node] : hosts) {
    check(resources.at("node:" + host) == per_node,
          "cluster_resources() counts " + std::to_string(resources.at("node:" + host)) +
              " ranks on " + host);
  }
  return per_node;
}

/// Rank `reader` reads `count` words made on `producer`; returns what `reader` counted.
Counted read(int reader, int producer, std::size_t count, std::uint64_t seed) {
  const auto counted =
      reader == manta::rank()
          ? read_from(producer, count, seed)
          : manta::get(
                manta::task(read_from).options({.rank = reader}).remote(producer, count, seed));
  return {counted[0], counted[1], counted[2], counted[3]};
}

/// Checks that `reader` read `producer`'s object of `bytes` as expected: by one get of all its
/// bytes (another node), or in place (the same node); returns what it counted.
Counted check_read(int reader, int producer, std::size_t bytes, bool by_get) {
  const Counted counted = read(reader, producer, bytes / sizeof(std::uint64_t),
                               static_cast<std::uint64_t>(reader * 100 + producer));
  const bool as_expected =
      by_get ? counted.gets == 1 && counted.get_bytes >= bytes && counted.mapped_reads == 0
             : counted.gets == 0 && counted.mapped_reads == 1;
  check(as_expected, "rank " + std::to_string(reader) + " read " + std::to_string(bytes) +
                         " bytes made on rank " + std::to_string(producer) + " with " +
                         std::to_string(counted.gets) + " get(s) of " +
                         std::to_string(counted.get_bytes) + " bytes and " +
                         std::to_string(counted.mapped_reads) + " mapped read(s), where " +
                         (by_get ? "one get" : "one mapped read") + " was due");
  std::printf("rank %d read %.1f MB made on rank %d %s\n", reader, bytes / 1e6, producer,
              by_get ? "by one get" : "in place");
  return counted;
}

}  // namespace

int main(int argc, char** argv) {
  int expected_nodes = 2;
  double megabytes = 100;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--nodes") expected_nodes = std::atoi(argv[i + 1]);
    if (std::string(argv[i]) == "--megabytes") megabytes = std::atof(argv[i + 1]);
  }
  return manta::run(argc, argv, [&] {
    check(expected_nodes >= 2, "--nodes must be 2 or more");
    const int per_node = check_nodes(expected_nodes);
    const int last = manta::world_size() - 1;
    const int last_node_first = last + 1 - per_node;

    const std::size_t small = 16u << 20;
    if (per_node > 1) {
      check_read(0, 1, small, false);
      check_read(last_node_first, last, small, false);
    }
    check_read(last_node_first, 0, small, true);
    check_read(0, last, small, true);
    const auto large = static_cast<std::size_t>(megabytes * 1e6) / 8 * 8;
    const Counted across = check_read(0, last, large, true);
    std::printf("get bandwidth between nodes: %.3f GB/s (%.0f MB in %.3f s)\n",
                static_cast<double>(across.get_bytes) / static_cast<double>(across.get_nanoseconds),
                across.get_bytes / 1e6, across.get_nanoseconds / 1e9);
    std::printf("multinode: %d nodes x %d ranks OK\n", expected_nodes, per_node);
  });
}
