#include "transport/mpi_bootstrap.hpp"

#include "transport/status.hpp"

#include <manta/error.hpp>

#include <cstdlib>

namespace manta::transport {
namespace {

void finalize_mpi_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void ensure_mpi_initialized() {
  int initialized = 0;
  MANTA_CHECK_MPI(MPI_Initialized(&initialized));
  if (!initialized) {
    int provided = 0;
    MANTA_CHECK_MPI(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided));
    std::atexit(finalize_mpi_at_exit);
    // Errors come back as codes (turned into exceptions) instead of aborting the job silently.
    MANTA_CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
  }
  int provided = 0;
  MANTA_CHECK_MPI(MPI_Query_thread(&provided));
  if (provided < MPI_THREAD_MULTIPLE) {
    throw Error("MPI provides thread level " + std::to_string(provided) +
                ", Manta needs MPI_THREAD_MULTIPLE (" + std::to_string(MPI_THREAD_MULTIPLE) + ")");
  }
}

}  // namespace

bool MpiBootstrap::mpi_started() {
  int initialized = 0;
  MANTA_CHECK_MPI(MPI_Initialized(&initialized));
  return initialized != 0;
}

MpiBootstrap::MpiBootstrap() {
  ensure_mpi_initialized();
  MANTA_CHECK_MPI(MPI_Comm_rank(MPI_COMM_WORLD, &layout_.rank));
  MANTA_CHECK_MPI(MPI_Comm_size(MPI_COMM_WORLD, &layout_.size));
  MANTA_CHECK_MPI(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, layout_.rank,
                                      MPI_INFO_NULL, &node_comm_));
  MANTA_CHECK_MPI(MPI_Comm_rank(node_comm_, &layout_.node_rank));
  MANTA_CHECK_MPI(MPI_Comm_size(node_comm_, &layout_.node_size));
  char name[MPI_MAX_PROCESSOR_NAME];
  int length = 0;
  MANTA_CHECK_MPI(MPI_Get_processor_name(name, &length));
  layout_.hostname.assign(name, static_cast<std::size_t>(length));
}

MpiBootstrap::~MpiBootstrap() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && node_comm_ != MPI_COMM_NULL) MPI_Comm_free(&node_comm_);
}

}  // namespace manta::transport
