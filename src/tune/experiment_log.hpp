/// @file tune/experiment_log.hpp
/// @brief An experiment's record on disk, `<experiment dir>/experiment.jsonl`: one JSON line per
/// event, appended and flushed as it happens (the header, every result, every trial's end), so
/// that a sweep killed at any point resumes (TuneOptions::resume) without running again the
/// trials that had ended. A line cut short by the kill is dropped when the file is read.
#pragma once

#include <manta/tune.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace manta::tune {

/// @brief What identifies an experiment: a resume must match it.
struct ExperimentHeader {
  std::string trainable;
  std::string metric;
  std::int64_t trials = 0;
};

/// @brief A trial that had ended, as read back: its record and every result of its last run.
struct RecoveredTrial {
  TrialResult trial;
  std::vector<std::pair<std::int64_t, Metrics>> results;  ///< (iteration, metrics), in order
};

/// @brief The file an experiment appends to. Not thread-safe: the Experiment calls it under its
/// mutex.
class ExperimentLog {
 public:
  /// @brief The log file of the experiment in `directory`.
  static std::filesystem::path file_in(const std::filesystem::path& directory);

  /// @brief Opens `file` for appending (creating it and its directory, and writing the header,
  /// when it is new). A line cut short at its end is removed first.
  /// @throws InvalidOptionError when the file cannot be written
  ExperimentLog(const std::filesystem::path& file, const ExperimentHeader& header);

  void result(std::int64_t trial, std::int64_t iteration, const Metrics& metrics);
  void ended(const TrialResult& trial);

 private:
  void append(const std::string& line);

  std::filesystem::path file_;
  std::ofstream out_;
};

/// @brief The trials that had ended in the experiment logged in `file`, by id.
/// @throws InvalidOptionError when the file records another experiment than `header` and
/// `configs` describe (trainable, metric, trial count, or a trial's config)
std::map<std::int64_t, RecoveredTrial> read_experiment_log(const std::filesystem::path& file,
                                                           const ExperimentHeader& header,
                                                           const std::vector<Config>& configs);

}  // namespace manta::tune
