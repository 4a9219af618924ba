#include "core/actor_handlers.hpp"

#include "core/actor.hpp"
#include "core/actor_call.hpp"
#include "core/actor_directory.hpp"
#include "core/local_actor.hpp"
#include "core/registry.hpp"
#include "core/remote.hpp"
#include "core/runtime.hpp"
#include "core/wire_error.hpp"
#include "util/log.hpp"

#include <manta/error.hpp>

namespace manta::core {

void keep_for_other_ranks(Runtime& runtime, Actor& actor) {
  runtime.actors().add(actor)->release();
  for (auto& [caller, call] : runtime.actors().take_parked(actor.address())) {
    call_hosted_actor(runtime, caller, std::move(call));
  }
}

void host_actor(Runtime& runtime, int source, transport::ActorCreate request) {
  const detail::ActorAddress address = from_wire(request.actor);
  const char* class_name = "actor";
  std::unique_ptr<detail::CallBody> constructor;
  try {
    class_name = Registry::instance().actor_class(request.class_name);
    if (!request.failure.empty()) throw Error(request.failure);
    constructor = Registry::instance().actor_constructor(request.constructor)(request.arguments);
  } catch (...) {
    constructor = failed_body(std::current_exception());
  }
  util::log().debug("hosting actor '{}' created by rank {}", request.name, source);
  auto* actor = new LocalActor(
      runtime, address, class_name, std::move(request.name), from_wire(request.resources),
      std::nullopt, std::move(constructor),
      ActorPolicy::make(request.checkpoint_every_calls, request.checkpoint_every_seconds,
                        request.max_restarts, request.max_task_retries, request.max_concurrency,
                        request.isolated),
      request.constructor);
  keep_for_other_ranks(runtime, *actor);
  actor->release();
}

void call_hosted_actor(Runtime& runtime, int source, transport::ActorCall request) {
  Actor* actor = runtime.actors().find_or_park(from_wire(request.actor), source, request);
  if (actor == nullptr) return;  // parked until the actor's creation arrives
  try {
    switch (from_wire(request.kind)) {
      case CallKind::checkpoint:
        reply_when_ready(runtime, source, request.result, actor->checkpoint(), request.method);
        actor->release();
        return;
      case CallKind::kill:
      case CallKind::kill_and_restart:
        actor->kill(request.kind == transport::ActorCallKind::kill_and_restart);
        runtime.remote().reply(source, {request.result, std::vector<std::byte>{}});  // a Unit
        actor->release();
        return;
      case CallKind::constructor:
      case CallKind::method:
        break;
    }
    const auto method = Registry::instance().remote_method(request.method);
    if (method.factory == nullptr) {
      throw NotRegisteredError("method '" + request.method + "' cannot be called remotely");
    }
    Object* result =
        actor->submit(method.name, method.factory(method.member_pointer, request.arguments));
    reply_when_ready(runtime, source, request.result, result, request.method);
  } catch (...) {
    runtime.remote().reply(source, {request.result, wire_error(std::current_exception(),
                                                               request.method, runtime.rank())});
  }
  if (actor != nullptr) actor->release();
}

void handle_actor_messages(Runtime& runtime, MessageRouter& router) {
  router.on<transport::ActorCreate>([&runtime](int source, transport::ActorCreate create) {
    host_actor(runtime, source, std::move(create));
  });
  router.on<transport::ActorCall>([&runtime](int source, transport::ActorCall call) {
    call_hosted_actor(runtime, source, std::move(call));
  });
}

}  // namespace manta::core
