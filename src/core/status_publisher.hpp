/// @file core/status_publisher.hpp
/// @brief The job's live status, kept by rank 0 without a head node or an open port: every
/// interval it asks every rank for its state (JobState::collect) and publishes the document
/// (status/status_text.hpp) as a file, replaced whole, and on the status page if asked for.
#pragma once

#include "core/job_state.hpp"
#include "status/status_page.hpp"
#include "util/mutex.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace manta::core {

/// @brief What a status document says of the job itself.
struct StatusJob {
  std::string id;  ///< Slurm's job (and step) id, or ""
  int ranks = 1;
  int nodes = 1;
  double started = 0;  ///< seconds since the Unix epoch
  std::chrono::duration<double> interval = std::chrono::seconds(2);
};

/// The document for `ranks` (empty for a rank that did not answer), in state "running",
/// updated at `updated` (seconds since the Unix epoch).
nlohmann::json status_document(const StatusJob& job,
                               const std::vector<std::optional<RankState>>& ranks, double updated);

/// @brief Publishes the status every interval, from a thread of its own, until finish().
class StatusPublisher {
 public:
  /// Writes `file` (none if empty) and serves the page on `page_address`:`page_port` (none if
  /// the port is negative; 0 takes a free one).
  /// @throws Error when the page cannot listen there
  StatusPublisher(JobState& state, StatusJob job, std::filesystem::path file,
                  const std::string& page_address, int page_port);
  /// Stops publishing; the file stays as last written.
  ~StatusPublisher();
  StatusPublisher(const StatusPublisher&) = delete;
  StatusPublisher& operator=(const StatusPublisher&) = delete;

  /// The page's address ("" without a page).
  std::string page_url() const;
  /// Stops the rounds and publishes the last document: the job's `state` ("finished",
  /// "failed", "requeued") and `error`, with `ranks` when given, else the last round's. Only
  /// the first call counts.
  void finish(const std::string& state, const std::string& error,
              std::optional<std::vector<std::optional<RankState>>> ranks);

 private:
  void run();
  void stop_rounds();
  void publish(nlohmann::json document);

  JobState& state_;
  const StatusJob job_;
  const std::filesystem::path file_;
  std::unique_ptr<status::StatusPage> page_;
  mutable util::Mutex mutex_;
  nlohmann::json document_ MANTA_GUARDED_BY(mutex_);
  bool stopping_ MANTA_GUARDED_BY(mutex_) = false;
  bool write_failed_ MANTA_GUARDED_BY(mutex_) = false;  ///< said once, not every round
  std::condition_variable stop_;
  std::vector<std::optional<RankState>> last_;  ///< the last round's; the thread's until joined
  bool finished_ = false;                       ///< finish() ran (on the job's main thread)
  std::thread thread_;
};

}  // namespace manta::core
