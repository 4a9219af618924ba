/// @file core/actor_names.hpp
/// @brief Named actors (Ray's `name` option and `get_actor`): each name is kept by one rank,
/// chosen by a hash of the name, so looking one up is one message to that rank whatever the
/// job's size, and claiming a name is atomic there.
#pragma once

#include "core/message_router.hpp"

#include "transport/sender.hpp"
#include "transport/wire.hpp"
#include "util/mutex.hpp"

#include <cstdint>
#include <future>
#include <map>
#include <optional>
#include <string>

namespace manta::core {

class Executor;

/// @brief The names this rank keeps, and this rank's lookups waiting for replies. Thread-safe.
class ActorNames {
 public:
  /// This is rank `rank` of `ranks`; it sends with `sender`, and `router` hands it its messages
  /// (NameRequest, NameReply). A lookup from a thread of `executor` gives that thread's CPUs
  /// back while it waits.
  ActorNames(int rank, int ranks, transport::Sender& sender, Executor& executor,
             MessageRouter& router);
  ActorNames(const ActorNames&) = delete;
  ActorNames& operator=(const ActorNames&) = delete;

  /// @brief Who has a name: the actor's class and address.
  struct Owner {
    std::string class_name;
    transport::WireActorAddress actor;
  };

  /// Claims `name` for a new actor; returns the owner when another actor has it already.
  /// Blocks for one round trip to the rank that keeps the name.
  std::optional<Owner> claim(const std::string& name, const Owner& owner);
  /// The owner of `name`, if any actor has it. Blocks like claim().
  std::optional<Owner> find(const std::string& name);
  /// Frees `name` for new actors if the dead actor at `actor` still has it. Blocks like claim(),
  /// so that once the actor's death is seen anywhere, its name is free.
  void release(const std::string& name, const transport::WireActorAddress& actor);

  /// The rank that keeps `name` (the same on every rank and every build).
  static int keeper_of(const std::string& name, int ranks);

 private:
  /// On the keeping rank: answers a request from `source`.
  void on_request(int source, const transport::NameRequest& request);
  /// On the asking rank: a reply arrived.
  void on_reply(const transport::NameReply& reply);
  std::optional<Owner> ask(transport::NameRequest request);
  /// Looks `request` up here (this rank keeps its name), claiming it if asked.
  transport::NameReply answer(const transport::NameRequest& request);

  const int rank_;
  const int ranks_;
  transport::Sender& sender_;
  Executor& executor_;
  util::Mutex mutex_;
  std::map<std::string, Owner> owners_ MANTA_GUARDED_BY(mutex_);  ///< the names this rank keeps
  std::map<std::uint64_t, std::promise<transport::NameReply>> waiting_ MANTA_GUARDED_BY(mutex_);
  std::uint64_t next_request_ MANTA_GUARDED_BY(mutex_) = 1;
};

}  // namespace manta::core
