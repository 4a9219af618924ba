// ASHA's rungs and its stopping rule (Li et al. 2020; the rule of Ray Tune's ASHAScheduler).
#include <manta/tune.hpp>

#include <algorithm>
#include <cmath>

namespace manta::tune {
namespace {

/// The q quantile of `values` (0 <= q <= 1), interpolating linearly between order statistics
/// as numpy.percentile does, which Ray's ASHA uses.
double quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double position = q * double(values.size() - 1);
  const auto below = std::size_t(std::floor(position));
  const auto above = std::min(below + 1, values.size() - 1);
  return values[below] + (position - double(below)) * (values[above] - values[below]);
}

}  // namespace

AshaScheduler::AshaScheduler(AshaOptions options) : options_(options) {
  if (options.grace_period < 1) {
    throw InvalidOptionError("ASHA grace_period is " + std::to_string(options.grace_period) +
                             ": needs >= 1");
  }
  if (!(options.reduction_factor > 1)) {
    throw InvalidOptionError("ASHA reduction_factor is " +
                             to_string(Value{options.reduction_factor}) + ": needs > 1");
  }
  if (options.max_t < options.grace_period) {
    throw InvalidOptionError("ASHA max_t is " + std::to_string(options.max_t) +
                             ": needs >= grace_period (" + std::to_string(options.grace_period) +
                             ")");
  }
  for (double milestone = double(options.grace_period); milestone < double(options.max_t);
       milestone *= options.reduction_factor) {
    const auto rung = std::int64_t(std::llround(milestone));
    if (rungs_.empty() || rung > rungs_.back()) rungs_.push_back(rung);
  }
}

Decision AshaScheduler::on_result(std::int64_t trial, std::int64_t iteration, double score) {
  if (iteration >= options_.max_t) return Decision::complete;
  // Only the highest rung reached and not yet recorded decides, as a trial reports every
  // iteration and so meets each rung in turn.
  for (auto rung = rungs_.rbegin(); rung != rungs_.rend(); ++rung) {
    auto& scores = recorded_[*rung];
    if (iteration < *rung || scores.contains(trial)) continue;
    Decision decision = Decision::go_on;
    if (!scores.empty()) {
      std::vector<double> others;
      for (const auto& [other, other_score] : scores) others.push_back(other_score);
      const double cutoff = quantile(std::move(others), 1 - 1 / options_.reduction_factor);
      if (score < cutoff) decision = Decision::stop;
    }
    scores.emplace(trial, score);
    return decision;
  }
  return Decision::go_on;
}

const std::map<std::int64_t, double>& AshaScheduler::recorded(std::int64_t milestone) const {
  static const std::map<std::int64_t, double> none;
  const auto found = recorded_.find(milestone);
  return found == recorded_.end() ? none : found->second;
}

std::string AshaScheduler::describe() const {
  return "asha(grace " + std::to_string(options_.grace_period) + ", eta " +
         to_string(Value{options_.reduction_factor}) + ", max_t " + std::to_string(options_.max_t) +
         ")";
}

}  // namespace manta::tune
