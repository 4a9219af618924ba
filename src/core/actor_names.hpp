/// @file core/actor_names.hpp
/// @brief Named actors (Ray's `name` option and `get_actor`): each name is kept by one rank,
/// chosen by a hash of the name, so looking one up is one message to that rank whatever the
/// job's size, and claiming a name is atomic there.
#pragma once

#include "core/message_router.hpp"

#include "transport/wire.hpp"
#include "util/mutex.hpp"

#include <cstdint>
#include <future>
#include <map>
#include <optional>
#include <string>

namespace manta::core {

class Runtime;

/// @brief The names this rank keeps, and this rank's lookups waiting for replies. Thread-safe.
class ActorNames {
 public:
  /// @brief Who has a name: the actor's class and address.
  struct Owner {
    std::string class_name;
    transport::WireActorAddress actor;
  };

  /// Claims `name` for a new actor; returns the owner when another actor has it already.
  /// Blocks for one round trip to the rank that keeps the name.
  std::optional<Owner> claim(Runtime& runtime, const std::string& name, const Owner& owner);
  /// The owner of `name`, if any actor has it. Blocks like claim().
  std::optional<Owner> find(Runtime& runtime, const std::string& name);
  /// Frees `name` for new actors if the dead actor at `actor` still has it. Blocks like claim(),
  /// so that once the actor's death is seen anywhere, its name is free.
  void release(Runtime& runtime, const std::string& name, const transport::WireActorAddress& actor);

  /// Handles NameRequest and NameReply from `router`.
  void handle_messages(Runtime& runtime, MessageRouter& router);
  /// On the keeping rank: answers a request from `source`.
  void on_request(Runtime& runtime, int source, const transport::NameRequest& request);
  /// On the asking rank: a reply arrived.
  void on_reply(const transport::NameReply& reply);

 private:
  std::optional<Owner> ask(Runtime& runtime, transport::NameRequest request);
  /// Looks `request` up here (this rank keeps its name), claiming it if asked.
  transport::NameReply answer(const transport::NameRequest& request);

  util::Mutex mutex_;
  std::map<std::string, Owner> owners_ MANTA_GUARDED_BY(mutex_);  ///< the names this rank keeps
  std::map<std::uint64_t, std::promise<transport::NameReply>> waiting_ MANTA_GUARDED_BY(mutex_);
  std::uint64_t next_request_ MANTA_GUARDED_BY(mutex_) = 1;
};

}  // namespace manta::core
