/// @file tune/trainable.hpp
/// @brief Trainables: the functions a sweep runs once per config, registered by name so that
/// any rank can run any trial (as MANTA_REMOTE registers tasks).
///
/// @code
/// void train(const manta::tune::Config& config, manta::tune::Reporter& reporter) {
///   const double x = config.get<double>("x");
///   for (int step = 0; step < 10; ++step) reporter.report({{"score", x * x}});
/// }
/// MANTA_TRAINABLE(train);
/// @endcode
#pragma once
#include "../detail/public_header.hpp"

#include "config.hpp"
#include "reporter.hpp"

#include <string>

namespace manta::tune {

/// @brief A function trainable: trains with `config`, calling `reporter.report(metrics)` once per
/// iteration, and returns when done. An exception it throws fails its trial (not the sweep).
using Trainable = void (*)(const Config& config, Reporter& reporter);

/// @brief Registers a trainable at static initialisation; use MANTA_TRAINABLE.
struct TrainableRegistrar {
  TrainableRegistrar(const char* name, Trainable trainable);
};

/// @brief The trainable registered as `name`.
/// @throws NotRegisteredError when none is; InvalidOptionError when two were registered as `name`
Trainable find_trainable(const std::string& name);

/// @brief The name `trainable` was registered with.
/// @throws NotRegisteredError when it was not registered (MANTA_TRAINABLE)
std::string trainable_name(Trainable trainable);

}  // namespace manta::tune

/// @brief Registers a function trainable under its own name. Place at namespace scope, once per
/// trainable in the program; two trainables of one name are refused when a sweep starts.
#define MANTA_TRAINABLE(function)                                                    \
  [[maybe_unused]] static const ::manta::tune::TrainableRegistrar MANTA_TUNE_CONCAT( \
      manta_trainable_, __COUNTER__) {                                               \
#function, &function                                                             \
  }
#define MANTA_TUNE_CONCAT(a, b) MANTA_TUNE_CONCAT_INNER(a, b)
#define MANTA_TUNE_CONCAT_INNER(a, b) a##b
