// The experiment's append-only record: JSON lines written as events happen, read back on resume.
#include "tune/experiment_log.hpp"

#include <nlohmann/json.hpp>

namespace manta::tune {
namespace {

using Json = nlohmann::json;

TrialState state_named(const std::string& name) {
  for (auto state : {TrialState::pending, TrialState::running, TrialState::terminated,
                     TrialState::stopped, TrialState::error}) {
    if (name == to_string(state)) return state;
  }
  throw InvalidOptionError("unknown trial state '" + name + "'");
}

/// Removes a last line cut short (no newline: the process died while writing it).
void drop_torn_tail(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.empty() || text.back() == '\n') return;
  const auto last_newline = text.rfind('\n');
  std::filesystem::resize_file(file, last_newline == std::string::npos ? 0 : last_newline + 1);
}

void require_same(const std::filesystem::path& file, const char* what, const std::string& logged,
                  const std::string& now) {
  if (logged == now) return;
  throw InvalidOptionError("cannot resume the experiment in " + file.parent_path().string() +
                           ": its " + what + " was " + logged + ", this sweep's is " + now);
}

}  // namespace

std::filesystem::path ExperimentLog::file_in(const std::filesystem::path& directory) {
  return directory / "experiment.jsonl";
}

ExperimentLog::ExperimentLog(const std::filesystem::path& file, const ExperimentHeader& header)
    : file_(file) {
  std::error_code ignored;
  std::filesystem::create_directories(file.parent_path(), ignored);
  const bool fresh = !std::filesystem::exists(file) || std::filesystem::file_size(file) == 0;
  if (!fresh) drop_torn_tail(file);
  out_.open(file, std::ios::app);
  if (!out_) throw InvalidOptionError("cannot write the experiment's record " + file.string());
  if (fresh) {
    append(
        Json{{"trainable", header.trainable}, {"metric", header.metric}, {"trials", header.trials}}
            .dump());
  }
}

void ExperimentLog::result(std::int64_t trial, std::int64_t iteration, const Metrics& metrics) {
  append(Json{{"result", trial}, {"iteration", iteration}, {"metrics", metrics}}.dump());
}

void ExperimentLog::ended(const TrialResult& trial) {
  append(Json{{"end", trial.id},
              {"state", to_string(trial.state)},
              {"iterations", trial.iterations},
              {"config", to_string(trial.config)},
              {"error", trial.error}}
             .dump());
}

void ExperimentLog::append(const std::string& line) {
  // One write per line: a kill loses at most the line being written.
  out_ << line << '\n' << std::flush;
  if (!out_) throw InvalidOptionError("cannot write the experiment's record " + file_.string());
}

std::map<std::int64_t, RecoveredTrial> read_experiment_log(const std::filesystem::path& file,
                                                           const ExperimentHeader& header,
                                                           const std::vector<Config>& configs) {
  std::ifstream in(file);
  std::map<std::int64_t, std::vector<std::pair<std::int64_t, Metrics>>> results;
  std::map<std::int64_t, RecoveredTrial> ended;
  bool first = true;
  for (std::string line; std::getline(in, line);) {
    const Json event = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (event.is_discarded()) continue;  // a line cut short by a kill
    if (first) {
      require_same(file, "trainable", event.value("trainable", ""), header.trainable);
      require_same(file, "metric", event.value("metric", ""), header.metric);
      require_same(file, "trial count", std::to_string(event.value("trials", std::int64_t{-1})),
                   std::to_string(header.trials));
      first = false;
    } else if (event.contains("result")) {
      auto& runs = results[event["result"].get<std::int64_t>()];
      const auto iteration = event["iteration"].get<std::int64_t>();
      if (iteration == 1) runs.clear();  // a trial run again starts its results anew
      runs.emplace_back(iteration, event["metrics"].get<Metrics>());
    } else if (event.contains("end")) {
      const auto id = event["end"].get<std::int64_t>();
      const Config& config = configs.at(std::size_t(id));
      require_same(file, ("config of trial " + std::to_string(id)).c_str(),
                   event["config"].get<std::string>(), to_string(config));
      RecoveredTrial recovered{.trial = {.id = id,
                                         .config = config,
                                         .state = state_named(event["state"].get<std::string>()),
                                         .iterations = event["iterations"].get<std::int64_t>(),
                                         .error = event["error"].get<std::string>()},
                               .results = results[id]};
      if (!recovered.results.empty()) recovered.trial.metrics = recovered.results.back().second;
      ended[id] = std::move(recovered);
    }
  }
  return ended;
}

}  // namespace manta::tune
