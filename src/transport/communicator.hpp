/// @file transport/communicator.hpp
/// @brief The collectives the layers above need (barrier, sums, maxima, broadcast, gather) on a
/// group of ranks, each checked: no layer above transport calls MPI itself.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace manta::transport {

/// @brief A group of ranks doing collectives together: its own MPI communicator, freed with it
/// (unless MPI has already been finalized). Every collective must be called by every rank of the
/// group, in the same order; two threads of a rank must not use one communicator at once.
class Communicator {
 public:
  /// Every rank of the job, on a communicator of its own (collectives on it cannot match those of
  /// another Communicator or of the program's own MPI calls).
  static Communicator world();
  /// The ranks of this node that can share memory (MPI_COMM_TYPE_SHARED).
  static Communicator node();

  Communicator(Communicator&& other) noexcept;
  Communicator& operator=(Communicator&& other) noexcept;
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;
  ~Communicator();

  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }

  /// Returns once every rank has called it.
  void barrier() const;
  /// Each element replaced by its sum (or maximum) over the ranks.
  void sum(std::span<std::int64_t> values) const;
  void max(std::span<std::int64_t> values) const;
  std::int64_t sum(std::int64_t value) const;
  std::int64_t max(std::int64_t value) const;
  /// `bytes` of rank `root`, on every rank.
  void broadcast(std::string& bytes, int root = 0) const;
  /// Every rank's `bytes` in rank order, at `root`; empty on the other ranks.
  std::vector<std::string> gather(const std::string& bytes, int root = 0) const;
  /// Every rank's `bytes` in rank order, on every rank.
  std::vector<std::string> all_gather(const std::string& bytes) const;

  /// The MPI communicator, for a library that takes one (parallel HDF5 in the checkpoint layer).
  MPI_Comm native() const noexcept { return comm_; }

 private:
  explicit Communicator(MPI_Comm comm);

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
};

/// Ends every process of the job with `code` (MPI_Abort) when MPI runs with more than one rank;
/// returns otherwise, for the caller to end its own process.
void abort_job(int code);

}  // namespace manta::transport
