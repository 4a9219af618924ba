#include <manta/rl/mlp_policy.hpp>

#include "rl/span_checks.hpp"

#include <Eigen/Dense>

#include <random>
#include <stdexcept>
#include <string>

namespace manta::rl {

namespace {
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;
using ConstMatrixMap = Eigen::Map<const Matrix>;
using ConstVectorMap = Eigen::Map<const Eigen::VectorXf>;

std::size_t output_size(const ActionSpace& actions) {
  return actions.discrete() ? actions.choices : actions.dimensions;
}
}  // namespace

MlpPolicy::MlpPolicy(std::size_t observation_size, ActionSpace actions,
                     std::vector<std::size_t> hidden_sizes)
    : actions_(actions) {
  if (observation_size == 0) throw std::invalid_argument("MlpPolicy: an observation size of 0");
  sizes_.push_back(observation_size);
  for (std::size_t units : hidden_sizes) {
    if (units == 0) throw std::invalid_argument("MlpPolicy: a hidden layer of 0 units");
    sizes_.push_back(units);
  }
  sizes_.push_back(output_size(actions));
  for (std::size_t layer = 0; layer + 1 < sizes_.size(); ++layer) {
    parameter_count_ += sizes_[layer + 1] * sizes_[layer] + sizes_[layer + 1];
  }
}

std::vector<float> MlpPolicy::initial_parameters(std::uint64_t seed) const {
  std::mt19937_64 generator(seed);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  std::vector<float> parameters(parameter_count_, 0.0F);
  std::size_t offset = 0;
  for (std::size_t layer = 0; layer + 1 < sizes_.size(); ++layer) {
    const auto inputs = static_cast<Eigen::Index>(sizes_[layer]);
    const auto outputs = static_cast<Eigen::Index>(sizes_[layer + 1]);
    Eigen::Map<Matrix> weights(parameters.data() + offset, outputs, inputs);
    for (Eigen::Index i = 0; i < weights.size(); ++i) weights.data()[i] = normal(generator);
    const float norm = layer + 2 == sizes_.size() ? 0.01F : 1.0F;
    weights = (weights.array().colwise() / weights.rowwise().norm().array()) * norm;
    offset += static_cast<std::size_t>(outputs * inputs + outputs);  // biases stay 0
  }
  return parameters;
}

void MlpPolicy::act(std::span<const float> parameters, std::span<const float> observations,
                    std::span<float> actions) const {
  check_span_size("MlpPolicy::act", "the parameters", parameters, parameter_count_);
  const std::size_t batch = observations.size() / observation_size();
  check_span_size("MlpPolicy::act", "the observations", observations, batch * observation_size());
  check_span_size("MlpPolicy::act", "the actions", actions, batch * actions_.dimensions);
  const auto columns = static_cast<Eigen::Index>(batch);
  // Observation rows in memory are the columns of a column-major matrix.
  Matrix activations =
      ConstMatrixMap(observations.data(), static_cast<Eigen::Index>(sizes_.front()), columns);
  std::size_t offset = 0;
  for (std::size_t layer = 0; layer + 1 < sizes_.size(); ++layer) {
    const auto inputs = static_cast<Eigen::Index>(sizes_[layer]);
    const auto outputs = static_cast<Eigen::Index>(sizes_[layer + 1]);
    const ConstMatrixMap weights(parameters.data() + offset, outputs, inputs);
    const ConstVectorMap biases(parameters.data() + offset + outputs * inputs, outputs);
    offset += static_cast<std::size_t>(outputs * inputs + outputs);
    Matrix next = (weights * activations).colwise() + biases;
    if (layer + 2 < sizes_.size()) next = next.array().tanh();
    activations = std::move(next);
  }
  for (Eigen::Index column = 0; column < columns; ++column) {
    const auto out = static_cast<std::size_t>(column) * actions_.dimensions;
    if (actions_.discrete()) {
      Eigen::Index best = 0;
      activations.col(column).maxCoeff(&best);
      actions[out] = static_cast<float>(best);
    } else {
      for (std::size_t d = 0; d < actions_.dimensions; ++d) {
        const float squashed = std::tanh(activations(static_cast<Eigen::Index>(d), column));
        actions[out + d] = actions_.low + (squashed + 1.0F) * 0.5F * (actions_.high - actions_.low);
      }
    }
  }
}

}  // namespace manta::rl
