// core::ActorDirectory: references it keeps, and waiting for an actor another thread adds.
#include "core/actor_directory.hpp"
#include "core/actor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace {

using manta::core::Actor;
using manta::core::ActorDirectory;
using manta::detail::ActorAddress;

/// An actor that only counts its own destruction.
class CountedActor final : public Actor {
 public:
  CountedActor(ActorAddress address, std::atomic<int>& destroyed)
      : Actor(address), destroyed_(destroyed) {}
  manta::core::Object* submit(const char*, std::unique_ptr<manta::detail::CallBody>) override {
    return nullptr;
  }
  manta::core::Object* checkpoint() override { return nullptr; }
  void kill(bool) override {}

 private:
  ~CountedActor() override { ++destroyed_; }
  std::atomic<int>& destroyed_;
};

TEST(ActorDirectory, KeepsOneReferenceUntilCleared) {
  std::atomic<int> destroyed = 0;
  ActorDirectory directory;
  auto* actor = new CountedActor({1, 0, 7}, destroyed);
  directory.add(*actor)->release();  // the caller's reference from add
  actor->release();                  // the creator's
  EXPECT_EQ(destroyed, 0);
  Actor* found = directory.find({1, 0, 7});
  ASSERT_EQ(found, actor);
  found->release();
  EXPECT_EQ(directory.find({1, 0, 8}), nullptr);
  directory.clear();
  EXPECT_EQ(destroyed, 1);
}

TEST(ActorDirectory, WaitForReturnsTheActorOnceAnotherThreadAddsIt) {
  std::atomic<int> destroyed = 0;
  ActorDirectory directory;
  auto* actor = new CountedActor({0, 0, 3}, destroyed);
  std::thread adder([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    directory.add(*actor)->release();
    actor->release();
  });
  Actor* found = directory.wait_for({0, 0, 3}, std::chrono::seconds(30));
  adder.join();
  ASSERT_EQ(found, actor);
  found->release();
  EXPECT_EQ(directory.wait_for({0, 0, 4}, std::chrono::milliseconds(20)), nullptr);
}

}  // namespace
