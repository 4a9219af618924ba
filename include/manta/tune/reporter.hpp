/// @file tune/reporter.hpp
/// @brief What a trainable reports through, once per training iteration (Ray Tune's
/// `tune.report`), and how a trial learns that the scheduler stopped it.
///
/// @code
/// void train(const manta::tune::Config& config, manta::tune::Reporter& reporter) {
///   for (int step = 0; step < 10; ++step) {
///     reporter.report({{"score", objective(config, step)}});   // may end the trial here
///   }
/// }
/// @endcode
#pragma once
#include "../detail/public_header.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace manta::tune {

/// @brief The metrics of one iteration, by name.
using Metrics = std::map<std::string, double>;

/// @brief Thrown by Reporter::report when the scheduler stops the trial; the trial's runner
/// catches it and records the trial as stopped. Deliberately not a std::exception, so that a
/// trainable's `catch (const std::exception&)` lets it through; a `catch (...)` must rethrow.
struct TrialStopped {
  std::int64_t iteration;  ///< the last iteration reported
};

/// @brief A trial's channel to its experiment. The runtime passes one to each trainable; tests
/// derive their own to drive a trainable without a runtime.
class Reporter {
 public:
  virtual ~Reporter() = default;

  /// @brief Reports the metrics of the next iteration (1, 2, ...) and returns once the scheduler
  /// has let the trial go on. Call from the trainable's own thread.
  /// @param [in] metrics  must hold the experiment's metric (TuneOptions::metric)
  /// @throws TrialStopped when the scheduler stops the trial at this iteration
  /// @throws InvalidOptionError (from the experiment) when `metrics` lacks the experiment's metric
  void report(const Metrics& metrics) {
    ++iteration_;
    if (!on_report(iteration_, metrics)) throw TrialStopped{iteration_};
  }

  /// @brief Iterations reported so far.
  std::int64_t iteration() const noexcept { return iteration_; }

 protected:
  /// @brief Delivers one iteration's metrics; returns whether the trial goes on.
  virtual bool on_report(std::int64_t iteration, const Metrics& metrics) = 0;

 private:
  std::int64_t iteration_ = 0;
};

}  // namespace manta::tune
