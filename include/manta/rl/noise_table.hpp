/// @file rl/noise_table.hpp
/// @brief NoiseTable: one big table of N(0, 1) floats made from a seed, which Evolution
/// Strategies' perturbations index into (Salimans et al. 2017): a perturbation travels as one
/// index, not as a vector. In a farm the table is one `manta::put`, read in place by runners.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace manta::rl {

class NoiseTable {
 public:
  /// @brief `size` floats drawn from N(0, 1) with a generator seeded by `seed`: the same on
  /// every machine for the same arguments.
  static std::vector<float> generate(std::uint64_t seed, std::size_t size);

  /// @brief A view of `values` (which must outlive the table).
  explicit NoiseTable(std::span<const float> values) : values_(values) {}

  std::size_t size() const noexcept { return values_.size(); }

  /// @brief The `dimension` floats starting at `index`.
  /// @throws std::out_of_range when they run past the end of the table
  std::span<const float> slice(std::size_t index, std::size_t dimension) const;

  /// @brief A uniformly drawn index whose slice of `dimension` floats fits in the table.
  /// @throws std::invalid_argument when the table holds fewer than `dimension` floats
  std::size_t sample_index(std::mt19937_64& generator, std::size_t dimension) const;

 private:
  std::span<const float> values_;
};

}  // namespace manta::rl
