#include "core/message_router.hpp"

#include "util/log.hpp"

#include <stdexcept>

namespace manta::core {

MessageRouter::MessageRouter(transport::WireLimits limits,
                             std::function<void(int source, const std::string& problem)> malformed)
    : limits_(limits), malformed_(std::move(malformed)) {}

void MessageRouter::claim(std::size_t index) const {
  if (handlers_[index]) {
    throw std::logic_error(std::string("manta: two handlers for ") +
                           transport::message_name(index));
  }
}

void MessageRouter::route(int source, std::span<const std::byte> bytes) const {
  transport::Message message;
  try {
    message = transport::decode(bytes, limits_);
  } catch (const std::exception& error) {
    // Dropping it could leave a task waiting for good; the peer runs other code or is broken.
    malformed_(source, std::string("sent a malformed message: ") + error.what());
    return;
  }
  const Handler& handler = handlers_[message.index()];
  if (!handler) {
    util::log().error("a {} from rank {} has no handler on this rank; dropped",
                      transport::message_name(message.index()), source);
    return;
  }
  handler(source, message);
}

}  // namespace manta::core
