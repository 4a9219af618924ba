/// @file transport/loopback.hpp
/// @brief Several ranks in one process, for unit tests of what lies above transport (Ray tests
/// its scheduler so, with fakes): each rank sends through its own Sender, and what it sends is
/// handed to the receiver attached for the destination, on one delivery thread, in the order it
/// was sent, as the messenger's progress thread hands messages to the router.
#pragma once

#include "transport/sender.hpp"
#include "util/mutex.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <thread>
#include <vector>

namespace manta::transport {

/// @brief An in-process network of `ranks` ranks. Attach every rank's receiver before the first
/// send; stop() (or the destructor) delivers what is queued, then stops.
class Loopback {
 public:
  using Receiver = std::function<void(int source, std::span<const std::byte> message)>;

  explicit Loopback(int ranks);
  ~Loopback();
  Loopback(const Loopback&) = delete;
  Loopback& operator=(const Loopback&) = delete;

  int ranks() const noexcept { return static_cast<int>(senders_.size()); }
  /// Rank `rank`'s messages go to `receiver`. @throws std::out_of_range for a rank not in it
  void attach(int rank, Receiver receiver);
  /// What rank `rank` sends with. @throws std::out_of_range for a rank not in it
  Sender& sender(int rank);
  /// Delivers what is queued (and what those deliveries send), then joins the delivery thread;
  /// later sends are dropped, as a stopped rank's would be. Call it before the receivers die.
  void stop();
  /// Messages delivered so far.
  std::size_t delivered() const;

 private:
  class RankSender final : public Sender {
   public:
    RankSender(Loopback& network, int rank) : network_(network), rank_(rank) {}
    void send(int destination, std::vector<std::byte> message) override;

   private:
    Loopback& network_;
    const int rank_;
  };
  struct Letter {
    int source;
    int destination;
    std::vector<std::byte> message;
  };

  void deliver_loop();

  std::vector<std::unique_ptr<RankSender>> senders_;
  mutable util::Mutex mutex_;
  std::vector<Receiver> receivers_ MANTA_GUARDED_BY(mutex_);
  std::condition_variable posted_;
  std::deque<Letter> letters_ MANTA_GUARDED_BY(mutex_);
  std::size_t delivered_ MANTA_GUARDED_BY(mutex_) = 0;
  bool stopping_ MANTA_GUARDED_BY(mutex_) = false;
  std::thread thread_;  ///< started last
};

}  // namespace manta::transport
