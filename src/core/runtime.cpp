#include "core/runtime.hpp"

#include "core/actor_handlers.hpp"
#include "core/registry.hpp"
#include "core/status_publisher.hpp"
#include "core/task.hpp"
#include "core/timeline_file.hpp"
#include "resources/discovery.hpp"
#include "resources/request.hpp"
#include "status/status_text.hpp"
#include "store/sizing.hpp"
#include "store/spill_file.hpp"
#include "transport/communicator.hpp"
#include "util/log.hpp"
#include "util/output_file.hpp"
#include "util/spin.hpp"
#include "util/timeline.hpp"

#include <manta/error.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>

namespace manta::core {
namespace {

std::atomic<Runtime*> running_runtime{nullptr};
std::atomic<bool> in_worker_process{false};
std::atomic<std::uint64_t> generations{0};

/// Threads beyond one per CPU exist only while workers are blocked in `get`.
constexpr std::size_t max_worker_threads = 512;

/// Checked first, before MPI is touched: a second runtime must not join collectives.
std::uint64_t next_generation() {
  if (running_runtime.load() != nullptr) {
    throw Error("a Manta runtime is already running in this process; stop it first");
  }
  if (const auto duplicates = Registry::instance().duplicates(); !duplicates.empty()) {
    std::string names;
    for (const auto& name : duplicates) names += (names.empty() ? "" : ", ") + name;
    throw Error("names registered more than once (MANTA_REMOTE/MANTA_ACTOR): " + names);
  }
  return generations.fetch_add(1) + 1;
}

/// The process's worker-process helper: started now if MPI has not started yet (in the first
/// runtime of the process), else the one started then; null, with `why`, when MPI came first.
process::WorkerSpawner* worker_spawner(std::string& why) {
  if (auto* started = process::WorkerSpawner::started()) return started;
  if (transport::MpiBootstrap::mpi_started()) {
    why =
        "MPI was initialised before Manta started, and forking worker processes after MPI is "
        "unsafe: let manta::run or manta::Runtime initialise MPI";
    return nullptr;
  }
  return &process::WorkerSpawner::start(serve_worker);
}

/// Whether every rank on this node passed the same `text` (collective over the node).
bool same_on_node(const transport::MpiBootstrap& mpi, const std::string& text) {
  const auto hash = static_cast<std::int64_t>(std::hash<std::string>{}(text) >> 1);
  std::int64_t extremes[2] = {hash, -hash};
  mpi.node().max(extremes);
  return extremes[0] == -extremes[1];
}

/// Fills in or checks the store's size against the node's memory and the stores of its other
/// ranks (collective over the node). The node's first rank logs the warnings.
void size_store(RuntimeOptions& options, const transport::MpiBootstrap& mpi) {
  const auto& layout = mpi.layout();
  const auto node = store::node_memory(layout.hostname, layout.node_size);
  if (options.object_store_memory == 0) {
    options.object_store_memory = store::default_store_size(node);
  }
  const auto node_total = static_cast<std::uint64_t>(
      mpi.node().sum(static_cast<std::int64_t>(options.object_store_memory)));
  std::vector<std::string> warnings;
  std::exception_ptr refusal;
  try {
    warnings = store::check_store_size(options.object_store_memory, node_total, node);
  } catch (const InvalidOptionError&) {
    refusal = std::current_exception();
  }
  // Every rank stops, not only those of the node that cannot hold its stores.
  const bool refused_elsewhere = mpi.world().max(refusal ? 1 : 0) != 0;
  if (refusal) std::rethrow_exception(refusal);
  if (refused_elsewhere) {
    throw InvalidOptionError(
        "--object-store-memory is more than another node of the job can hold (its ranks say "
        "how much it has)");
  }
  if (layout.node_rank == 0) {
    for (const auto& warning : warnings) util::log().warn("{}", warning);
  }
}

/// Slurm's job and step ("4242.0"), or "" outside Slurm.
std::string slurm_job_step() {
  const char* job = std::getenv("SLURM_JOB_ID");
  if (job == nullptr || *job == '\0') return "";
  const char* step = std::getenv("SLURM_STEP_ID");
  return std::string(job) + "." + (step != nullptr && *step != '\0' ? step : "0");
}

/// The status options checked, and the file's default filled in ("none": no file).
void resolve_status(RuntimeOptions& options, const transport::MpiBootstrap& mpi) {
  if (!(options.status_interval > 0) || !std::isfinite(options.status_interval)) {
    throw InvalidOptionError("--status-interval must be a finite number of seconds > 0, not " +
                             std::to_string(options.status_interval));
  }
  if (options.status_port < -1 || options.status_port > 65535) {
    throw InvalidOptionError("--status-port " + std::to_string(options.status_port) +
                             ": give -1 (no page), 0 (a free port) or a port up to 65535");
  }
  if (options.status_file.empty()) {
    const auto job = slurm_job_step();
    options.status_file = job.empty() ? "none" : "manta-status-" + job + ".json";
  }
  if (options.status_file == "none") return;
  options.status_file = std::filesystem::absolute(options.status_file).lexically_normal().string();
  if (mpi.layout().rank != 0) return;  // only rank 0 writes it
  if (const auto problem = util::output_file_problem(options.status_file, "--status-file");
      !problem.empty()) {
    throw InvalidOptionError(problem + " (MANTA_STATUS_FILE; none: no status file)");
  }
}

RuntimeOptions resolve(RuntimeOptions options, const transport::MpiBootstrap& mpi) {
  if (options.num_cpus == 0) options.num_cpus = resources::detect_cpus();
  if (resources::to_units(options.num_cpus, "num_cpus", "the runtime") == 0) {
    throw InvalidOptionError("num_cpus of the runtime rounds to 0; give at least 0.0001");
  }
  for (const auto& [name, amount] : options.resources) {
    if (name.empty() || name == "CPU" || name == "GPU" || name == "memory") {
      throw InvalidOptionError("custom resource name '" + name +
                               "' is empty or reserved (CPU, GPU and memory have their own "
                               "options)");
    }
    resources::to_units(amount, name, "the runtime");
  }
  if (options.num_gpus < -1) {
    throw InvalidOptionError("num_gpus of the runtime is " + std::to_string(options.num_gpus) +
                             "; give a count >= 0, or -1 to detect the GPUs");
  }
  if (options.spin_us < 0) {
    throw InvalidOptionError("spin_us of the runtime is " + std::to_string(options.spin_us) +
                             "; give microseconds >= 0 (0 never polls)");
  }
  if (!(options.peer_timeout >= 0)) {
    throw InvalidOptionError("peer_timeout of the runtime is " +
                             std::to_string(options.peer_timeout) +
                             "; give seconds >= 0 (0 turns the check off)");
  }
  if (options.memory == 0) {
    options.memory = resources::detect_memory() / static_cast<unsigned>(mpi.layout().node_size);
  }
  if (options.checkpoint_keep < 1) {
    throw InvalidOptionError("checkpoint_keep is " + std::to_string(options.checkpoint_keep) +
                             "; keep at least 1 checkpoint");
  }
  if (options.spill_dir.empty()) {
    const char* temporary = std::getenv("TMPDIR");
    options.spill_dir = temporary != nullptr && *temporary != '\0' ? temporary : "/tmp";
  }
  if (const auto problem = store::spill_dir_problem(options.spill_dir); !problem.empty()) {
    throw InvalidOptionError(problem + " (--spill-dir, MANTA_SPILL_DIR)");
  }
  if (mpi.layout().node_rank == 0 && store::spill_dir_in_memory(options.spill_dir)) {
    util::log().warn(
        "spill directory {} is in memory (tmpfs): objects spilled there still take "
        "the node's memory; give --spill-dir a directory on disk",
        options.spill_dir);
  }
  if (!options.timeline.empty()) {
    options.timeline = std::filesystem::absolute(options.timeline).lexically_normal().string();
    if (const auto problem = util::output_file_problem(options.timeline, "--timeline");
        !problem.empty()) {
      throw InvalidOptionError(problem + " (MANTA_TIMELINE)");
    }
  }
  resolve_status(options, mpi);
  size_store(options, mpi);
  return options;
}

/// This rank's GPUs: what it sees, shared out among the ranks of its node when they all see the
/// same devices (so none is counted twice); an explicit count is this rank's alone.
std::vector<int> own_gpus(const transport::MpiBootstrap& mpi, const RuntimeOptions& options,
                          std::vector<std::string>& ids) {
  auto inventory = resources::detect_gpus(options.num_gpus);
  std::string joined;
  for (const auto& id : inventory.ids) joined += id + ",";
  const bool shared = same_on_node(mpi, joined);  // collective: every rank calls it
  if (!shared) inventory.per_rank = true;         // the launcher bound devices per rank
  const auto ordinals =
      resources::share_of_node(inventory, mpi.layout().node_rank, mpi.layout().node_size);
  for (const int ordinal : ordinals) ids.push_back(inventory.ids[ordinal]);
  util::log().debug("GPUs from {}: {} seen, {} for this rank", inventory.source,
                    inventory.ids.size(), ordinals.size());
  return ordinals;
}

transport::PeerInfo self_info(const transport::MpiBootstrap& mpi, const transport::UcxContext& ucx,
                              const store::ObjectStore& store, const RuntimeOptions& options,
                              const std::vector<int>& gpu_ordinals,
                              std::vector<std::string> gpu_ids) {
  transport::PeerInfo self;
  self.rank = mpi.layout().rank;
  self.hostname = mpi.layout().hostname;
  self.pid = ::getpid();
  self.num_cpus = options.num_cpus;
  self.gpu_ordinals.assign(gpu_ordinals.begin(), gpu_ordinals.end());
  self.gpu_ids = std::move(gpu_ids);
  self.memory = options.memory;
  self.resources = options.resources;
  self.worker_address = ucx.worker_address();
  const auto region = store.region().bytes();
  self.store_base = reinterpret_cast<std::uint64_t>(region.data());
  self.store_size = region.size();
  const auto rkey = store.region().packed_rkey();
  self.store_rkey.assign(rkey.begin(), rkey.end());
  return self;
}

resources::Catalog catalog_of(const std::vector<transport::PeerInfo>& peers) {
  std::vector<std::string> names;
  for (const auto& peer : peers) {
    for (const auto& [name, amount] : peer.resources) names.push_back(name);
  }
  return resources::Catalog(std::move(names));
}

resources::Capacity capacity_of(const transport::PeerInfo& peer,
                                const resources::Catalog& catalog) {
  resources::Capacity capacity;
  capacity.cpu = resources::to_units(peer.num_cpus, "num_cpus");
  capacity.memory = static_cast<resources::Amount>(peer.memory);
  capacity.custom.assign(catalog.size(), 0);
  for (const auto& [name, amount] : peer.resources) {
    capacity.custom[static_cast<std::size_t>(catalog.index_of(name))] =
        resources::to_units(amount, name);
  }
  for (const int ordinal : peer.gpu_ordinals) {
    capacity.devices.push_back({ordinal, resources::units_per_unit});
  }
  return capacity;
}

std::vector<resources::Capacity> capacities_of(const std::vector<transport::PeerInfo>& peers,
                                               const resources::Catalog& catalog) {
  std::vector<resources::Capacity> capacities;
  capacities.reserve(peers.size());
  for (const auto& peer : peers) capacities.push_back(capacity_of(peer, catalog));
  return capacities;
}

/// Whether at least `needed` of `objects` are ready; stops counting once they are.
bool enough_ready(std::span<Object* const> objects, std::size_t needed) {
  std::size_t ready = 0;
  for (const Object* object : objects) {
    if (ready >= needed) break;
    ready += object->is_ready() ? 1 : 0;
  }
  return ready >= needed;
}

/// exit() called by a task or an actor on a worker thread (registered with on_exit, after MPI's
/// finalizer, so it runs first). Left alone, the process runs its exit handlers under running
/// threads and MPI_Finalize waits for ranks that wait for it: the job hung without a word. A
/// worker thread shares the rank's process, so the rank cannot go on without it: the job ends
/// now, naming what called exit. exit(0) ends it with 1: the job lost work.
void end_job_on_exit_from_work(int code, void*) {
  const Runnable* work = Executor::current_runnable();
  if (work == nullptr) return;  // the driver's exit: the program's normal end
  const std::string running = work->describe();
  const Runtime* runtime = running_runtime.load();
  const int rank = runtime != nullptr ? runtime->rank() : 0;
  const int status = code != 0 ? code : 1;
  const std::string what = running + " called exit(" + std::to_string(code) +
                           "); ending the job with status " + std::to_string(status);
  util::log().critical("{}", what);
  util::log().flush();
  util::print_to_stderr("rank " + std::to_string(rank) + ": " + what);
  transport::abort_job(status);
  std::_Exit(status);
}

}  // namespace

Runtime::Runtime(const RuntimeOptions& options)
    : generation_(next_generation()),
      requeue_signal_(!options.checkpoint_directory.empty()),
      spawner_(worker_spawner(no_workers_why_)),
      mpi_(),
      options_(resolve(options, mpi_)),
      gpu_ordinals_(own_gpus(mpi_, options_, gpu_ids_)),
      ucx_(),
      store_(ucx_, options_.object_store_memory),
      peers_(transport::exchange_peer_info(
          mpi_, self_info(mpi_, ucx_, store_, options_, gpu_ordinals_, gpu_ids_))),
      cluster_(rank(), capacities_of(peers_, catalog_of(peers_)), catalog_of(peers_)),
      executor_(cluster_.totals(rank()), max_worker_threads,
                std::chrono::microseconds(options_.spin_us)) {
  util::configure_logging(rank(), mpi_.layout().size, options_.log_level);
  if (options_.label_output) labelled_output_.emplace(rank());
  // As many pollers as this rank's share of the node's cores, and none with a single core: the
  // thread that is polled for must find a core of its own, or polling only delays it (measured
  // with two ranks on two cores: 60-73 us cross-rank round trips polling, 48-52 us sleeping).
  const int cores =
      static_cast<int>(std::thread::hardware_concurrency()) / std::max(1, mpi_.layout().node_size);
  util::spin_slots.store(cores >= 2 ? cores : 0);
  resources::ensure_kokkos_initialized(static_cast<int>(std::ceil(options_.num_cpus)),
                                       gpu_ordinals_.empty() ? -1 : gpu_ordinals_.front());
  messenger_ = std::make_unique<transport::Messenger>(
      ucx_, store_.region(), peers_, rank(),
      [this](int source, std::span<const std::byte> message) { router_.route(source, message); },
      [this](int peer, const std::string& problem) { end_job_for_failed_peer(peer, problem); },
      std::chrono::microseconds(options_.spin_us));
  util::log().info("started on {} (node {} of the job): {}, object store {} MiB",
                   mpi_.layout().hostname, peers_[rank()].node,
                   resources::describe(cluster_.totals(rank()), cluster_.catalog()),
                   options_.object_store_memory >> 20);
  workers_ = std::make_unique<WorkerPool>(rank(), spawner_, no_workers_why_);
  executor_.set_idle_hook([this] { remote_.maybe_steal(); });
  messenger_->watch_ring(std::chrono::duration<double>(options_.peer_timeout));
  checkpointer_ = std::make_unique<Checkpointer>(*this, router_);
  handle_task_messages(*this, router_);
  handle_actor_messages(*this, router_);
  placement_groups_ =
      std::make_unique<PlacementGroups>(rank(), cluster_, executor_, *messenger_, router_);
  actor_names_ =
      std::make_unique<ActorNames>(rank(), layout().size, *messenger_, executor_, router_);
  job_state_ = std::make_unique<JobState>(rank(), layout().size, layout().hostname, *messenger_,
                                          executor_, router_, &store_);
  running_runtime.store(this);
  static std::once_flag exit_hook;
  std::call_once(exit_hook, [] { on_exit(end_job_on_exit_from_work, nullptr); });
  // Messages are handled only now that the runtime is complete, and no rank sends any before
  // every rank can receive them.
  messenger_->start();
  checkpointer_->start();
  if (mpi_.layout().size > 1) mpi_.world().barrier();
  if (!options_.timeline.empty()) {
    util::timeline::name_thread(rank() == 0 ? "driver" : "main");
    start_timeline();  // after the barrier: one time 0 for every rank
  }
  if (rank() == 0) start_status();
}

bool Runtime::status_wanted() const noexcept {
  return options_.status_file != "none" || options_.status_port >= 0;
}

void Runtime::start_status() {
  if (!status_wanted()) return;
  const bool file = options_.status_file != "none";
  int nodes = 0;
  for (const auto& peer : peers_) nodes = std::max(nodes, peer.node + 1);
  StatusJob job{slurm_job_step(), layout().size, nodes, status::unix_now(),
                std::chrono::duration<double>(options_.status_interval)};
  status_ = std::make_unique<StatusPublisher>(*job_state_, std::move(job),
                                              file ? options_.status_file : "",
                                              options_.status_address, options_.status_port);
  if (const auto page = status_->page_url(); !page.empty()) {
    util::print_to_stderr("rank 0: the job's status page: " + page);
  }
}

void Runtime::finish_status() {
  if (!status_wanted()) return;
  // Through MPI: the messenger's requests would race the ranks closing their endpoints.
  auto states = job_state_->collect_over(mpi_.world());
  if (status_) status_->finish("finished", "", std::move(states));
}

void Runtime::end_status(const std::string& state, const std::string& error) {
  if (status_) status_->finish(state, error, std::nullopt);
}

void Runtime::end_job_for_failed_peer(int peer, const std::string& problem) {
  std::string what = "a peer that is not a rank of this job: " + problem;
  if (peer >= 0) {
    const auto& info = peers_[static_cast<std::size_t>(peer)];
    what = "rank " + std::to_string(peer) + " (pid " + std::to_string(info.pid) + " on " +
           info.hostname + ") " + problem;
  }
  what += "; ending the job";
  util::log().critical("{}", what);
  util::log().flush();
  util::print_to_stderr("rank " + std::to_string(rank()) + ": " + what);
  // Open MPI 4.1 cannot go on without a rank; waiting would only hang until the time limit.
  transport::abort_job(1);
  std::abort();  // abort_job does not return on a job of several ranks; the job must end anyway
}

Runtime::~Runtime() {
  if (mpi_.layout().size > 1) {
    wait_for_quiet_job();
    finish_status();
    checkpointer_->stop();  // no checkpoint is pending anywhere: requests count as work
    messenger_->close_endpoints();
    mpi_.world().barrier();
  } else {
    work_.wait_until_done();
    finish_status();
    checkpointer_->stop();
  }
  status_.reset();
  actors_.clear();     // actors kept for other ranks; nobody can call them now
  executor_.stop();    // its threads may use the messenger (a steal request when idle)
  messenger_->stop();  // the handler may still use messenger_ until the thread is gone
  messenger_.reset();
  if (!options_.timeline.empty())
    write_timeline(mpi_.world(), options_.timeline, layout().hostname);
  running_runtime.store(nullptr);
  if (const auto stats = store_.stats(); stats.blocks > 0) {
    util::log().warn("shutdown: {} store objects ({} bytes) are still referenced", stats.blocks,
                     stats.used);
  }
  util::log().info("stopped");
}

void Runtime::enter_worker_process() noexcept { in_worker_process.store(true); }

Runtime& Runtime::current() {
  Runtime* runtime = running_runtime.load(std::memory_order_acquire);
  if (runtime == nullptr && in_worker_process.load()) {
    throw Error(
        "this task runs in a worker process (isolation = process), where Manta's API "
        "(get, put, tasks, actors) is not available yet: pass it values, return a value");
  }
  if (runtime == nullptr) {
    throw Error("Manta is not running: call manta::run(...) or create a manta::Runtime first");
  }
  return *runtime;
}

Runtime* Runtime::current_if(std::uint64_t generation) noexcept {
  Runtime* runtime = running_runtime.load(std::memory_order_acquire);
  return runtime != nullptr && runtime->generation_ == generation ? runtime : nullptr;
}

void Runtime::wait_for_quiet_job() {
  std::int64_t previous_started = -1;
  while (true) {
    work_.wait_until_done();
    std::int64_t global[2] = {work_.ever_started(), work_.outstanding()};
    mpi_.world().sum(global);
    if (global[1] == 0 && global[0] == previous_started) return;
    previous_started = global[0];
  }
}

std::vector<bool> Runtime::wait_objects(std::span<Object* const> objects, std::size_t needed,
                                        detail::Deadline deadline) {
  if (!enough_ready(objects, needed)) {
    // Named for what the caller waits for: all of the objects (a get) or some (a wait).
    const util::timeline::Span blocked(util::timeline::Kind::blocked,
                                       needed < objects.size() ? "wait" : "get");
    // One waiter for the batch and one link per object, in one allocation. Every object gets a
    // link (counted at once when ready), so none is missed if it turns ready meanwhile.
    Waiter waiter(needed);
    std::vector<WaitLink> links(objects.size(), WaitLink{&waiter});
    for (std::size_t i = 0; i < objects.size(); ++i) objects[i]->add_waiter(links[i]);
    auto spin = std::chrono::microseconds(options_.spin_us);
    if (deadline) {
      spin = std::clamp(std::chrono::ceil<std::chrono::microseconds>(
                            *deadline - std::chrono::steady_clock::now()),
                        std::chrono::microseconds::zero(), spin);
    }
    // A worker first runs the queued work its task submitted (usually what it waits for); a
    // wait with a deadline does not, as that work could outlast it.
    const std::function<bool()> ready = [&] { return waiter.enough(); };
    if (!deadline) {
      std::vector<std::uint64_t> awaited;
      for (Object* object : objects) {
        if (const auto frame = object->running_frame(); frame != 0 && !object->is_ready()) {
          awaited.push_back(frame);
        }
      }
      executor_.help_until(ready, awaited);
    }
    // A short wait ends before the thread would even have fallen asleep.
    if (!util::spin_until(ready, spin)) {
      // Without a deadline it may be woken to run queued work while every thread is blocked.
      Waiter* const helper = deadline ? nullptr : &waiter;
      executor_.block_begin(helper);
      while (!waiter.sleep_until(deadline) && !deadline) executor_.help_blocked(waiter);
      executor_.block_end(helper);
    }
    for (std::size_t i = 0; i < objects.size(); ++i) objects[i]->remove_waiter(links[i]);
  }
  std::vector<bool> flags(objects.size());
  for (std::size_t i = 0; i < objects.size(); ++i) flags[i] = objects[i]->is_ready();
  return flags;
}

}  // namespace manta::core
