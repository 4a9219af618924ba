#include <manta/rl/noise_table.hpp>

#include <stdexcept>
#include <string>

namespace manta::rl {

std::vector<float> NoiseTable::generate(std::uint64_t seed, std::size_t size) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  std::vector<float> values(size);
  for (float& value : values) value = normal(generator);
  return values;
}

std::span<const float> NoiseTable::slice(std::size_t index, std::size_t dimension) const {
  if (index > size() || dimension > size() - index) {
    throw std::out_of_range("NoiseTable::slice: " + std::to_string(dimension) + " floats at " +
                            std::to_string(index) + " run past the table's " +
                            std::to_string(size()));
  }
  return values_.subspan(index, dimension);
}

std::size_t NoiseTable::sample_index(std::mt19937_64& generator, std::size_t dimension) const {
  if (dimension == 0 || dimension > size()) {
    throw std::invalid_argument("NoiseTable::sample_index: a table of " + std::to_string(size()) +
                                " floats has no slice of " + std::to_string(dimension));
  }
  return std::uniform_int_distribution<std::size_t>(0, size() - dimension)(generator);
}

}  // namespace manta::rl
