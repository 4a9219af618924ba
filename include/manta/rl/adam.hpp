/// @file rl/adam.hpp
/// @brief Adam: the optimiser of Ray's ES (Kingma & Ba), with its bias-corrected step size.
#pragma once

#include <manta/checkpoint.hpp>

#include <boost/serialization/vector.hpp>

#include <cstddef>
#include <span>
#include <vector>

namespace manta::rl {

struct AdamOptions {
  float stepsize = 0.01F;
  float beta1 = 0.9F;
  float beta2 = 0.999F;
  float epsilon = 1e-8F;
};

class Adam {
 public:
  Adam() = default;
  Adam(std::size_t size, AdamOptions options) : options_(options), m_(size), v_(size) {}

  /// @brief One descent step: t += 1; m, v updated with `gradient`; then
  /// parameters −= stepsize·√(1 − β2ᵗ)/(1 − β1ᵗ) · m/(√v + ε).
  /// @throws std::invalid_argument for spans of another size than the optimiser's
  void step(std::span<float> parameters, std::span<const float> gradient);

  /// Steps taken so far.
  long steps() const noexcept { return t_; }

  template <class Archive>
  void serialize(Archive& archive, unsigned /*version*/) {
    archive& options_.stepsize& options_.beta1& options_.beta2& options_.epsilon& t_;
    archive& manta::h5_array("adam_m", m_);
    archive& manta::h5_array("adam_v", v_);
  }

 private:
  AdamOptions options_;
  long t_ = 0;
  std::vector<float> m_;
  std::vector<float> v_;
};

}  // namespace manta::rl
