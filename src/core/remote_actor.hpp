/// @file core/remote_actor.hpp
/// @brief A proxy of an actor hosted on another rank: sends the calls made through it there, in
/// the order they were made (a call waiting for its ObjectRef arguments holds back the later
/// ones), and sets their results from the replies.
#pragma once

#include "core/actor.hpp"
#include "core/actor_call.hpp"
#include "core/actor_policy.hpp"
#include "core/cluster.hpp"
#include "util/mutex.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace manta::core {

class RemoteActor final : public Actor {
 public:
  RemoteActor(Runtime& runtime, detail::ActorAddress address);

  /// Queues the creation of the actor on its host, as the first message sent there.
  /// `reservation`: what this rank counted as taken on the host, given back with the proxy.
  void create(const char* class_name, std::string name, resources::Request request,
              std::optional<Reservation> reservation, std::unique_ptr<detail::CallBody> constructor,
              const char* constructor_key, ActorPolicy policy);

  Object* submit(const char* method_name, std::unique_ptr<detail::CallBody> body) override;
  Object* checkpoint() override;
  /// Behind the calls made through this proxy; the host acts on it at once, not in its queue.
  void kill(bool restart) override;

 private:
  /// What the host needs to create the actor, sent with its constructor.
  struct Creation {
    const char* constructor_key = nullptr;
    std::string name;
    resources::Request request;
    ActorPolicy policy;
  };
  class Call;

  ~RemoteActor() override;
  Object* enqueue(CallKind kind, const char* name, std::unique_ptr<detail::CallBody> body);
  void enqueue(Call* call);
  void call_ready(Call& ready);

  Runtime& runtime_;
  const std::uint64_t generation_;
  std::optional<Reservation> reservation_;  ///< counted on the host when this rank created it
  util::Mutex mutex_;
  std::deque<Call*> queue_ MANTA_GUARDED_BY(mutex_);  ///< calls not yet sent, in submission order
};

}  // namespace manta::core
