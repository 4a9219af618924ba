/// @file transport/mpi_bootstrap.hpp
/// @brief Starting from MPI: who this rank is and which ranks share its node. No head node, no
/// ports, no daemons: the launcher (srun, mpirun, or none for a singleton) provides everything.
#pragma once

#include <mpi.h>

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
  ~MpiBootstrap();
  MpiBootstrap(const MpiBootstrap&) = delete;
  MpiBootstrap& operator=(const MpiBootstrap&) = delete;

  /// Whether MPI was initialised in this process (by Manta or before it).
  static bool mpi_started();

  const JobLayout& layout() const noexcept { return layout_; }
  /// Ranks sharing this node's memory (MPI_COMM_TYPE_SHARED).
  MPI_Comm node_comm() const noexcept { return node_comm_; }

 private:
  MPI_Comm node_comm_ = MPI_COMM_NULL;
  JobLayout layout_;
};

}  // namespace manta::transport
