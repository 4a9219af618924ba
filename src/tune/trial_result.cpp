// Trial states as text, the best trial of a sweep, and its results as CSV.
#include <manta/tune.hpp>

#include <fstream>
#include <set>

namespace manta::tune {
namespace {

/// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

const char* to_string(TrialState state) noexcept {
  switch (state) {
    case TrialState::pending:
      return "pending";
    case TrialState::running:
      return "running";
    case TrialState::terminated:
      return "terminated";
    case TrialState::stopped:
      return "stopped";
    case TrialState::error:
      return "error";
  }
  return "unknown";
}

const TrialResult& ResultGrid::best() const {
  const TrialResult* best = nullptr;
  for (const auto& trial : trials_) {
    const auto value = trial.metrics.find(metric_);
    if (value == trial.metrics.end()) continue;
    const double best_value = best ? best->metrics.at(metric_) : 0;
    const bool better =
        mode_ == Mode::min ? value->second < best_value : value->second > best_value;
    if (best == nullptr || better) best = &trial;
  }
  if (best == nullptr) {
    throw InvalidOptionError("no trial of the sweep reported '" + metric_ +
                             "': there is no best trial (" + std::to_string(trials_.size()) +
                             " trials, " + std::to_string(count(TrialState::error)) + " failed)");
  }
  return *best;
}

std::int64_t ResultGrid::count(TrialState state) const {
  std::int64_t n = 0;
  for (const auto& trial : trials_) n += trial.state == state;
  return n;
}

void ResultGrid::write_csv(const std::filesystem::path& file) const {
  std::set<std::string> parameters;
  std::set<std::string> metrics;
  for (const auto& trial : trials_) {
    for (const auto& [name, value] : trial.config.values()) parameters.insert(name);
    for (const auto& [name, value] : trial.metrics) metrics.insert(name);
  }
  std::ofstream out(file);
  if (!out) throw InvalidOptionError("cannot write the results to " + file.string());
  out << "trial_id,state,iterations";
  for (const auto& name : parameters) out << ',' << csv_field(name);
  for (const auto& name : metrics) out << ',' << csv_field(name);
  out << ",error\n";
  for (const auto& trial : trials_) {
    out << trial.id << ',' << to_string(trial.state) << ',' << trial.iterations;
    for (const auto& name : parameters) {
      out << ',';
      if (trial.config.contains(name)) out << csv_field(to_string(trial.config.at(name)));
    }
    for (const auto& name : metrics) {
      out << ',';
      const auto value = trial.metrics.find(name);
      if (value != trial.metrics.end()) out << to_string(Value{value->second});
    }
    out << ',' << csv_field(trial.error) << '\n';
  }
  if (!out.flush()) throw InvalidOptionError("cannot write the results to " + file.string());
}

}  // namespace manta::tune
