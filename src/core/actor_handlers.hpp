/// @file core/actor_handlers.hpp
/// @brief The host's side of the actor messages: ActorCreate (host an actor another rank
/// created) and ActorCall (run a call another rank made, and reply).
#pragma once

#include "core/message_router.hpp"
#include "transport/wire.hpp"

namespace manta::core {

class Actor;
class Runtime;

/// Hosts an actor another rank created (`source`, its creator).
void host_actor(Runtime& runtime, int source, transport::ActorCreate request);
/// Runs a call another rank made to an actor hosted here, and replies with its outcome; parks
/// it until the actor's creation arrives, if it has not yet.
void call_hosted_actor(Runtime& runtime, int source, transport::ActorCall request);
/// Handles ActorCreate and ActorCall from `router`.
void handle_actor_messages(Runtime& runtime, MessageRouter& router);
/// Keeps `actor`, hosted here, in the directory for calls from other ranks (for the job), and
/// runs the calls that arrived before it did.
void keep_for_other_ranks(Runtime& runtime, Actor& actor);

}  // namespace manta::core
