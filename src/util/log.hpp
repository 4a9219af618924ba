/// @file util/log.hpp
/// @brief Manta's logger: every line says which rank (and Slurm job, when there is one) wrote it.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace manta::util {

/// The process-wide logger. Thread-safe.
spdlog::logger& log();

/// Sets the rank shown on every line and the level (trace … off). Call once the rank is known.
/// @throws manta::InvalidOptionError for an unknown level
void configure_logging(int rank, int size, const std::string& level);

/// This process's rank as its launcher numbered it (Open MPI, PMIx, PMI, Slurm's srun), for what
/// is said before MPI is up; -1 when none says (a process started alone).
int launcher_rank();

/// Writes "manta: <line>\n" to stderr in one write(2): under mpirun each chunk of a rank's stderr
/// is forwarded on its own, so a line written piecewise can be split by an MPI_Abort banner.
void print_to_stderr(const std::string& line);

}  // namespace manta::util
