/// @file tune/search_space.hpp
/// @brief Where each hyperparameter's values come from (Ray Tune's search space API), and the
/// configs a sweep runs: the cross product of the grids, times num_samples random draws.
///
/// @code
/// namespace tune = manta::tune;
/// tune::SearchSpace space{{"x", tune::grid({-1.0, -0.5, 0.0, 0.5, 1.0})},
///                         {"lr", tune::loguniform(1e-4, 1e-1)},
///                         {"batch", tune::choice({std::int64_t{32}, std::int64_t{64}})}};
/// // 5 grid points x 3 samples = 15 configs; the same seed gives the same 15
/// std::vector<tune::Config> configs = tune::generate_configs(space, 3, /*seed=*/7);
/// @endcode
#pragma once
#include "../detail/public_header.hpp"

#include "config.hpp"

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace manta::tune {

/// @brief The values of one hyperparameter: a grid to sweep in full, or a distribution to draw
/// from. Made by grid(), choice(), uniform(), loguniform(), randint() and quniform(), which check
/// their arguments.
class Domain {
 public:
  enum class Kind { grid, choice, uniform, loguniform, randint, quniform };

  Kind kind() const noexcept { return kind_; }

  /// @brief The values of a grid or a choice (empty for the other kinds).
  const std::vector<Value>& values() const noexcept { return values_; }

  /// @brief One random value (for a grid: one of its values). Draws exactly one number from
  /// `engine`, so a sequence of draws depends only on the engine's seed.
  Value sample(std::mt19937_64& engine) const;

  /// @brief The domain as text, as it is written in code: "loguniform(0.0001, 0.1)".
  std::string describe() const;

  friend Domain grid(std::vector<Value> values);
  friend Domain choice(std::vector<Value> values);
  friend Domain uniform(double low, double high);
  friend Domain loguniform(double low, double high);
  friend Domain randint(std::int64_t low, std::int64_t high);
  friend Domain quniform(double low, double high, double q);

 private:
  explicit Domain(Kind kind) : kind_(kind) {}

  Kind kind_;
  std::vector<Value> values_;  ///< grid and choice
  double low_ = 0;             ///< the other kinds: [low_, high_)
  double high_ = 0;
  double q_ = 0;  ///< quniform's step
};

/// @brief Every one of `values`, each in its own trial (Ray's `tune.grid_search`); several grids
/// in one space are crossed. @throws InvalidOptionError when `values` is empty
Domain grid(std::vector<Value> values);
/// @brief One of `values`, uniformly at random (`tune.choice`).
/// @throws InvalidOptionError when `values` is empty
Domain choice(std::vector<Value> values);
/// @brief A double uniform in [low, high) (`tune.uniform`).
/// @throws InvalidOptionError unless low < high, both finite
Domain uniform(double low, double high);
/// @brief A double whose logarithm is uniform in [log low, log high) (`tune.loguniform`).
/// @throws InvalidOptionError unless 0 < low < high, both finite
Domain loguniform(double low, double high);
/// @brief An int64 uniform in [low, high), high excluded as in `tune.randint`.
/// @throws InvalidOptionError unless low < high
Domain randint(std::int64_t low, std::int64_t high);
/// @brief uniform(low, high) rounded to a multiple of q (`tune.quniform`), a double.
/// @throws InvalidOptionError unless low < high and q > 0, all finite
Domain quniform(double low, double high, double q);

/// @brief Hyperparameter names to their domains.
using SearchSpace = std::map<std::string, Domain>;

/// @brief The configs of a sweep over `space`, in the order they run: for each of `num_samples`
/// rounds, every point of the grids' cross product (the last parameter's grid varying fastest),
/// each with fresh draws for the other parameters. The same space, count and seed give the same
/// configs, on every machine and rank.
/// @param [in] space  the parameters; an empty space gives num_samples empty configs
/// @param [in] num_samples  rounds over the grid (Ray's `num_samples`), at least 1
/// @param [in] seed  seeds the draws
/// @return grid points × num_samples configs
/// @throws InvalidOptionError when num_samples < 1
std::vector<Config> generate_configs(const SearchSpace& space, std::int64_t num_samples,
                                     std::uint64_t seed);

}  // namespace manta::tune
