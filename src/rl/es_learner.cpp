#include <manta/rl/es_learner.hpp>

#include <manta/rl/centered_ranks.hpp>

#include <stdexcept>
#include <string>

namespace manta::rl {

EsLearner::EsLearner(std::vector<float> parameters, std::size_t observation_size, EsOptions options)
    : options_(options),
      parameters_(std::move(parameters)),
      optimizer_(parameters_.size(), options.adam),
      observation_stats_(observation_size) {}

PolicyBroadcast EsLearner::broadcast() const {
  return {.parameters = parameters_,
          .observation_mean = observation_stats_.mean(),
          .observation_std = observation_stats_.std()};
}

void EsLearner::update(const NoiseTable& noise, std::span<const std::uint64_t> noise_indices,
                       std::span<const float> positive, std::span<const float> negative) {
  const std::size_t pairs = noise_indices.size();
  if (pairs == 0 || positive.size() != pairs || negative.size() != pairs) {
    throw std::invalid_argument("EsLearner::update: " + std::to_string(pairs) + " noise indices, " +
                                std::to_string(positive.size()) + " positive and " +
                                std::to_string(negative.size()) +
                                " negative returns; expected the same number, at least 1");
  }
  std::vector<float> returns(positive.begin(), positive.end());
  returns.insert(returns.end(), negative.begin(), negative.end());
  const std::vector<float> ranks = centered_ranks(returns);

  const std::size_t dimension = parameters_.size();
  std::vector<float> gradient(dimension, 0.0F);
  const auto scale = 1.0F / static_cast<float>(returns.size());
  for (std::size_t i = 0; i < pairs; ++i) {
    const float weight = (ranks[i] - ranks[pairs + i]) * scale;
    const std::span<const float> epsilon = noise.slice(noise_indices[i], dimension);
    for (std::size_t j = 0; j < dimension; ++j) gradient[j] += weight * epsilon[j];
  }
  // g estimates the ascent direction of the return; Adam descends −g plus the L2 decay.
  for (std::size_t j = 0; j < dimension; ++j) {
    gradient[j] = -gradient[j] + options_.l2_coeff * parameters_[j];
  }
  optimizer_.step(parameters_, gradient);
  ++iteration_;
}

}  // namespace manta::rl
