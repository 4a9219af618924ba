// The object store's memory as the node sees it. Each rank starts a store of a quarter of its
// share of the node's memory: starting it must not take that memory (pages are taken as objects
// are written, whatever allocation path UCX would choose), objects still cross ranks, and
// however the job ends (MODE: exit, throw, kill) nothing is left in /dev/shm
// (store_leaves_nothing.sh checks that part after the job).
// MODE full: rank 0 fills its store, then reads a large result of the last rank, which must
// arrive although there is no room for it in the store (with --map-peer-stores false, or over
// tcp, it comes by a get).
// MODE spill: rank 0 puts 4 times its store in 1 MiB objects and one object twice the store's
// size; they spill to files, the process's resident memory grows by about the store only, and
// every byte reads back, also on the last rank.
//   manta_store_memory MODE [manta flags]
#include "../support/process_memory.hpp"

#include <manta/manta.hpp>

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr std::size_t mib = std::size_t{1} << 20;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif

using manta::testing::node_shared_memory;
using manta::testing::resident_bytes;

double sum(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0);
}
}  // namespace

MANTA_REMOTE(sum);

namespace {

std::vector<std::uint32_t> counting(std::size_t count) {
  std::vector<std::uint32_t> values(count);
  std::iota(values.begin(), values.end(), 7u);
  return values;
}

/// Rank 0 fills its store with 1 MiB objects, then reads 8 MiB made on the last rank.
void read_into_a_full_store(std::size_t store) {
  std::vector<manta::ObjectRef<std::vector<char>>> filler;
  for (std::size_t i = 0; i < store / mib + 4; ++i) {
    filler.push_back(manta::put(std::vector<char>(mib - 4096, static_cast<char>(i))));
  }
  const std::size_t count = 8 * mib / sizeof(std::uint32_t);
  const auto ref = manta::task(counting).options({.rank = manta::world_size() - 1}).remote(count);
  const auto& values = manta::get(ref);
  if (values != counting(count)) throw std::runtime_error("the 8 MiB result arrived changed");
  for (std::size_t i = 0; i < filler.size(); ++i) {
    if (manta::get(filler[i]).back() != static_cast<char>(i)) {
      throw std::runtime_error("filler object " + std::to_string(i) + " changed");
    }
  }
  std::printf("rank 0: 8 MiB from rank %d read with its store full (%s)\n", manta::world_size() - 1,
              manta::transfer_stats().gets > 0 ? "by a get" : "in place");
}

std::vector<std::uint32_t> pattern(std::size_t count, std::uint32_t seed) {
  std::vector<std::uint32_t> values(count);
  for (std::size_t i = 0; i < count; ++i)
    values[i] = static_cast<std::uint32_t>(i * 2654435761u) ^ seed;
  return values;
}

bool has_pattern(std::span<const std::uint32_t> values, std::size_t count, std::uint32_t seed) {
  const auto expected = pattern(count, seed);
  return values.size() == count && std::equal(values.begin(), values.end(), expected.begin());
}

bool remote_has_pattern(const std::vector<std::uint32_t>& values, std::size_t count,
                        std::uint32_t seed) {
  return has_pattern(values, count, seed);
}

void spill_four_stores(std::size_t store) {
  const std::size_t count = mib / sizeof(std::uint32_t);
  const std::size_t objects = 4 * store / mib;
  const std::size_t before = resident_bytes();
  std::vector<manta::ObjectRef<std::vector<std::uint32_t>>> refs;
  for (std::size_t i = 0; i < objects; ++i) {
    refs.push_back(manta::put(pattern(count, static_cast<std::uint32_t>(i))));
  }
  const long grown =
      (static_cast<long>(resident_bytes()) - static_cast<long>(before)) / static_cast<long>(mib);
  std::printf("rank 0: %zu objects of 1 MiB through a %zu MiB store: resident %+ld MiB\n", objects,
              store / mib, grown);
  // A sanitizer's shadow of the bytes written counts as resident too: the bound is for plain
  // builds; the bytes are checked everywhere.
  if (!sanitized && grown > static_cast<long>(store / mib) + 64) {
    throw std::runtime_error("resident memory grew by " + std::to_string(grown) + " MiB for " +
                             std::to_string(objects) + " MiB of objects in a store of " +
                             std::to_string(store / mib) + " MiB: they did not spill");
  }
  const std::size_t large_count = 2 * store / sizeof(std::uint32_t);
  const auto large = manta::put(pattern(large_count, 99));
  if (!has_pattern(manta::get_view(large), large_count, 99)) {
    throw std::runtime_error("the object twice the store's size changed");
  }
  for (std::size_t i = 0; i < objects; ++i) {
    if (!has_pattern(manta::get_view(refs[i]), count, static_cast<std::uint32_t>(i))) {
      throw std::runtime_error("object " + std::to_string(i) + " changed");
    }
  }
  const int last = manta::world_size() - 1;
  const auto seen = manta::task(remote_has_pattern)
                        .options({.rank = last})
                        .remote(refs.back(), count, static_cast<std::uint32_t>(objects - 1));
  if (!manta::get(seen))
    throw std::runtime_error("rank " + std::to_string(last) + " read it changed");
  std::printf("rank 0: every byte read back, the last object also on rank %d\n", last);
}

}  // namespace

