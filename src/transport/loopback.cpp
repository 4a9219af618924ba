#include "transport/loopback.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace manta::transport {
namespace {

std::size_t checked(int rank, std::size_t ranks) {
  if (rank < 0 || static_cast<std::size_t>(rank) >= ranks) {
    throw std::out_of_range("rank " + std::to_string(rank) + " is not one of the loopback's " +
                            std::to_string(ranks));
  }
  return static_cast<std::size_t>(rank);
}

}  // namespace

Loopback::Loopback(int ranks) {
  {
    util::LockGuard lock(mutex_);
    receivers_.resize(static_cast<std::size_t>(ranks));
  }
  for (int rank = 0; rank < ranks; ++rank) {
    senders_.push_back(std::make_unique<RankSender>(*this, rank));
  }
  thread_ = std::thread([this] { deliver_loop(); });
}

Loopback::~Loopback() { stop(); }

void Loopback::stop() {
  {
    util::LockGuard lock(mutex_);
    stopping_ = true;
  }
  posted_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Loopback::attach(int rank, Receiver receiver) {
  const std::size_t index = checked(rank, senders_.size());
  util::LockGuard lock(mutex_);
  receivers_[index] = std::move(receiver);
}

Sender& Loopback::sender(int rank) { return *senders_[checked(rank, senders_.size())]; }

std::size_t Loopback::delivered() const {
  util::LockGuard lock(mutex_);
  return delivered_;
}

void Loopback::RankSender::send(int destination, std::vector<std::byte> message) {
  checked(destination, network_.senders_.size());
  {
    util::LockGuard lock(network_.mutex_);
    network_.letters_.push_back({rank_, destination, std::move(message)});
  }
  network_.posted_.notify_one();
}

void Loopback::deliver_loop() {
  util::UniqueLock lock(mutex_);
  while (true) {
    posted_.wait(lock.native(),
                 [this]() MANTA_REQUIRES(mutex_) { return stopping_ || !letters_.empty(); });
    if (letters_.empty()) return;  // stopping, and everything delivered
    Letter letter = std::move(letters_.front());
    letters_.pop_front();
    const Receiver receiver = receivers_[static_cast<std::size_t>(letter.destination)];
    lock.unlock();
    // A rank nobody attached drops what it is sent, as a rank that has stopped would.
    if (receiver) receiver(letter.source, letter.message);
    lock.lock();
    ++delivered_;
  }
}

}  // namespace manta::transport
