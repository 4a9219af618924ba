/// @file core/actor_directory.hpp
/// @brief The actors a rank knows by address: those hosted here whose handles have gone to other
/// ranks, and proxies of actors hosted elsewhere; and the calls that arrived before their actor.
#pragma once

#include "transport/wire.hpp"
#include "util/mutex.hpp"

#include <manta/detail/core_access.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace manta::core {

class Actor;

/// @brief Thread-safe.
class ActorDirectory {
 public:
  ~ActorDirectory() { clear(); }
  /// The actor at `address` with one more reference, or null.
  Actor* find(const detail::ActorAddress& address);
  /// The actor at `address` with one more reference, once another thread has added it; null
  /// if it has not after `timeout`.
  Actor* wait_for(const detail::ActorAddress& address, std::chrono::steady_clock::duration timeout);
  /// Keeps `actor` (one reference) under its address; returns the actor kept there, retained,
  /// which is `actor` unless another one was added first.
  Actor* add(Actor& actor);
  /// The actor at `address` with one more reference; or null, and then `call` (from `source`)
  /// is kept until the actor is added: its creation is still on the way from its creator, which
  /// is another rank than the caller, so the two messages may arrive in either order.
  Actor* find_or_park(const detail::ActorAddress& address, int source, transport::ActorCall& call);
  /// The calls parked for `address`, in the order they arrived; removed from the directory.
  std::vector<std::pair<int, transport::ActorCall>> take_parked(
      const detail::ActorAddress& address);
  /// Drops every reference the directory holds (at shutdown, with no work left).
  void clear();

 private:
  using Key = std::pair<std::int32_t, std::uint64_t>;
  static Key key(const detail::ActorAddress& address) {
    return {address.creator, address.sequence};
  }
  /// The actor under `key`, retained, or null.
  Actor* find_locked(const Key& key) MANTA_REQUIRES(mutex_);

  util::Mutex mutex_;
  std::condition_variable added_;                          ///< an actor was added
  std::map<Key, Actor*> actors_ MANTA_GUARDED_BY(mutex_);  ///< by (creator, sequence)
  std::map<Key, std::vector<std::pair<int, transport::ActorCall>>> parked_ MANTA_GUARDED_BY(mutex_);
};

}  // namespace manta::core
