#include "core/job_state.hpp"

#include "core/executor.hpp"
#include "store/object_store.hpp"
#include "store/spill_file.hpp"
#include "transport/communicator.hpp"
#include "util/log.hpp"

#include <manta/detail/serialization.hpp>
#include <manta/error.hpp>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace boost::serialization {

template <class Archive>
void serialize(Archive& archive, manta::RankSummary& summary, unsigned) {
  archive& summary.rank& summary.hostname& summary.queued& summary.running& summary.actors& summary
      .store_used_bytes& summary.store_capacity_bytes& summary.spilled_objects& summary
      .spilled_bytes;
}
template <class Archive>
void serialize(Archive& archive, manta::FunctionSummary& function, unsigned) {
  archive& function.name& function.actor_method& function.running& function.finished& function
      .failed& function.retried& function.total_seconds& function.max_seconds;
}
template <class Archive>
void serialize(Archive& archive, manta::RunningTask& task, unsigned) {
  archive& task.rank& task.thread& task.name& task.actor_call& task.running_seconds& task.depth;
}
template <class Archive>
void serialize(Archive& archive, manta::ActorState& actor, unsigned) {
  archive& actor.rank& actor.class_name& actor.name& actor.phase& actor.restarts& actor
      .calls_waiting& actor.calls_finished;
}
template <class Archive>
void serialize(Archive& archive, manta::core::RankState& state, unsigned) {
  archive& state.summary& state.functions& state.running& state.actors;
}

}  // namespace boost::serialization

namespace manta::core {

JobState::JobState(int rank, int ranks, std::string hostname, transport::Sender& sender,
                   Executor& executor, MessageRouter& router, const store::ObjectStore* store)
    : rank_(rank),
      ranks_(ranks),
      hostname_(std::move(hostname)),
      sender_(sender),
      executor_(executor),
      store_(store) {
  router.on<transport::StateRequest>(
      [this](int source, transport::StateRequest request) { on_request(source, request); });
  router.on<transport::StateReply>(
      [this](int source, transport::StateReply reply) { on_reply(source, reply); });
}

void JobState::add(const HostedActor& actor) {
  util::LockGuard lock(mutex_);
  actors_.push_back(&actor);
}

void JobState::remove(const HostedActor& actor) {
  util::LockGuard lock(mutex_);
  std::erase(actors_, &actor);
}

RankState JobState::local() const {
  RankState state;
  state.functions = stats_.functions();
  state.running = stats_.running(rank_);
  {
    util::LockGuard lock(mutex_);
    for (const auto* actor : actors_) state.actors.push_back(actor->state());
  }
  state.summary = {rank_, hostname_, executor_.queued(), state.running.size(), state.actors.size()};
  if (store_ != nullptr) {
    const auto use = store_->stats();
    state.summary.store_used_bytes = use.used;
    state.summary.store_capacity_bytes = use.capacity;
  }
  const auto spilled = store::spill_stats();
  state.summary.spilled_objects = spilled.files;
  state.summary.spilled_bytes = spilled.bytes;
  return state;
}

std::vector<std::optional<RankState>> JobState::collect(std::chrono::duration<double> timeout) {
  if (!(timeout.count() >= 0) || !std::isfinite(timeout.count())) {
    throw InvalidOptionError(
        "the state API's timeout must be a finite number >= 0 of seconds, "
        "not " +
        std::to_string(timeout.count()));
  }
  std::uint64_t request = 0;
  {
    util::LockGuard lock(mutex_);
    request = next_request_++;
    pending_[request] = {std::vector<std::optional<RankState>>(static_cast<std::size_t>(ranks_)),
                         ranks_};
  }
  for (int rank = 0; rank < ranks_; ++rank) {
    sender_.send(rank, transport::encode(transport::StateRequest{request}));
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout);
  Pending answered;
  executor_.block_begin();  // a worker asking gives its CPUs back meanwhile
  {
    util::UniqueLock lock(mutex_);
    while (pending_[request].missing > 0 &&
           answered_.wait_until(lock.native(), deadline) != std::cv_status::timeout) {
    }
    answered = std::move(pending_[request]);
    pending_.erase(request);
  }
  executor_.block_end();
  return std::move(answered.states);
}

std::vector<RankState> JobState::gather(std::chrono::duration<double> timeout) {
  auto answered = collect(timeout);
  std::vector<RankState> states;
  std::vector<std::string> silent;
  for (int rank = 0; rank < ranks_; ++rank) {
    auto& state = answered[static_cast<std::size_t>(rank)];
    if (state) {
      states.push_back(std::move(*state));
    } else {
      silent.push_back(std::to_string(rank));
    }
  }
  if (!silent.empty()) {
    throw GetTimeoutError(fmt::format("the job's state: {} {} of {} did not answer within {} s",
                                      silent.size() == 1 ? "rank" : "ranks",
                                      fmt::join(silent, ", "), ranks_, timeout.count()));
  }
  return states;
}

std::vector<std::optional<RankState>> JobState::collect_over(
    const transport::Communicator& comm) const {
  const RankState state = local();
  std::string bytes(detail::serialized_size(state), '\0');
  detail::serialize_into(
      state, std::span<std::byte>(reinterpret_cast<std::byte*>(bytes.data()), bytes.size()));
  std::vector<std::optional<RankState>> states;
  for (const auto& part : comm.gather(bytes)) {
    states.push_back(detail::deserialize<RankState>(
        std::span<const std::byte>(reinterpret_cast<const std::byte*>(part.data()), part.size())));
  }
  return states;
}

void JobState::on_request(int source, const transport::StateRequest& request) {
  const RankState state = local();
  transport::StateReply reply{request.request, {}};
  reply.state.resize(detail::serialized_size(state));
  detail::serialize_into(state, reply.state);
  sender_.send(source, transport::encode(reply));
}

void JobState::on_reply(int source, const transport::StateReply& reply) {
  RankState state;
  try {
    state = detail::deserialize<RankState>(reply.state);
  } catch (const std::exception& error) {
    util::log().error("the state rank {} sent could not be decoded: {}", source, error.what());
    return;  // its rank is named among those that did not answer
  }
  util::LockGuard lock(mutex_);
  const auto found = pending_.find(reply.request);
  if (found == pending_.end()) return;  // the gather timed out meanwhile
  auto& slot = found->second.states[static_cast<std::size_t>(source)];
  if (!slot) --found->second.missing;
  slot = std::move(state);
  answered_.notify_all();
}

std::vector<FunctionSummary> merged_functions(const std::vector<RankState>& ranks) {
  std::map<std::string, FunctionSummary> by_name;
  for (const auto& rank : ranks) {
    for (const auto& function : rank.functions) {
      const auto [sum, first] = by_name.try_emplace(function.name, function);
      if (!first) sum->second += function;
    }
  }
  std::vector<FunctionSummary> functions;
  for (auto& [name, function] : by_name) functions.push_back(std::move(function));
  std::stable_sort(functions.begin(), functions.end(), [](const auto& a, const auto& b) {
    return a.ended() + a.running > b.ended() + b.running;
  });
  return functions;
}

}  // namespace manta::core
