#include <manta/rl/adam.hpp>

#include "rl/span_checks.hpp"

#include <cmath>

namespace manta::rl {

void Adam::step(std::span<float> parameters, std::span<const float> gradient) {
  check_span_size("Adam::step", "the parameters", parameters, m_.size());
  check_span_size("Adam::step", "the gradient", gradient, m_.size());
  ++t_;
  const double t = static_cast<double>(t_);
  const auto rate =
      static_cast<float>(options_.stepsize * std::sqrt(1.0 - std::pow(options_.beta2, t)) /
                         (1.0 - std::pow(options_.beta1, t)));
  for (std::size_t i = 0; i < m_.size(); ++i) {
    m_[i] = options_.beta1 * m_[i] + (1.0F - options_.beta1) * gradient[i];
    v_[i] = options_.beta2 * v_[i] + (1.0F - options_.beta2) * gradient[i] * gradient[i];
    parameters[i] -= rate * m_[i] / (std::sqrt(v_[i]) + options_.epsilon);
  }
}

}  // namespace manta::rl
