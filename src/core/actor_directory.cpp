#include "core/actor_directory.hpp"

#include "core/actor.hpp"

namespace manta::core {

Actor* ActorDirectory::find_locked(const Key& key) {
  const auto found = actors_.find(key);
  if (found == actors_.end()) return nullptr;
  found->second->retain();
  return found->second;
}

Actor* ActorDirectory::find(const detail::ActorAddress& address) {
  util::LockGuard lock(mutex_);
  return find_locked(key(address));
}

Actor* ActorDirectory::wait_for(const detail::ActorAddress& address,
                                std::chrono::steady_clock::duration timeout) {
  util::UniqueLock lock(mutex_);
  Actor* actor = nullptr;
  added_.wait_for(lock.native(), timeout, [&]() MANTA_REQUIRES(mutex_) {
    return (actor = find_locked(key(address))) != nullptr;
  });
  return actor;
}

Actor* ActorDirectory::add(Actor& actor) {
  Actor* kept = nullptr;
  {
    util::LockGuard lock(mutex_);
    const auto [entry, added] = actors_.emplace(key(actor.address()), &actor);
    entry->second->retain();    // the caller's
    if (added) actor.retain();  // the directory's
    kept = entry->second;
  }
  added_.notify_all();
  return kept;
}

Actor* ActorDirectory::find_or_park(const detail::ActorAddress& address, int source,
                                    transport::ActorCall& call) {
  util::LockGuard lock(mutex_);
  if (Actor* actor = find_locked(key(address))) return actor;
  parked_[key(address)].emplace_back(source, std::move(call));
  return nullptr;
}

std::vector<std::pair<int, transport::ActorCall>> ActorDirectory::take_parked(
    const detail::ActorAddress& address) {
  util::LockGuard lock(mutex_);
  const auto found = parked_.find(key(address));
  if (found == parked_.end()) return {};
  auto calls = std::move(found->second);
  parked_.erase(found);
  return calls;
}

void ActorDirectory::clear() {
  std::map<Key, Actor*> actors;
  {
    util::LockGuard lock(mutex_);
    actors.swap(actors_);
  }
  for (auto& [key, actor] : actors) actor->release();
}

}  // namespace manta::core
