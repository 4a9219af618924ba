#include "core/actor_names.hpp"

#include "core/runtime.hpp"

namespace manta::core {
namespace {

/// FNV-1a: the same on every rank and every build, unlike std::hash.
int keeper_of(const std::string& name, int ranks) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return static_cast<int>(hash % static_cast<std::uint64_t>(ranks));
}

}  // namespace

std::optional<ActorNames::Owner> ActorNames::claim(Runtime& runtime, const std::string& name,
                                                   const Owner& owner) {
  return ask(runtime, {0, name, true, owner.class_name, owner.actor, false});
}

std::optional<ActorNames::Owner> ActorNames::find(Runtime& runtime, const std::string& name) {
  return ask(runtime, {0, name, false, {}, {}, false});
}

void ActorNames::release(Runtime& runtime, const std::string& name,
                         const transport::WireActorAddress& actor) {
  ask(runtime, {0, name, false, {}, actor, true});
}

std::optional<ActorNames::Owner> ActorNames::ask(Runtime& runtime, transport::NameRequest request) {
  const int keeper = keeper_of(request.name, runtime.cluster().size());
  transport::NameReply reply;
  if (keeper == runtime.rank()) {
    reply = answer(request);
  } else {
    std::future<transport::NameReply> answered;
    {
      util::LockGuard lock(mutex_);
      request.request = next_request_++;
      answered = waiting_[request.request].get_future();
    }
    runtime.messenger().send(keeper, transport::encode(request));
    runtime.executor().block_begin();  // a worker asking gives its CPUs back meanwhile
    reply = answered.get();
    runtime.executor().block_end();
  }
  if (!reply.found || reply.claimed) return std::nullopt;
  return Owner{reply.class_name, reply.actor};
}

transport::NameReply ActorNames::answer(const transport::NameRequest& request) {
  util::LockGuard lock(mutex_);
  transport::NameReply reply{request.request, false, false, {}, {}};
  const auto found = owners_.find(request.name);
  if (request.release) {
    if (found != owners_.end() && found->second.actor == request.actor) owners_.erase(found);
  } else if (found != owners_.end()) {
    reply.found = true;
    reply.class_name = found->second.class_name;
    reply.actor = found->second.actor;
  } else if (request.claim) {
    owners_[request.name] = Owner{request.class_name, request.actor};
    reply.found = reply.claimed = true;
  }
  return reply;
}

void ActorNames::on_request(Runtime& runtime, int source, const transport::NameRequest& request) {
  runtime.messenger().send(source, transport::encode(answer(request)));
}

void ActorNames::on_reply(const transport::NameReply& reply) {
  std::promise<transport::NameReply> waiting;
  {
    util::LockGuard lock(mutex_);
    const auto found = waiting_.find(reply.request);
    if (found == waiting_.end()) return;
    waiting = std::move(found->second);
    waiting_.erase(found);
  }
  waiting.set_value(reply);
}

void ActorNames::handle_messages(Runtime& runtime, MessageRouter& router) {
  router.on<transport::NameRequest>([this, &runtime](int source, transport::NameRequest request) {
    on_request(runtime, source, request);
  });
  router.on<transport::NameReply>([this](int, transport::NameReply reply) { on_reply(reply); });
}

}  // namespace manta::core
