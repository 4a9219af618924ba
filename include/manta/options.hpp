/// @file options.hpp
/// @brief Options for the runtime, tasks and actors: structs with defaults, set by designated
/// initialisers. Fields are only ever added at the end, never reordered.
#pragma once
#include "detail/public_header.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace manta {

/// @brief One bundle of a placement group, as PlacementGroup::bundle(i) returns it: tasks and
/// actors given it run on its rank and draw their resources from what the bundle reserved.
struct BundleAddress {
  int rank = -1;
  std::int64_t key = -1;  ///< -1: no bundle
  bool operator==(const BundleAddress&) const = default;
  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& rank& key;
  }
};

/// @brief Where a task's or an actor's code runs (TaskOptions::isolation,
/// ActorOptions::isolation, RuntimeOptions::isolation).
enum class Isolation {
  /// On a worker thread of the rank: the cheapest, but a crash, abort() or exit() in the task
  /// ends the rank, and with it the job.
  thread,
  /// In a worker process of the rank, forked from a clean helper process started before MPI:
  /// when the task's process dies (a signal, exit(), the OOM killer), its `get` throws
  /// WorkerCrashedError and the job goes on. An actor gets a worker process of its own for its
  /// life; when it dies, the call running fails with WorkerCrashedError (or runs again, per
  /// max_task_retries) and the actor restarts from its last checkpoint per max_restarts.
  /// Arguments, results and actor state go through a Unix socket, or a shared-memory file when
  /// 64 KiB or more; inside, the code cannot call Manta's API (get, put, tasks, actors) yet.
  process,
};

/// @brief What `manta::run` starts with (Ray's `ray.init(...)`). Each field also has a command-line
/// flag, parsed by `manta::run(argc, argv, ...)`, and an environment variable.
struct RuntimeOptions {
  /// CPU slots of this rank's worker pool (`--num-cpus`, `MANTA_NUM_CPUS`); 0 means the cores this
  /// process may run on (its affinity mask, or Slurm's `SLURM_CPUS_PER_TASK`).
  double num_cpus = 0;
  /// Bytes of this rank's shared-memory object store (`--object-store-memory`,
  /// `MANTA_OBJECT_STORE_MEMORY`); 0 means 2 GiB, or 30% of the node's memory shared among its
  /// ranks when that is less. Pages are only touched when used. Checked against the node's
  /// memory at start.
  std::size_t object_store_memory = 0;
  /// Where objects go that do not fit in the store (`--spill-dir`, `MANTA_SPILL_DIR`): one
  /// unlinked file each, paged out once written. Empty means `$TMPDIR`, else `/tmp` (node-local
  /// under Slurm). Checked at start: it must be a directory this process can write.
  std::string spill_dir = "";
  /// Objects at least this large are written into the shared-memory store (`--inline-limit`);
  /// smaller ones stay typed in the owner's memory.
  std::size_t inline_object_limit = 64 * 1024;
  /// spdlog level: trace, debug, info, warn, error, off (`--log-level`, `MANTA_LOG_LEVEL`).
  std::string log_level = "warn";
  /// Read large objects held by a rank on the same node in place, through its mapped store
  /// (`--map-peer-stores`, `MANTA_MAP_PEER_STORES`); false fetches them with an RMA get as for
  /// other nodes.
  bool map_peer_stores = true;
  /// GPUs of this rank (`--num-gpus`, `MANTA_NUM_GPUS`). -1 detects them: the CUDA runtime in
  /// CUDA builds, else CUDA_VISIBLE_DEVICES, SLURM_STEP_GPUS, SLURM_JOB_GPUS, SLURM_GPUS_ON_NODE;
  /// devices that every rank of a node sees are shared out among those ranks. A count given
  /// here is this rank's own (on a machine without GPUs it makes GPU accounting testable).
  int num_gpus = -1;
  /// Bytes of memory tasks and actors may reserve with their `memory` option (`--memory`,
  /// `MANTA_MEMORY`); 0 means the node's physical memory divided among its ranks.
  std::size_t memory = 0;
  /// Custom resources of this rank (`--resources sim=4,learner=1`, `MANTA_RESOURCES`), as in
  /// Ray's `resources={...}`.
  std::map<std::string, double> resources = {};
  /// Where checkpoints of actor state go (`--checkpoint-dir`, `MANTA_CHECKPOINT_DIR`): one HDF5
  /// file per checkpoint, `checkpoint-<epoch>.h5`. When it already holds checkpoints, the job
  /// restores from the newest valid one. It also turns SIGUSR1 (Slurm's `--signal=USR1@120`) into
  /// a checkpoint of every actor followed by exit code 75, for the batch script to requeue.
  std::string checkpoint_directory = {};
  /// Restore from this checkpoint file, or from the newest valid one in this directory
  /// (`--restore`, `MANTA_RESTORE`); a damaged file gives way to the one before it.
  std::string restore = {};
  /// Checkpoints kept in a directory, counting the newest (`--checkpoint-keep`,
  /// `MANTA_CHECKPOINT_KEEP`).
  int checkpoint_keep = 3;
  /// Microseconds a thread with nothing to do keeps polling before it sleeps (`--spin-us`,
  /// `MANTA_SPIN_US`): idle workers, a `get` or `wait` whose objects are not ready, and the
  /// progress thread. Waking a sleeping thread costs tens of µs on a VM; 0 never polls. At
  /// most as many threads poll at once as the rank has cores of the node (hardware threads /
  /// ranks on the node), and none when that is a single core: polling there only delays the
  /// thread it waits for.
  int spin_us = 50;
  /// Seconds a rank may stay silent before the job ends naming it (`--peer-timeout`,
  /// `MANTA_PEER_TIMEOUT`): each rank watches the next one (a ring), which sends it a small
  /// heartbeat whenever it has sent nothing else for a fifth of this. A rank stopped (SIGSTOP),
  /// wedged in the kernel or cut off is reported by its watcher, and the job aborts instead of
  /// hanging until Slurm's time limit. 0 turns the check off.
  double peer_timeout = 60;
  /// Where tasks run when their options do not say (`--isolation thread|process`,
  /// `MANTA_ISOLATION`).
  Isolation isolation = Isolation::thread;
  /// Write the job's timeline to this file at its end (`--timeline FILE`, `MANTA_TIMELINE`):
  /// every rank's tasks, actor calls, blocking gets and waits, object transfers and checkpoints,
  /// one track per thread, with arrows from a task's submission to its run on another rank, in
  /// the Chrome trace format that Perfetto (ui.perfetto.dev) and chrome://tracing open. Written
  /// by rank 0 when the job ends, and before a requeue exit (code 75). Empty: nothing recorded.
  std::string timeline = {};
  /// Where rank 0 keeps the job's live status (`--status-file`, `MANTA_STATUS_FILE`): a JSON
  /// document rewritten every status_interval seconds and replaced whole (a reader never sees
  /// half of one), which `manta status FILE` prints as a table. Empty: under Slurm,
  /// `manta-status-<job>.<step>.json` in the working directory (`manta status --job <job>`
  /// finds it), none otherwise. "none": none.
  std::string status_file = {};
  /// Seconds between two rounds of the live status (`--status-interval`,
  /// `MANTA_STATUS_INTERVAL`); a rank that has not answered within one is listed as silent.
  double status_interval = 2;
  /// Port of the status page rank 0 serves over HTTP (`--status-port`, `MANTA_STATUS_PORT`): -1
  /// none, 0 a free one (its address is then in the status file and on rank 0's stderr).
  int status_port = -1;
  /// Address the status page listens on (`--status-address`, `MANTA_STATUS_ADDRESS`): only this
  /// node sees it unless changed; 0.0.0.0 opens it to the network.
  std::string status_address = "127.0.0.1";
  /// Start each line a task or actor call writes to std::cout, std::cerr or std::clog with
  /// "(name rank R) ", as Ray does with "(name pid=…)" (`--label-output`,
  /// `MANTA_LABEL_OUTPUT`). Each such line goes out whole, never mixed with another thread's.
  /// The driver's lines and printf's are not labelled (`srun -l`, `mpirun --tag-output` label
  /// every line with its rank), nor, yet, those of process-isolated work.
  bool label_output = false;
};

