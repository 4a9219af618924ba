#include "core/actor_names.hpp"

#include "core/executor.hpp"

namespace manta::core {

ActorNames::ActorNames(int rank, int ranks, transport::Sender& sender, Executor& executor,
                       MessageRouter& router)
    : rank_(rank), ranks_(ranks), sender_(sender), executor_(executor) {
  router.on<transport::NameRequest>(
      [this](int source, transport::NameRequest request) { on_request(source, request); });
  router.on<transport::NameReply>([this](int, transport::NameReply reply) { on_reply(reply); });
}

int ActorNames::keeper_of(const std::string& name, int ranks) {
  // FNV-1a: the same on every rank and every build, unlike std::hash.
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return static_cast<int>(hash % static_cast<std::uint64_t>(ranks));
}

std::optional<ActorNames::Owner> ActorNames::claim(const std::string& name, const Owner& owner) {
  return ask({0, name, true, owner.class_name, owner.actor, false});
}

std::optional<ActorNames::Owner> ActorNames::find(const std::string& name) {
  return ask({0, name, false, {}, {}, false});
}

void ActorNames::release(const std::string& name, const transport::WireActorAddress& actor) {
  ask({0, name, false, {}, actor, true});
}

std::optional<ActorNames::Owner> ActorNames::ask(transport::NameRequest request) {
  const int keeper = keeper_of(request.name, ranks_);
  transport::NameReply reply;
  if (keeper == rank_) {
    reply = answer(request);
  } else {
    std::future<transport::NameReply> answered;
    {
      util::LockGuard lock(mutex_);
      request.request = next_request_++;
      answered = waiting_[request.request].get_future();
    }
    sender_.send(keeper, transport::encode(request));
    executor_.block_begin();  // a worker asking gives its CPUs back meanwhile
    reply = answered.get();
    executor_.block_end();
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

void ActorNames::on_request(int source, const transport::NameRequest& request) {
  sender_.send(source, transport::encode(answer(request)));
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

}  // namespace manta::core
