/// @file rl/centered_ranks.hpp
/// @brief Fitness shaping of Evolution Strategies: returns replaced by their ranks, scaled to
/// [−0.5, 0.5], so that one outlier episode cannot dominate an update (Ray ES's
/// compute_centered_ranks).
#pragma once

#include <span>
#include <vector>

namespace manta::rl {

/// @brief The centred rank of each value: rank / (n − 1) − 0.5, the smallest −0.5, the largest
/// 0.5. Ties keep their order of appearance.
/// @throws std::invalid_argument for fewer than 2 values
std::vector<float> centered_ranks(std::span<const float> values);

}  // namespace manta::rl
