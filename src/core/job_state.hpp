/// @file core/job_state.hpp
/// @brief Manta's state API on one rank (manta::list_tasks, list_actors, summary): what this
/// rank runs, hosts and queues, and the gathering of every rank's answer. A rank answers on the
/// thread that handles its messages, from counters and lists readable without waiting for work.
#pragma once

#include "core/message_router.hpp"
#include "core/work_stats.hpp"

#include "transport/sender.hpp"
#include "transport/wire.hpp"
#include "util/mutex.hpp"

#include <manta/state.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace manta::transport {
class Communicator;
}
namespace manta::store {
class ObjectStore;
}

namespace manta::core {

class Executor;

/// @brief An actor hosted on this rank, as manta::list_actors() shows it.
class HostedActor {
 public:
  /// Its state now; called from any thread, while the actor works.
  virtual ActorState state() const = 0;

 protected:
  HostedActor() = default;
  ~HostedActor() = default;
  HostedActor(const HostedActor&) = default;
  HostedActor& operator=(const HostedActor&) = default;
};

/// @brief One rank's answer.
struct RankState {
  RankSummary summary;
  std::vector<FunctionSummary> functions;
  std::vector<RunningTask> running;
  std::vector<ActorState> actors;
};

/// @brief This rank's state and the gathering of the job's. Thread-safe.
class JobState {
 public:
  /// This is rank `rank` of `ranks`, on `hostname`; it sends with `sender`, and `router` hands
  /// it its messages (StateRequest, StateReply). A gather from a thread of `executor` gives that
  /// thread's CPUs back while it waits. It reports the use of `store` (none: zeros) and of
  /// this process's spill files.
  JobState(int rank, int ranks, std::string hostname, transport::Sender& sender, Executor& executor,
           MessageRouter& router, const store::ObjectStore* store = nullptr);
  JobState(const JobState&) = delete;
  JobState& operator=(const JobState&) = delete;

  WorkStats& stats() noexcept { return stats_; }
  /// Lists `actor` until remove(); it must stay valid until then.
  void add(const HostedActor& actor);
  void remove(const HostedActor& actor);

  /// This rank's state now.
  RankState local() const;
  /// Every rank's state, in rank order.
  /// @throws GetTimeoutError naming the ranks that did not answer within `timeout`
  std::vector<RankState> gather(std::chrono::duration<double> timeout);
  /// Every rank's state in rank order, empty for a rank that did not answer within `timeout`.
  /// @throws InvalidOptionError for a negative or infinite timeout
  std::vector<std::optional<RankState>> collect(std::chrono::duration<double> timeout);
  /// COLLECTIVE over `comm`: every rank's state on rank 0 (nothing elsewhere), through MPI, for
  /// the end of the job, when the messenger may be closing.
  std::vector<std::optional<RankState>> collect_over(const transport::Communicator& comm) const;

 private:
  /// A gather waiting for the ranks' answers.
  struct Pending {
    std::vector<std::optional<RankState>> states;
    int missing = 0;
  };

  void on_request(int source, const transport::StateRequest& request);
  void on_reply(int source, const transport::StateReply& reply);

  const int rank_;
  const int ranks_;
  const std::string hostname_;
  transport::Sender& sender_;
  Executor& executor_;
  const store::ObjectStore* const store_;
  WorkStats stats_;
  mutable util::Mutex mutex_;
  std::vector<const HostedActor*> actors_ MANTA_GUARDED_BY(mutex_);
  std::map<std::uint64_t, Pending> pending_ MANTA_GUARDED_BY(mutex_);
  std::uint64_t next_request_ MANTA_GUARDED_BY(mutex_) = 1;
  std::condition_variable answered_;
};

/// The ranks' counts per function summed by name, most run first (manta::summary's order).
std::vector<FunctionSummary> merged_functions(const std::vector<RankState>& ranks);

}  // namespace manta::core
