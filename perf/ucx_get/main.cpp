// The transport's own figure for what Manta's cross-rank object transfer does: rank 0 reads
// 8 bytes, 1 MB and 100 MB from rank 1's registered region with ucp_get_nbx, into a registered
// region of its own. Both regions are UCX-allocated (UCP_MEM_MAP_ALLOCATE) as Manta's stores
// are, so the get takes the same path (native on shared memory, see shared/ucx-rma-notes.md);
// addresses and rkeys go over MPI. Each get is timed from issue to completion, as Manta's
// transfer_stats() times its gets. The baseline of cross_rank_get_1mb and cross_rank_get_100mb.
//
//   mpirun -np 2 manta_perf_ucx_get [--repetitions 5] [--quick] [--output FILE]
#include "../common/results.hpp"
#include "../common/ucx_peer.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace {

constexpr std::size_t small_bytes = 8;
constexpr std::size_t one_mb = 1'000'000;
constexpr std::size_t hundred_mb = 100'000'000;
constexpr unsigned char pattern = 7;

/// A UCX-allocated, registered region, its pages touched (as a store's warm pages are).
class Region {
 public:
  Region(ucp_context_h context, std::size_t size) : context_(context) {
    ucp_mem_map_params_t params{};
    params.field_mask = UCP_MEM_MAP_PARAM_FIELD_ADDRESS | UCP_MEM_MAP_PARAM_FIELD_LENGTH |
                        UCP_MEM_MAP_PARAM_FIELD_FLAGS;
    params.address = nullptr;
    params.length = size;
    params.flags = UCP_MEM_MAP_ALLOCATE;
    bench::check_ucx(ucp_mem_map(context_, &params, &memory_), "ucp_mem_map");
    ucp_mem_attr_t attributes{};
    attributes.field_mask = UCP_MEM_ATTR_FIELD_ADDRESS;
    bench::check_ucx(ucp_mem_query(memory_, &attributes), "ucp_mem_query");
    base_ = static_cast<unsigned char*>(attributes.address);
    std::memset(base_, 0, size);
  }
  ~Region() { ucp_mem_unmap(context_, memory_); }
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;

  unsigned char* base() const noexcept { return base_; }
  ucp_mem_h memory() const noexcept { return memory_; }

  /// The rkey and base address a peer needs to read this region, packed together.
  std::vector<char> remote_access() const {
    void* rkey = nullptr;
    std::size_t rkey_size = 0;
    bench::check_ucx(ucp_rkey_pack(context_, memory_, &rkey, &rkey_size), "ucp_rkey_pack");
    const auto address = reinterpret_cast<std::uint64_t>(base_);
    std::vector<char> packed(sizeof address + rkey_size);
    std::memcpy(packed.data(), &address, sizeof address);
    std::memcpy(packed.data() + sizeof address, rkey, rkey_size);
    ucp_rkey_buffer_release(rkey);
    return packed;
  }

 private:
  ucp_context_h context_;
  ucp_mem_h memory_ = nullptr;
  unsigned char* base_ = nullptr;
};

/// Rank 0's side: gets from the peer's region into its own.
class Reader {
 public:
  Reader(const bench::UcxPeer& ucx, const Region& local, const std::vector<char>& peer_access)
      : ucx_(ucx), local_(local) {
    std::memcpy(&remote_base_, peer_access.data(), sizeof remote_base_);
    bench::check_ucx(
        ucp_ep_rkey_unpack(ucx.endpoint(), peer_access.data() + sizeof remote_base_, &rkey_),
        "ucp_ep_rkey_unpack");
  }
  ~Reader() { ucp_rkey_destroy(rkey_); }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  /// Seconds spent in `count` gets of `bytes`, each waited for before the next is issued.
  double gets_seconds(std::size_t bytes, int count) const {
    ucp_request_param_t param{};
    param.op_attr_mask = UCP_OP_ATTR_FIELD_MEMH;
    param.memh = local_.memory();
    const auto start = bench::Clock::now();
    for (int i = 0; i < count; ++i) {
      ucx_.wait(ucp_get_nbx(ucx_.endpoint(), local_.base(), bytes, remote_base_, rkey_, &param),
                "ucp_get_nbx");
    }
    const double seconds = bench::seconds_since(start);
    if (local_.base()[bytes - 1] != pattern) throw std::runtime_error("the get read wrong bytes");
    local_.base()[bytes - 1] = 0;
    return seconds;
  }

  double latency_us(int count) const { return gets_seconds(small_bytes, count) / count * 1e6; }
  double gbps(std::size_t bytes, int count) const {
    return static_cast<double>(bytes) * count / gets_seconds(bytes, count) / 1e9;
  }

 private:
  const bench::UcxPeer& ucx_;
  const Region& local_;
  std::uint64_t remote_base_ = 0;
  ucp_rkey_h rkey_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  CLI::App app("Raw UCX get latency and bandwidth (mpirun -np 2)");
  bench::Options options;
  bench::add_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    MPI_Finalize();
    return code;
  }
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  {
    bench::UcxPeer ucx(UCP_FEATURE_RMA | UCP_FEATURE_WAKEUP);
    Region region(ucx.context(), hundred_mb);
    if (rank == 1) std::memset(region.base(), pattern, hundred_mb);
    const std::vector<char> peer_access =
        bench::exchange_with_peer(region.remote_access(), ucx.peer_rank());

    if (rank == 0) {
      const Reader reader(ucx, region, peer_access);
      const int small_count = options.quick ? 1000 : 10000;
      const int mb_count = options.quick ? 10 : 100;
      const int large_count = options.quick ? 1 : 3;
      reader.gbps(hundred_mb, 1);  // warm: endpoint lanes, rkey, remote mapping
      std::vector<double> small, mb, large;
      for (int i = 0; i < options.repetitions; ++i) {
        small.push_back(reader.latency_us(small_count));
        mb.push_back(reader.gbps(one_mb, mb_count));
        large.push_back(reader.gbps(hundred_mb, large_count));
      }
      bench::Results results;
      results.record("ucx_get_8b", "us", "", small);
      results.record("ucx_get_1mb", "GB/s", "", mb);
      results.record("ucx_get_100mb", "GB/s", "", large);
      results.write(options.output);
    }
    // Rank 1 serves the gets as an idle Manta rank would: its worker progresses when events
    // arrive (an emulated get, over tcp, needs the target) and sleeps otherwise, leaving the
    // cores to rank 0.
    const bench::UcxWakeup wakeup(ucx.worker());
    MPI_Request done;
    MPI_Ibarrier(MPI_COMM_WORLD, &done);
    for (int finished = 0; !finished; MPI_Test(&done, &finished, MPI_STATUS_IGNORE)) {
      if (ucp_worker_progress(ucx.worker()) == 0) wakeup.sleep(1);
    }
  }
  MPI_Finalize();
  return 0;
}
