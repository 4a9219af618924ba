/// @file core/message_router.hpp
/// @brief Who handles which message between ranks: each subsystem registers its own handlers
/// (Thallium's providers), and the router decodes what the messenger delivers and hands each
/// message to its handler. A new message is its wire type plus one `on<>` in its subsystem.
#pragma once

#include "transport/wire.hpp"

#include <array>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <variant>

namespace manta::core {

namespace detail_router {
template <class T, class Variant>
struct index_of;
template <class T, class... Types>
struct index_of<T, std::variant<Types...>> {
  static constexpr std::size_t value = [] {
    constexpr bool matches[] = {std::is_same_v<T, Types>...};
    for (std::size_t i = 0; i < sizeof...(Types); ++i) {
      if (matches[i]) return i;
    }
    return sizeof...(Types);
  }();
  static_assert(value < sizeof...(Types), "not a message of transport::Message");
};
}  // namespace detail_router

/// @brief Registration happens while the runtime starts, before the messenger delivers
/// anything; routing then reads the table only (from the messenger's progress thread).
class MessageRouter {
 public:
  /// `malformed`: called for bytes that do not decode as a message of this job.
  MessageRouter(transport::WireLimits limits,
                std::function<void(int source, const std::string& problem)> malformed);

  /// Makes `handler(source, message)` the handler of messages of type `Message`.
  /// @throws std::logic_error when the type has a handler already
  template <class Message>
  void on(std::function<void(int source, Message message)> handler) {
    constexpr std::size_t index = detail_router::index_of<Message, transport::Message>::value;
    claim(index);
    handlers_[index] = [handler = std::move(handler)](int source, transport::Message& message) {
      handler(source, std::move(std::get<Message>(message)));
    };
  }

  /// Decodes `bytes` from `source` and runs its handler.
  void route(int source, std::span<const std::byte> bytes) const;

 private:
  using Handler = std::function<void(int, transport::Message&)>;
  void claim(std::size_t index) const;

  const transport::WireLimits limits_;
  const std::function<void(int, const std::string&)> malformed_;
  std::array<Handler, std::variant_size_v<transport::Message>> handlers_;
};

}  // namespace manta::core
