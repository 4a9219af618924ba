/// @file transport/sender.hpp
/// @brief Where the layers above send control messages: the job's Messenger over UCX, or, in unit
/// tests, a Loopback joining several ranks in one process. A subsystem that takes a Sender (and
/// registers its handlers with a core::MessageRouter) runs unchanged on either.
#pragma once

#include <cstddef>
#include <vector>

namespace manta::transport {

/// @brief Sends encoded control messages (transport::encode) to ranks of the job.
class Sender {
 public:
  virtual ~Sender() = default;
  /// Sends `message` to rank `destination` (this rank included) and returns at once. Messages
  /// from one rank to another are delivered in the order they were sent. Thread-safe.
  virtual void send(int destination, std::vector<std::byte> message) = 0;

 protected:
  Sender() = default;
  Sender(const Sender&) = default;
  Sender& operator=(const Sender&) = default;
};

}  // namespace manta::transport
