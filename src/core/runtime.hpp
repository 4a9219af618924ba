/// @file core/runtime.hpp
/// @brief One rank's running Manta: the parts it is made of, and the work in flight.
#pragma once

#include "core/executor.hpp"
#include "core/object.hpp"
#include "store/object_store.hpp"
#include "transport/mpi_bootstrap.hpp"
#include "transport/ucx_context.hpp"

#include <manta/options.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

namespace manta::core {

/// @brief Starts, in order, MPI, logging, Kokkos, UCX, the object store and the worker pool, and
/// stops them in reverse once all submitted work has finished. One per process at a time.
class Runtime {
 public:
  /// @throws InvalidOptionError for bad options, Error when a dependency fails to start or a
  /// name was registered twice
  explicit Runtime(const RuntimeOptions& options);
  /// Waits for every task and actor call to finish, then stops.
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// The running runtime. @throws Error when Manta is not running
  static Runtime& current();
  /// The running runtime, or null.
  static Runtime* running() noexcept;
  /// The running runtime if it is the one numbered `generation` (see generation()), else null:
  /// lets objects that outlive a runtime skip giving resources back to it.
  static Runtime* current_if(std::uint64_t generation) noexcept;
  std::uint64_t generation() const noexcept { return generation_; }

  /// Options with defaults resolved (num_cpus, object_store_memory filled in).
  const RuntimeOptions& options() const noexcept { return options_; }
  const transport::JobLayout& layout() const noexcept { return mpi_.layout(); }
  int rank() const noexcept { return mpi_.layout().rank; }
  Executor& executor() noexcept { return executor_; }
  store::ObjectStore& store() noexcept { return store_; }

  /// A fresh id owned by this rank.
  ObjectId next_object_id() noexcept {
    return {rank(), next_sequence_.fetch_add(1, std::memory_order_relaxed)};
  }

  /// Counts work from submission to completion, so shutdown can wait for all of it.
  void work_started() noexcept { outstanding_.fetch_add(1, std::memory_order_relaxed); }
  void work_finished() noexcept;

  /// Blocks until `needed` of `objects` are ready or `deadline` passes; a worker thread gives its
  /// CPU units back meanwhile. Returns one flag per object: ready (or failed) when it returned.
  std::vector<bool> wait_objects(std::span<Object* const> objects, std::size_t needed,
                                 detail::Deadline deadline);

 private:
  void wait_for_outstanding_work();

  const std::uint64_t generation_;
  const RuntimeOptions options_;
  transport::MpiBootstrap mpi_;
  transport::UcxContext ucx_;
  store::ObjectStore store_;
  std::atomic<std::uint64_t> next_sequence_{1};
  std::atomic<std::int64_t> outstanding_{0};
  std::mutex idle_mutex_;
  std::condition_variable idle_;
  Executor executor_;  ///< last: its threads stop first
};

}  // namespace manta::core
