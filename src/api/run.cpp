#include "core/runtime.hpp"
#include "transport/communicator.hpp"
#include "util/log.hpp"

#include <manta/error.hpp>
#include <manta/runtime.hpp>

#include <CLI/CLI.hpp>

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

namespace manta {
namespace {

std::unique_ptr<core::Runtime> scoped_runtime;

/// Says `what` on stderr before the runtime is up, naming this rank when its launcher did: every
/// rank of a job given a bad flag says so, and each line must say whose it is.
void say_before_start(const std::string& what) {
  const int rank = util::launcher_rank();
  util::print_to_stderr(rank < 0 ? what : "rank " + std::to_string(rank) + ": " + what);
}

}  // namespace

RuntimeOptions parse_options(int argc, const char* const* argv) {
  RuntimeOptions options;
  CLI::App app("Manta runtime options (each flag also reads its MANTA_* environment variable)");
  app.allow_extras();
  app.add_option("--num-cpus", options.num_cpus, "CPU slots of this rank's worker pool")
      ->envname("MANTA_NUM_CPUS");
  app.add_option("--object-store-memory", options.object_store_memory,
                 "bytes of this rank's shared-memory object store (suffixes K, M, G)")
      ->envname("MANTA_OBJECT_STORE_MEMORY")
      ->transform(CLI::AsSizeValue(false));
  app.add_option("--inline-limit", options.inline_object_limit,
                 "objects at least this large go to the shared-memory store")
      ->envname("MANTA_INLINE_LIMIT")
      ->transform(CLI::AsSizeValue(false));
  app.add_option("--log-level", options.log_level, "trace, debug, info, warn, error, off")
      ->envname("MANTA_LOG_LEVEL");
  app.add_option("--spill-dir", options.spill_dir,
                 "directory for objects that do not fit in the store (default $TMPDIR or /tmp)")
      ->envname("MANTA_SPILL_DIR");
  app.add_option("--map-peer-stores", options.map_peer_stores,
                 "read objects of ranks on this node in place (true) or by RMA get (false)")
      ->envname("MANTA_MAP_PEER_STORES");
  app.add_option("--num-gpus", options.num_gpus,
                 "GPUs of this rank; -1 detects them (CUDA, CUDA_VISIBLE_DEVICES, Slurm)")
      ->envname("MANTA_NUM_GPUS");
  app.add_option("--memory", options.memory,
                 "bytes of this rank's memory resource (suffixes K, M, G); 0: the node's "
                 "memory divided among its ranks")
      ->envname("MANTA_MEMORY")
      ->transform(CLI::AsSizeValue(false));
  app.add_option("--checkpoint-dir", options.checkpoint_directory,
                 "directory of this job's checkpoints; restores from the newest one in it")
      ->envname("MANTA_CHECKPOINT_DIR");
  app.add_option("--restore", options.restore,
                 "restore from this checkpoint file, or the newest valid one in this directory")
      ->envname("MANTA_RESTORE");
  app.add_option("--checkpoint-keep", options.checkpoint_keep,
                 "checkpoints kept in the directory, counting the newest")
      ->envname("MANTA_CHECKPOINT_KEEP");
  app.add_option("--spin-us", options.spin_us,
                 "microseconds an idle thread polls before it sleeps; 0 never polls")
      ->envname("MANTA_SPIN_US");
  app.add_option("--peer-timeout", options.peer_timeout,
                 "seconds a silent rank is waited for before the job ends naming it; 0 never")
      ->envname("MANTA_PEER_TIMEOUT");
  app.add_option("--timeline", options.timeline,
                 "write the job's timeline (Chrome trace JSON, for Perfetto) to this file")
      ->envname("MANTA_TIMELINE");
  app.add_option("--status-file", options.status_file,
                 "rank 0 keeps the job's live status in this JSON file (manta status FILE); "
                 "default under Slurm manta-status-JOB.STEP.json; none: no file")
      ->envname("MANTA_STATUS_FILE");
  app.add_option("--status-interval", options.status_interval,
                 "seconds between two rounds of the live status")
      ->envname("MANTA_STATUS_INTERVAL");
  app.add_option("--status-port", options.status_port,
                 "port of the status page rank 0 serves over HTTP; -1 none, 0 a free one")
      ->envname("MANTA_STATUS_PORT");
  app.add_option("--status-address", options.status_address,
                 "address of the status page (127.0.0.1: this node only)")
      ->envname("MANTA_STATUS_ADDRESS");
  app.add_flag("--label-output", options.label_output,
               "start each line a task or actor call writes to std::cout or std::cerr with "
               "(name rank R)")
      ->envname("MANTA_LABEL_OUTPUT");
  const std::map<std::string, Isolation> isolations{{"thread", Isolation::thread},
                                                    {"process", Isolation::process}};
  app.add_option("--isolation", options.isolation,
                 "where tasks run unless their options say: thread, or process (a worker "
                 "process whose crash fails the task, not the job)")
      ->envname("MANTA_ISOLATION")
      ->transform(CLI::CheckedTransformer(isolations, CLI::ignore_case));
  std::vector<std::string> custom;
  app.add_option("--resources", custom, "custom resources of this rank: name=amount,name=amount")
      ->envname("MANTA_RESOURCES")
      ->delimiter(',');
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    std::exit(0);
  } catch (const CLI::ParseError& error) {
    throw InvalidOptionError(std::string("bad Manta option: ") + error.what());
  }
  for (const auto& item : custom) {
    const auto equals = item.find('=');
    double amount = 0;
    const auto number = equals == std::string::npos ? std::string() : item.substr(equals + 1);
    const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), amount);
    if (equals == 0 || equals == std::string::npos || error != std::errc() ||
        end != number.data() + number.size()) {
      throw InvalidOptionError("bad Manta option: --resources '" + item +
                               "' is not name=amount (e.g. --resources sim=4,learner=1)");
    }
    options.resources[item.substr(0, equals)] = amount;
  }
  return options;
}

int run(int argc, char** argv, const std::function<void()>& body) {
  RuntimeOptions options;
  try {
    options = parse_options(argc, argv);
  } catch (const InvalidOptionError& error) {
    say_before_start(std::string(error.what()) + " (see --help)");
    return 2;
  }
  return run(options, body);
}

int run(const RuntimeOptions& options, const std::function<void()>& body) {
  std::optional<Runtime> runtime;
  try {
    runtime.emplace(options);
  } catch (const std::exception& error) {
    say_before_start(std::string("failed to start: ") + error.what());
    // The other ranks would wait for this one forever (Open MPI 4.1 has no fault-tolerant MPI).
    transport::abort_job(1);
    return 1;
  }
  if (rank() == 0) {
    try {
      body();
    } catch (const std::exception& error) {
      util::log().error("the driver failed: {}", error.what());
      core::Runtime::current().end_status("failed",
                                          std::string("the driver failed: ") + error.what());
      util::print_to_stderr(std::string("rank 0: the driver failed: ") + error.what());
      transport::abort_job(1);
      return 1;
    }
  }
  return 0;
}

Runtime::Runtime(const RuntimeOptions& options) {
  if (scoped_runtime) throw Error("a manta::Runtime is already running in this process");
  scoped_runtime = std::make_unique<core::Runtime>(options);
}

Runtime::~Runtime() { scoped_runtime.reset(); }

int rank() { return core::Runtime::current().rank(); }
int world_size() { return core::Runtime::current().layout().size; }
double num_cpus() { return core::Runtime::current().options().num_cpus; }
const RuntimeOptions& options() { return core::Runtime::current().options(); }

}  // namespace manta
