/// @file transport/mpi_bootstrap.hpp
/// @brief Starting from MPI: who this rank is and which ranks share its node. No head node, no
/// ports, no daemons: the launcher (srun, mpirun, or none for a singleton) provides everything.
#pragma once

#include "transport/communicator.hpp"

#include <string>

namespace manta::transport {

/// @brief The job as MPI sees it.
struct JobLayout {
  int rank = 0;       ///< in MPI_COMM_WORLD
  int size = 1;       ///< ranks in the job
  int node_rank = 0;  ///< rank among the ranks on this node
  int node_size = 1;  ///< ranks on this node
  std::string hostname;
};

/// @brief Initializes MPI (MPI_THREAD_MULTIPLE) if nobody has, and splits off the node-local
/// communicator. MPI is finalized once, at process exit, so runtimes can start and stop in turn.
class MpiBootstrap {
 public:
  /// @throws manta::Error if MPI fails or cannot give MPI_THREAD_MULTIPLE
  MpiBootstrap();
  MpiBootstrap(const MpiBootstrap&) = delete;
  MpiBootstrap& operator=(const MpiBootstrap&) = delete;

  /// Whether MPI was initialised in this process (by Manta or before it).
  static bool mpi_started();

  const JobLayout& layout() const noexcept { return layout_; }
  /// Every rank of the job.
  const Communicator& world() const noexcept { return world_; }
  /// Ranks sharing this node's memory (MPI_COMM_TYPE_SHARED).
  const Communicator& node() const noexcept { return node_; }

 private:
  Communicator world_;
  Communicator node_;
  JobLayout layout_;
};

}  // namespace manta::transport
