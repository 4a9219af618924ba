/// @file tune/fifo_scheduler.hpp
/// @brief The scheduler that stops nothing: every trial runs until its trainable returns
/// (Ray Tune's FIFOScheduler, the default).
#pragma once
#include "../detail/public_header.hpp"

#include "scheduler.hpp"

namespace manta::tune {

/// @brief Lets every trial go on. Trials start in the order of their configs.
class FifoScheduler final : public Scheduler {
 public:
  Decision on_result(std::int64_t, std::int64_t, double) override { return Decision::go_on; }
  std::string describe() const override { return "fifo"; }
};

}  // namespace manta::tune
