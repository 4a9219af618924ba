#include "core/job_state.hpp"
#include "core/runtime.hpp"

#include <manta/state.hpp>

#include <algorithm>

namespace manta {
namespace {

std::vector<core::RankState> gather(const StateOptions& options) {
  return core::Runtime::current().job_state().gather(options.timeout);
}

}  // namespace

const char* to_string(ActorState::Phase phase) noexcept {
  switch (phase) {
    case ActorState::Phase::starting:
      return "starting";
    case ActorState::Phase::alive:
      return "alive";
    case ActorState::Phase::restarting:
      return "restarting";
    case ActorState::Phase::dead:
      return "dead";
  }
  return "unknown";
}

std::vector<RunningTask> list_tasks(StateOptions options) {
  std::vector<RunningTask> running;
  for (auto& rank : gather(options)) {
    std::move(rank.running.begin(), rank.running.end(), std::back_inserter(running));
  }
  std::stable_sort(running.begin(), running.end(), [](const auto& a, const auto& b) {
    return a.running_seconds > b.running_seconds;
  });
  return running;
}

std::vector<ActorState> list_actors(StateOptions options) {
  std::vector<ActorState> actors;
  for (auto& rank : gather(options)) {
    std::move(rank.actors.begin(), rank.actors.end(), std::back_inserter(actors));
  }
  return actors;
}

JobSummary summary(StateOptions options) {
  JobSummary job;
  auto ranks = gather(options);
  job.functions = core::merged_functions(ranks);
  for (auto& rank : ranks) job.ranks.push_back(std::move(rank.summary));
  return job;
}

}  // namespace manta