/// @brief Which exceptions thrown by a task run it again (TaskOptions::retry_exceptions), as
/// Ray's `retry_exceptions`: `true` (every exception), `false` (none), or a list of type names
/// as TaskError::exception_type() gives them (`{"std::runtime_error", "SensorTimeout"}`), which
/// match the exception's own type, not its bases.
class RetryExceptions {
 public:
  RetryExceptions(bool all = true) : all_(all) {}  // NOLINT: `= false` reads as Ray's
  RetryExceptions(std::initializer_list<std::string> types);

  /// Whether an exception of type `exception_type` is retried.
  bool covers(const std::string& exception_type) const;

 private:
  bool all_;
  /// Shared: every task submitted with these options keeps a copy.
  std::shared_ptr<const std::vector<std::string>> types_;
};

/// @brief Options of one task submission (Ray's `f.options(...)`).
struct TaskOptions {
  /// CPU slots the task holds while it runs; fractions allowed, must be >= 0.
  double num_cpus = 1;
  /// Name shown in errors and logs; empty means the registered function name.
  std::string name = {};
  /// How many times a task that throws (an exception retry_exceptions covers) is run again
  /// before its error is final; -1: no limit (Ray's).
  int max_retries = 0;
  /// Run on this rank only (Ray's node affinity, not soft); -1 lets the runtime choose.
  int rank = -1;
  /// GPUs the task holds while it runs: a fraction below 1 shares one device with other
  /// fractional tasks until its fractions are used up; 1 or more must be whole. The task reads
  /// its devices with manta::gpu_ids().
  double num_gpus = 0;
  /// Bytes of the rank's `memory` resource the task holds while it runs (accounting only).
  std::size_t memory = 0;
  /// Custom resources the task holds while it runs, e.g. {{"sim", 1}}.
  std::map<std::string, double> resources = {};
  /// Run in this placement-group bundle (PlacementGroup::bundle(i)): on its rank, holding the
  /// resources above out of what the bundle reserved.
  BundleAddress bundle = {};
  /// Which exceptions max_retries runs the task again for: every one by default (Ray's default is
  /// none, as its max_retries is meant for crashed workers).
  RetryExceptions retry_exceptions = true;
  /// Run on a thread or in a worker process of the rank (see Isolation); empty follows the job's
  /// RuntimeOptions::isolation. A process-isolated task takes and returns values that can be
  /// serialized (no ObjectRef or ActorHandle parameters).
  std::optional<Isolation> isolation = std::nullopt;
  /// Fail a task that runs longer than this with TaskTimeoutError. A process-isolated task's
  /// worker is killed, and the task is retried per max_retries. A thread cannot be killed: a
  /// thread task is asked to stop (manta::cancelled() turns true, as for a cancel), keeps its
  /// resources until it returns, and is not retried (it would run beside itself).
  std::optional<std::chrono::duration<double>> timeout = std::nullopt;
};

