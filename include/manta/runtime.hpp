/// @file runtime.hpp
/// @brief Starting and stopping Manta (Ray's `ray.init` / `ray.shutdown`).
#pragma once
#include "detail/public_header.hpp"

#include "options.hpp"

#include <functional>

namespace manta {

/// @brief Starts Manta on every rank, runs `body` as the driver on rank 0, and shuts down.
///
/// Boots MPI (MPI_THREAD_MULTIPLE; a process started without a launcher is rank 0 of 1), Kokkos
/// and UCX, allocates the shared-memory object store and starts the worker pool. Manta's own flags
/// (`--num-cpus N`, `--object-store-memory BYTES`, `--inline-limit BYTES`, `--log-level L`,
/// `--help`) are read from argv; others are left for the program. On return every task has
/// finished and every actor is gone.
/// @return 0, or 1 when `body` threw (the error is printed with the rank), or 2 for bad flags
/// @code
/// int main(int argc, char** argv) {
///   return manta::run(argc, argv, [] { std::cout << manta::get(manta::put(42)) << "\n"; });
/// }
/// @endcode
int run(int argc, char** argv, const std::function<void()>& body);

/// @brief As above, with options given in code instead of argv.
int run(const RuntimeOptions& options, const std::function<void()>& body);

/// @brief Reads Manta's flags and environment variables (flags win) into RuntimeOptions.
/// @throws InvalidOptionError naming the bad flag or value
RuntimeOptions parse_options(int argc, const char* const* argv);

/// @brief The runtime as a scope, for programs (and tests) that manage their own main loop.
/// Construction starts it (as `run` does), destruction waits for every task and stops it. One at
/// a time per process; MPI itself is finalized once, at process exit.
class Runtime {
 public:
  explicit Runtime(const RuntimeOptions& options = {});
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
};

/// This process's rank in the job and the number of ranks.
int rank();
int world_size();
/// CPU slots of this rank's worker pool.
double num_cpus();
/// The options this rank's runtime runs with, defaults resolved (num_cpus, store size filled in).
const RuntimeOptions& options();

}  // namespace manta