MANTA_REMOTE(counting);
MANTA_REMOTE(remote_has_pattern);

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode != "exit" && mode != "throw" && mode != "kill" && mode != "full" && mode != "spill") {
    std::fprintf(stderr, "usage: %s exit|throw|kill|full|spill [manta flags]\n", argv[0]);
    return 2;
  }
  // Unless --object-store-memory says: a quarter of one rank's share of the node (at most 4
  // ranks run this test on one node).
  const std::size_t store =
      static_cast<std::size_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE) / 16;
  const std::size_t before = node_shared_memory();
  auto options = manta::parse_options(argc - 1, argv + 1);
  if (options.object_store_memory == 0) options.object_store_memory = store;
  return manta::run(options, [&] {
    const int rank = manta::rank();
    const std::size_t started = node_shared_memory();
    std::printf("rank %d: store %zu MiB; the node's shared memory %+ld MiB after start\n", rank,
                options.object_store_memory / mib,
                (static_cast<long>(started) - static_cast<long>(before)) / static_cast<long>(mib));
    // UCX's own shared-memory queues take some MiB; stores touched at once would take all of
    // their size, on every rank of the node.
    if (started > before + options.object_store_memory / 4) {
      throw std::runtime_error("rank " + std::to_string(rank) + ": the store's " +
                               std::to_string(options.object_store_memory / mib) +
                               " MiB were touched at start");
    }
    if (mode == "full" || mode == "spill") {
      if (rank == 0 && mode == "full") read_into_a_full_store(options.object_store_memory);
      if (rank == 0 && mode == "spill") spill_four_stores(options.object_store_memory);
      return;
    }
    if (rank == 0) {
      // 64 MiB into the store, read by a task on every rank (in place on this node, or a get).
      const auto ref = manta::put(std::vector<double>(64 * mib / sizeof(double), 0.5));
      std::vector<manta::ObjectRef<double>> sums;
      for (int r = 0; r < manta::world_size(); ++r) {
        sums.push_back(manta::task(sum).options({.rank = r}).remote(ref));
      }
      for (int r = 0; r < manta::world_size(); ++r) {
        const double total = manta::get(sums[r]);
        if (total != 0.5 * (64 * mib / sizeof(double))) {
          throw std::runtime_error("rank " + std::to_string(r) + " summed " +
                                   std::to_string(total));
        }
      }
      std::printf("rank 0: 64 MiB object read on %d rank(s)\n", manta::world_size());
      std::fflush(stdout);
      if (mode == "throw") throw std::runtime_error("the driver throws on purpose");
      if (mode == "kill") std::raise(SIGKILL);
    }
  });
}
