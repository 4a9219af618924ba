/// @file transport/ring_watch.hpp
/// @brief Liveness in a ring: each rank watches the next and is watched by the previous, so a
/// stopped, wedged or unreachable rank is found by one peer, without a head node and without a
/// message of its own on a busy job (any batch counts as a sign of life).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace manta::transport {

/// @brief The watch of one rank: rank self+1 (mod size) is reported when nothing came from it
/// for the timeout; rank self-1, which watches this one, must hear from it at least every fifth
/// of the timeout (a heartbeat: an empty batch). Not thread-safe: the messenger calls it under
/// its send lock or on its progress thread, as each method says.
class RingWatch {
 public:
  using Clock = std::chrono::steady_clock;

  /// Watches nobody.
  RingWatch() = default;
  /// Watches nobody on one rank or with a zero timeout.
  RingWatch(int self, int size, std::chrono::duration<double> timeout);

  bool watching() const noexcept { return watched_ >= 0; }
  /// The rank that watches this one; -1 when none does.
  int watcher() const noexcept { return watcher_; }

  /// The watch starts now (the progress thread starts).
  void start(Clock::time_point now) noexcept { last_heard_ = now; }
  /// A batch arrived from `source` (progress thread).
  void heard_from(int source) noexcept {
    if (source == watched_) ++batches_from_watched_;
  }
  /// A batch (a message or a heartbeat) left for `destination` (under the send lock).
  void sent_to(int destination) noexcept {
    if (destination == watcher_) last_sent_to_watcher_ = Clock::now();
  }
  /// Whether the watcher has had nothing from this rank for a heartbeat interval.
  bool heartbeat_due(Clock::time_point now) const noexcept {
    return watching() && now - last_sent_to_watcher_ >= heartbeat_interval_;
  }
  /// Why the watched rank must count as failed at `now`: silent past the timeout; empty while it
  /// is not, and after it was once reported (progress thread).
  std::string silence(Clock::time_point now);
  /// The rank watched; -1 when none.
  int watched() const noexcept { return watched_; }

 private:
  int watched_ = -1;
  int watcher_ = -1;
  Clock::duration timeout_{};
  Clock::duration heartbeat_interval_{};
  Clock::time_point last_sent_to_watcher_{};  ///< under the send lock
  std::uint64_t batches_from_watched_ = 0;    ///< counted as they arrive
  std::uint64_t batches_seen_ = 0;            ///< as counted at the last silence()
  Clock::time_point last_heard_{};
  bool reported_ = false;
};

}  // namespace manta::transport
