/// @file core/runtime.hpp
/// @brief One rank's running Manta: the parts it is made of, and the work in flight.
#pragma once

#include "core/actor.hpp"
#include "core/actor_directory.hpp"
#include "core/actor_names.hpp"
#include "core/checkpointer.hpp"
#include "core/cluster.hpp"
#include "core/executor.hpp"
#include "core/job_state.hpp"
#include "core/message_router.hpp"
#include "core/object.hpp"
#include "core/placement_group.hpp"
#include "core/remote.hpp"
#include "core/requeue_signal.hpp"
#include "core/timers.hpp"
#include "core/work_count.hpp"
#include "core/worker_pool.hpp"
#include "store/object_store.hpp"
#include "transport/messenger.hpp"
#include "transport/mpi_bootstrap.hpp"
#include "transport/ucx_context.hpp"
#include "util/labelled_output.hpp"

#include <manta/options.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace manta::core {

class StatusPublisher;

/// @brief Starts, in order, MPI, logging, Kokkos, UCX, the object store, the worker pool and
/// the messenger (after every rank has told the others how to reach it), and stops them in
/// reverse once all work everywhere has finished. One per process at a time.
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
  /// The running runtime if it is the one numbered `generation` (see generation()), else null:
  /// lets objects that outlive a runtime skip giving resources back to it.
  static Runtime* current_if(std::uint64_t generation) noexcept;
  /// Called first in a worker process (which has no runtime): current() then says why Manta's
  /// API is not available in a process-isolated task.
  static void enter_worker_process() noexcept;
  std::uint64_t generation() const noexcept { return generation_; }

  /// Options with defaults resolved (num_cpus, object_store_memory filled in).
  const RuntimeOptions& options() const noexcept { return options_; }
  const transport::JobLayout& layout() const noexcept { return mpi_.layout(); }
  int rank() const noexcept { return mpi_.layout().rank; }
  Executor& executor() noexcept { return executor_; }
  store::ObjectStore& store() noexcept { return store_; }
  const Cluster& cluster() const noexcept { return cluster_; }
  Cluster& cluster() noexcept { return cluster_; }
  Remote& remote() noexcept { return remote_; }
  ActorDirectory& actors() noexcept { return actors_; }
  PlacementGroups& placement_groups() noexcept { return *placement_groups_; }
  ActorNames& actor_names() noexcept { return *actor_names_; }
  JobState& job_state() noexcept { return *job_state_; }
  WorkerPool& workers() noexcept { return *workers_; }
  Timers& timers() noexcept { return timers_; }
  transport::Messenger& messenger() noexcept { return *messenger_; }
  Checkpointer& checkpointer() noexcept { return *checkpointer_; }
  RequeueSignal& requeue_signal() noexcept { return requeue_signal_; }

  /// A fresh id owned by this rank.
  ObjectId next_object_id() noexcept {
    return {rank(), next_sequence_.fetch_add(1, std::memory_order_relaxed)};
  }

  /// Counts work from submission to completion, so shutdown can wait for all of it.
  void work_started() noexcept { work_.started(); }
  void work_finished() noexcept { work_.finished(); }

  /// Blocks until `needed` of `objects` are ready or `deadline` passes: polls for
  /// options().spin_us, then sleeps, a worker thread giving its CPU units back meanwhile. Costs
  /// O(objects) in all: the batch shares one Waiter. Returns one flag per object: ready (or
  /// failed) when it returned.
  std::vector<bool> wait_objects(std::span<Object* const> objects, std::size_t needed,
                                 detail::Deadline deadline);

  /// On rank 0, the live status's last word before the job ends without this destructor
  /// (the driver failed, a requeue exit): `state` ("failed", "requeued") and why.
  void end_status(const std::string& state, const std::string& error);

  /// A peer fell silent or sent malformed bytes (transport::Messenger::PeerFailure, a message
  /// Remote cannot decode): says so by name, on this rank's log and stderr, and aborts the job.
  [[noreturn]] void end_job_for_failed_peer(int peer, const std::string& problem);

 private:
  /// Returns once no rank has work left and none can get any: every rank's outstanding count is
  /// zero in two rounds in a row that saw no work start anywhere. Collective.
  void wait_for_quiet_job();
  /// Whether a status file or page is asked for (the same on every rank).
  bool status_wanted() const noexcept;
  /// On rank 0: publishes the live status if it is wanted.
  void start_status();
  /// COLLECTIVE, once no work is left: the status's last document, "finished", with every
  /// rank's final state (when the status is wanted).
  void finish_status();

  const std::uint64_t generation_;
  RequeueSignal requeue_signal_;  ///< before MPI starts: no moment of start-up dies of SIGUSR1
  std::string no_workers_why_;    ///< why spawner_ is null
  /// The helper that forks worker processes, started before MPI (forking after it is unsafe).
  process::WorkerSpawner* const spawner_;
  transport::MpiBootstrap mpi_;
  const RuntimeOptions options_;
  /// --label-output's stream buffers; they outlive the threads that run tasks.
  std::optional<util::LabelledOutput> labelled_output_;
  std::vector<std::string> gpu_ids_;     ///< this rank's GPUs as its launcher named them
  const std::vector<int> gpu_ordinals_;  ///< the same GPUs as CUDA ordinals
  transport::UcxContext ucx_;
  store::ObjectStore store_;
  std::vector<transport::PeerInfo> peers_;
  Cluster cluster_;
  /// Decodes what the messenger delivers for the subsystems that registered its type.
  MessageRouter router_{
      {layout().size, cluster_.catalog().size()},
      [this](int peer, const std::string& problem) { end_job_for_failed_peer(peer, problem); }};
  Remote remote_{*this, router_};
  ActorDirectory actors_;
  std::unique_ptr<PlacementGroups> placement_groups_;
  std::unique_ptr<ActorNames> actor_names_;
  std::unique_ptr<JobState> job_state_;  ///< outlives the actors and the executor's threads
  std::unique_ptr<WorkerPool> workers_;
  std::atomic<std::uint64_t> next_sequence_{1};
  WorkCount work_;
  Executor executor_;  ///< its threads stop before the parts above go
  Timers timers_;      ///< thread tasks' timeouts; none is pending once the work is done
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<StatusPublisher> status_;          ///< rank 0's live status; asks job_state_
  std::unique_ptr<transport::Messenger> messenger_;  ///< started last, stopped first
};

}  // namespace manta::core
