#include "transport/ring_watch.hpp"

#include <cmath>

namespace manta::transport {

RingWatch::RingWatch(int self, int size, std::chrono::duration<double> timeout) {
  if (size < 2 || timeout <= std::chrono::duration<double>::zero()) return;
  watched_ = (self + 1) % size;
  watcher_ = (self + size - 1) % size;
  timeout_ = std::chrono::duration_cast<Clock::duration>(timeout);
  heartbeat_interval_ = timeout_ / 5;
}

std::string RingWatch::silence(Clock::time_point now) {
  if (batches_from_watched_ != batches_seen_) {
    batches_seen_ = batches_from_watched_;
    last_heard_ = now;
    return {};
  }
  if (reported_ || !watching() || now - last_heard_ <= timeout_) return {};
  reported_ = true;
  const auto silent = std::chrono::duration_cast<std::chrono::seconds>(now - last_heard_);
  const auto timeout = std::chrono::duration<double>(timeout_).count();
  return "has sent nothing for " + std::to_string(silent.count()) + " s (peer timeout " +
         std::to_string(std::lround(timeout)) + " s): it is stopped, wedged or unreachable";
}

}  // namespace manta::transport
