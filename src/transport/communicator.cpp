#include "transport/communicator.hpp"

#include "transport/status.hpp"

#include <limits>
#include <utility>

#include <manta/error.hpp>

namespace manta::transport {
namespace {

int int_size(std::size_t bytes, const char* what) {
  if (bytes > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw Error(std::string(what) + " of " + std::to_string(bytes) +
                " bytes is more than one MPI collective carries (2 GiB)");
  }
  return static_cast<int>(bytes);
}

/// Where each rank's part of a gather begins, and the parts cut out of the gathered bytes.
struct Layout {
  explicit Layout(std::vector<int> part_lengths) : lengths(std::move(part_lengths)) {
    offsets.reserve(lengths.size());
    for (const int length : lengths) {
      offsets.push_back(int_size(total, "a gather"));
      total += static_cast<std::size_t>(length);
    }
  }

  std::vector<std::string> parts(const std::string& all) const {
    std::vector<std::string> cut;
    cut.reserve(lengths.size());
    for (std::size_t rank = 0; rank < lengths.size(); ++rank) {
      cut.push_back(all.substr(static_cast<std::size_t>(offsets[rank]),
                               static_cast<std::size_t>(lengths[rank])));
    }
    return cut;
  }

  std::vector<int> lengths;
  std::vector<int> offsets;
  std::size_t total = 0;
};

}  // namespace

Communicator::Communicator(MPI_Comm comm) : comm_(comm) {
  MANTA_CHECK_MPI(MPI_Comm_rank(comm_, &rank_));
  MANTA_CHECK_MPI(MPI_Comm_size(comm_, &size_));
}

Communicator Communicator::world() {
  MPI_Comm comm = MPI_COMM_NULL;
  MANTA_CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &comm));
  return Communicator(comm);
}

Communicator Communicator::node() {
  int world_rank = 0;
  MANTA_CHECK_MPI(MPI_Comm_rank(MPI_COMM_WORLD, &world_rank));
  MPI_Comm comm = MPI_COMM_NULL;
  MANTA_CHECK_MPI(
      MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, world_rank, MPI_INFO_NULL, &comm));
  return Communicator(comm);
}

Communicator::Communicator(Communicator&& other) noexcept
    : comm_(std::exchange(other.comm_, MPI_COMM_NULL)), rank_(other.rank_), size_(other.size_) {}

Communicator& Communicator::operator=(Communicator&& other) noexcept {
  if (this != &other) {
    std::swap(comm_, other.comm_);
    std::swap(rank_, other.rank_);
    std::swap(size_, other.size_);
  }
  return *this;
}

Communicator::~Communicator() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

void Communicator::barrier() const { MANTA_CHECK_MPI(MPI_Barrier(comm_)); }

void Communicator::sum(std::span<std::int64_t> values) const {
  MANTA_CHECK_MPI(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()),
                                MPI_INT64_T, MPI_SUM, comm_));
}

void Communicator::max(std::span<std::int64_t> values) const {
  MANTA_CHECK_MPI(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()),
                                MPI_INT64_T, MPI_MAX, comm_));
}

std::int64_t Communicator::sum(std::int64_t value) const {
  sum(std::span(&value, 1));
  return value;
}

std::int64_t Communicator::max(std::int64_t value) const {
  max(std::span(&value, 1));
  return value;
}

void Communicator::broadcast(std::string& bytes, int root) const {
  int length = rank_ == root ? int_size(bytes.size(), "a broadcast") : 0;
  MANTA_CHECK_MPI(MPI_Bcast(&length, 1, MPI_INT, root, comm_));
  bytes.resize(static_cast<std::size_t>(length));
  MANTA_CHECK_MPI(MPI_Bcast(bytes.data(), length, MPI_BYTE, root, comm_));
}

std::vector<std::string> Communicator::gather(const std::string& bytes, int root) const {
  const bool gathers = rank_ == root;
  int length = int_size(bytes.size(), "a gathered contribution");
  std::vector<int> lengths(gathers ? static_cast<std::size_t>(size_) : 0);
  MANTA_CHECK_MPI(MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, root, comm_));
  const Layout layout(std::move(lengths));
  std::string all(layout.total, '\0');
  MANTA_CHECK_MPI(MPI_Gatherv(bytes.data(), length, MPI_BYTE, all.data(), layout.lengths.data(),
                              layout.offsets.data(), MPI_BYTE, root, comm_));
  return layout.parts(all);
}

std::vector<std::string> Communicator::all_gather(const std::string& bytes) const {
  int length = int_size(bytes.size(), "a gathered contribution");
  std::vector<int> lengths(static_cast<std::size_t>(size_));
  MANTA_CHECK_MPI(MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, comm_));
  const Layout layout(std::move(lengths));
  std::string all(layout.total, '\0');
  MANTA_CHECK_MPI(MPI_Allgatherv(bytes.data(), length, MPI_BYTE, all.data(), layout.lengths.data(),
                                 layout.offsets.data(), MPI_BYTE, comm_));
  return layout.parts(all);
}

void abort_job(int code) {
  int initialized = 0;
  int finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized == 0 || finalized != 0) return;
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size > 1) MPI_Abort(MPI_COMM_WORLD, code);
}

}  // namespace manta::transport