/// @brief Where actors go when no rank is asked for (ActorOptions::scheduling).
enum class Scheduling {
  /// Deal them out: each rank sends the actors it creates round-robin over the ranks whose
  /// unreserved resources hold them, itself first (8 actors made on rank 0 of 4 ranks: two on
  /// each). As Ray's default spreads actors over nodes.
  spread,
  /// Keep them on the creating rank while its unreserved resources hold them, then the next
  /// rank that does (from a random start).
  pack,
};

/// @brief Options of an actor's creation.
struct ActorOptions {
  /// CPU slots the actor holds for its whole life. 0 (the default, as Ray's default actors hold
  /// none once placed) lets any number of actors live on a rank.
  double num_cpus = 0;
  /// A name makes a named actor (Ray's `name`): unique in the job, found from any rank with
  /// manta::get_actor<T>(name), alive until the job ends or the actor dies (then the name is
  /// free: lookups fail with ActorNotFoundError, and a new actor may take it). Shown in errors and
  /// logs; empty means an unnamed actor, shown by its class name.
  std::string name = {};
  /// Place the actor on this rank; -1 lets `scheduling` choose.
  int rank = -1;
  /// How the rank is chosen when `rank` is -1 and no bundle is given. An actor whose constructor
  /// arguments cannot be serialized stays on the creating rank.
  Scheduling scheduling = Scheduling::spread;
  /// GPUs the actor holds for its whole life (see TaskOptions::num_gpus).
  double num_gpus = 0;
  /// Bytes of the rank's `memory` resource the actor holds for its life.
  std::size_t memory = 0;
  /// Custom resources the actor holds for its life.
  std::map<std::string, double> resources = {};
  /// Live in this placement-group bundle (see TaskOptions::bundle).
  BundleAddress bundle = {};
  /// With a name that is taken: return the actor that has it (of the same class) instead of
  /// failing, without running the constructor (Ray's get_if_exists).
  bool get_if_exists = false;
  /// Checkpoint the actor (with every other actor of the job) after every this many calls; 0
  /// never. Needs a class with `serialize` and a checkpoint directory.
  std::uint64_t checkpoint_every_calls = 0;
  /// Checkpoint the actor when this long has passed since its last checkpoint and it has run a
  /// call since; empty never. Needs the same as checkpoint_every_calls.
  std::optional<std::chrono::duration<double>> checkpoint_every = std::nullopt;
  /// How many times the actor is started again after it dies: its constructor or a method threw
  /// ActorFatalError, or manta::kill(handle, true). A restart runs the constructor with the same
  /// arguments, then loads the actor's last checkpoint (if any); queued calls then run on it.
  /// -1: no limit (Ray's).
  int max_restarts = 0;
  /// How many times a call that threw ActorFatalError runs again on the restarted actor before
  /// its error is final (at-least-once: its effects before the error are not undone, but the
  /// state restarts from the last checkpoint). -1: no limit (Ray's).
  int max_task_retries = 0;
  /// Calls that may run at once (Ray's threaded actors): they start in the order they were
  /// made, up to this many together, on the rank's worker threads, and may finish in any order;
  /// the class must then be thread-safe. Checkpoints, kills and restarts wait until no call
  /// runs. 1 (the default) runs one call at a time.
  int max_concurrency = 1;
  /// Run in a worker process of its host rank, one for the actor's life, or on the rank's
  /// threads (see Isolation); empty follows the job's RuntimeOptions::isolation. A
  /// process-isolated actor's constructor and methods take and return values that can be
  /// serialized, and it runs one call at a time (max_concurrency 1).
  std::optional<Isolation> isolation = std::nullopt;
};

/// @brief Options of `manta::wait`.
struct WaitOptions {
  /// Return once this many objects are ready (at most the number of refs given).
  std::size_t num_returns = 1;
  /// Return after this long even if fewer are ready; empty waits without limit.
  std::optional<std::chrono::duration<double>> timeout = std::nullopt;
};

}  // namespace manta
