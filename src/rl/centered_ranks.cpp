#include <manta/rl/centered_ranks.hpp>

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace manta::rl {

std::vector<float> centered_ranks(std::span<const float> values) {
  if (values.size() < 2) {
    throw std::invalid_argument("centered_ranks: needs at least 2 values, got " +
                                std::to_string(values.size()));
  }
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<float> ranks(values.size());
  const auto last = static_cast<float>(values.size() - 1);
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    ranks[order[rank]] = static_cast<float>(rank) / last - 0.5F;
  }
  return ranks;
}

}  // namespace manta::rl
