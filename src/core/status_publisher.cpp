#include "core/status_publisher.hpp"

#include "status/status_text.hpp"
#include "util/log.hpp"
#include "util/output_file.hpp"

#include <algorithm>
#include <utility>

namespace manta::core {

using json = nlohmann::json;

json status_document(const StatusJob& job, const std::vector<std::optional<RankState>>& ranks,
                     double updated) {
  json rank_rows = json::array();
  json silent = json::array();
  std::vector<RankState> answered;
  std::vector<RunningTask> running;
  std::vector<ActorState> actors;
  for (std::size_t rank = 0; rank < ranks.size(); ++rank) {
    if (!ranks[rank]) {
      silent.push_back(rank);
      continue;
    }
    const auto& state = *ranks[rank];
    const auto& summary = state.summary;
    rank_rows.push_back({{"rank", summary.rank},
                         {"host", summary.hostname},
                         {"queued", summary.queued},
                         {"running", summary.running},
                         {"actors", summary.actors},
                         {"store_used", summary.store_used_bytes},
                         {"store_capacity", summary.store_capacity_bytes},
                         {"spilled_objects", summary.spilled_objects},
                         {"spilled_bytes", summary.spilled_bytes}});
    running.insert(running.end(), state.running.begin(), state.running.end());
    actors.insert(actors.end(), state.actors.begin(), state.actors.end());
    answered.push_back(state);
  }
  json functions = json::array();
  for (const auto& function : merged_functions(answered)) {
    functions.push_back({{"name", function.name},
                         {"actor_method", function.actor_method},
                         {"running", function.running},
                         {"finished", function.finished},
                         {"failed", function.failed},
                         {"retried", function.retried},
                         {"total_seconds", function.total_seconds},
                         {"max_seconds", function.max_seconds}});
  }
  std::stable_sort(running.begin(), running.end(), [](const auto& a, const auto& b) {
    return a.running_seconds > b.running_seconds;
  });
  json running_rows = json::array();
  for (std::size_t i = 0; i < std::min(running.size(), status::status_listed); ++i) {
    const auto& task = running[i];
    running_rows.push_back({{"rank", task.rank},
                            {"thread", task.thread},
                            {"name", task.name},
                            {"actor_call", task.actor_call},
                            {"seconds", task.running_seconds},
                            {"depth", task.depth}});
  }
  json actor_rows = json::array();
  for (std::size_t i = 0; i < std::min(actors.size(), status::status_listed); ++i) {
    const auto& actor = actors[i];
    actor_rows.push_back({{"rank", actor.rank},
                          {"class", actor.class_name},
                          {"name", actor.name},
                          {"phase", to_string(actor.phase)},
                          {"restarts", actor.restarts},
                          {"calls_waiting", actor.calls_waiting},
                          {"calls_finished", actor.calls_finished}});
  }
  return {{"format", "manta-status"},
          {"version", status::status_version},
          {"job",
           {{"id", job.id},
            {"state", "running"},
            {"error", ""},
            {"ranks", job.ranks},
            {"nodes", job.nodes},
            {"started", job.started},
            {"updated", updated},
            {"interval_seconds", job.interval.count()},
            {"page", ""}}},
          {"silent_ranks", std::move(silent)},
          {"ranks", std::move(rank_rows)},
          {"functions", std::move(functions)},
          {"running", std::move(running_rows)},
          {"running_total", running.size()},
          {"actors", std::move(actor_rows)},
          {"actors_total", actors.size()}};
}

StatusPublisher::StatusPublisher(JobState& state, StatusJob job, std::filesystem::path file,
                                 const std::string& page_address, int page_port)
    : state_(state), job_(std::move(job)), file_(std::move(file)) {
  if (page_port >= 0) {
    page_ = std::make_unique<status::StatusPage>(page_address, page_port, [this] {
      util::LockGuard lock(mutex_);
      return document_;
    });
  }
  // Before the first round: the ranks are listed as not answering yet.
  publish(status_document(
      job_, std::vector<std::optional<RankState>>(static_cast<std::size_t>(job_.ranks)),
      status::unix_now()));
  thread_ = std::thread([this] { run(); });
}

StatusPublisher::~StatusPublisher() { stop_rounds(); }

std::string StatusPublisher::page_url() const { return page_ ? page_->url() : ""; }

void StatusPublisher::run() {
  while (true) {
    {
      util::UniqueLock lock(mutex_);
      const auto due =
          std::chrono::steady_clock::now() +
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(job_.interval);
      while (!stopping_ && stop_.wait_until(lock.native(), due) != std::cv_status::timeout) {
      }
      if (stopping_) return;
    }
    try {
      // A round waits at most one interval: a rank that does not answer by then is listed as
      // silent, and the next round asks again.
      last_ = state_.collect(job_.interval);
      publish(status_document(job_, last_, status::unix_now()));
    } catch (const std::exception& error) {
      util::log().error("status: a round failed: {}", error.what());
    }
  }
}

void StatusPublisher::stop_rounds() {
  {
    util::LockGuard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StatusPublisher::finish(const std::string& state, const std::string& error,
                             std::optional<std::vector<std::optional<RankState>>> ranks) {
  if (finished_) return;  // the first word stands: a failed driver's job still ends its runtime
  finished_ = true;
  stop_rounds();
  page_.reset();  // the last document names no page: it is gone with the job
  if (ranks) last_ = std::move(*ranks);
  if (last_.empty()) last_.resize(static_cast<std::size_t>(job_.ranks));
  auto document = status_document(job_, last_, status::unix_now());
  document["job"]["state"] = state;
  document["job"]["error"] = error;
  publish(std::move(document));
}

void StatusPublisher::publish(json document) {
  document["job"]["page"] = page_url();
  const std::string text = document.dump(1);
  std::string problem;
  if (!file_.empty()) {
    try {
      util::replace_file(file_, [&](std::ostream& out) { out << text << '\n'; });
    } catch (const std::exception& failure) {
      problem = failure.what();
    }
  }
  bool say = false;
  {
    util::LockGuard lock(mutex_);
    document_ = std::move(document);
    say = !problem.empty() && !write_failed_;
    write_failed_ = !problem.empty();
  }
  if (say) util::log().error("status file: {}; the job goes on without it", problem);
}

}  // namespace manta::core
