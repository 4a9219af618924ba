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

MpiBootstrap::MpiBootstrap()
    : world_((ensure_mpi_initialized(), Communicator::world())), node_(Communicator::node()) {
  layout_.rank = world_.rank();
  layout_.size = world_.size();
  layout_.node_rank = node_.rank();
  layout_.node_size = node_.size();
  char name[MPI_MAX_PROCESSOR_NAME];
  int length = 0;
  MANTA_CHECK_MPI(MPI_Get_processor_name(name, &length));
  layout_.hostname.assign(name, static_cast<std::size_t>(length));
}

}  // namespace manta::transport
