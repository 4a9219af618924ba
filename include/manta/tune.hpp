/// @file tune.hpp
/// @brief Hyperparameter sweeps on Manta (Ray Tune for C++): search spaces, trainables, the
/// FIFO and ASHA schedulers and the Tuner. Includes <manta/manta.hpp>; link `Manta::tune`.
///
/// @code
/// #include <manta/tune.hpp>
/// namespace tune = manta::tune;
///
/// void train(const tune::Config& config, tune::Reporter& reporter) {
///   const double x = config.get<double>("x"), y = config.get<double>("y");
///   for (int step = 0; step < 10; ++step)
///     reporter.report({{"score", std::sqrt((x * x + y * y) / 2)}});
/// }
/// MANTA_TRAINABLE(train);
///
/// int main(int argc, char** argv) {
///   return manta::run(argc, argv, [] {
///     tune::SearchSpace space{{"x", tune::grid({-1.0, -0.5, 0.0, 0.5, 1.0})},
///                             {"y", tune::grid({-1.0, -0.5, 0.0, 0.5, 1.0})}};
///     tune::Tuner tuner(train, space, {.metric = "score", .mode = tune::Mode::min});
///     std::cout << to_string(tuner.fit().best().config) << "\n";   // {x: 0, y: 0}
///   });
/// }
/// @endcode
#pragma once
#include "manta.hpp"

#define MANTA_UMBRELLA_INCLUDE
#include <manta/tune/asha_scheduler.hpp>
#include <manta/tune/config.hpp>
#include <manta/tune/fifo_scheduler.hpp>
#include <manta/tune/reporter.hpp>
#include <manta/tune/scheduler.hpp>
#include <manta/tune/search_space.hpp>
#include <manta/tune/trainable.hpp>
#include <manta/tune/trial_result.hpp>
#include <manta/tune/tuner.hpp>
#undef MANTA_UMBRELLA_INCLUDE
