/// @file core/actor.hpp
/// @brief Actors: one instance of a registered class on its host rank, with a mailbox of calls
/// run one at a time in the order they were made (core/local_actor.hpp); on other ranks, a proxy
/// that sends the calls there in that same order (core/remote_actor.hpp). Here: what a handle
/// sees of either, and how actors are created, named and passed between ranks.
#pragma once

#include "core/object.hpp"

#include <manta/detail/core_access.hpp>
#include <manta/options.hpp>

#include <atomic>
#include <memory>
#include <string>

namespace manta::core {

class Runtime;

/// @brief An actor as a handle sees it: hosted here (LocalActor) or elsewhere (RemoteActor).
///
/// References: each ActorHandle holds one, each queued call holds one until it is done, a
/// scheduled drain holds one while it is queued or running, and the ActorDirectory holds one for
/// an actor whose handle has been sent to another rank (so it lives for the rest of the job).
class Actor {
 public:
  void retain() noexcept { references_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (references_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  /// Takes a reference unless the last one is already gone (the actor is being destroyed).
  bool try_retain() noexcept {
    int count = references_.load(std::memory_order_relaxed);
    while (count > 0) {
      if (references_.compare_exchange_weak(count, count + 1, std::memory_order_relaxed)) {
        return true;
      }
    }
    return false;
  }
  const detail::ActorAddress& address() const noexcept { return address_; }

  /// Queues a call of `method_name` ("Class.method") behind every earlier call made through this
  /// object; returns its result object with one reference for the caller. Thread-safe.
  virtual Object* submit(const char* method_name, std::unique_ptr<detail::CallBody> body) = 0;
  /// Queues a checkpoint behind the earlier calls: its result object (one reference for the
  /// caller) becomes the file's path once a checkpoint holding the state after those calls is
  /// durable. Thread-safe.
  virtual Object* checkpoint() = 0;
  /// Ends the actor's instance at its next gap between calls (the current call finishes): with
  /// `restart`, a new one starts from the last checkpoint if max_restarts allows, and queued calls
  /// run on it; otherwise the actor is dead, its calls fail and its resources are given back.
  virtual void kill(bool restart) = 0;

 protected:
  explicit Actor(detail::ActorAddress address) : address_(address) {}
  virtual ~Actor() = default;

 private:
  std::atomic<int> references_{1};
  const detail::ActorAddress address_;
};

/// Creates an actor with `constructor` as its first call, on `options.rank`, or here, or (when
/// `constructor_key` names a remote factory) where its num_cpus are free. Returns it with one
/// reference. @throws InvalidOptionError, InfeasibleError
Actor* create_actor(Runtime& runtime, const char* class_name, const ActorOptions& options,
                    std::unique_ptr<detail::CallBody> constructor, const char* constructor_key);
/// The actor named `name` (with one reference), checked to be of `class_name`.
/// @throws ActorNotFoundError, TypeMismatchError
Actor* find_named_actor(Runtime& runtime, const std::string& name, const char* class_name);
/// The address of `actor` for a handle sent elsewhere; keeps a local actor alive in the directory.
detail::ActorAddress export_actor(Runtime& runtime, Actor& actor);
/// The actor at `address` with one reference: the actor itself on its host, a proxy elsewhere.
Actor* import_actor(Runtime& runtime, const detail::ActorAddress& address);

/// Inside an actor's method or constructor: whether its instance is a restart (max_restarts).
/// @throws Error on other threads
bool current_actor_restarted();
/// Inside an actor's method: ends the actor for good once the method returns by unwinding (its
/// call fails with ActorDiedError; no restart). @throws Error on other threads
[[noreturn]] void exit_current_actor();

}  // namespace manta::core
