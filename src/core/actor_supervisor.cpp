#include "core/actor_supervisor.hpp"

#include "core/remote.hpp"
#include "core/runtime.hpp"
#include "util/failure.hpp"
#include "util/log.hpp"

#include <manta/error.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

namespace manta::core {

ActorIdentity::ActorIdentity(std::string class_name_, std::string name_,
                             const detail::ActorAddress& address_, std::string resources_)
    : class_name(std::move(class_name_)),
      name(std::move(name_)),
      key(name.empty() ? class_name + "@" + std::to_string(address_.creator) + "." +
                             std::to_string(address_.sequence)
                       : name),
      shown_name(name.empty() ? class_name : name),
      resources(std::move(resources_)),
      address(address_) {}

ActorSupervisor::ActorSupervisor(Runtime& runtime, const ActorIdentity& identity,
                                 const ActorPolicy& policy, InstanceRecipe recipe)
    : runtime_(runtime), identity_(identity), policy_(policy), recipe_(std::move(recipe)) {}

void ActorSupervisor::construct(QueuedCall& call) {
  if (policy_.max_restarts != 0) constructor_ = call.take_body();
  detail::CallBody& constructor = constructor_ ? *constructor_ : call.body();
  if (dead()) return;  // never placed: no instance
  if (auto failure = QueuedCall::first_failure(constructor.dependencies())) {
    die("its constructor failed: " + util::message_of(failure));
  } else {
    build(constructor, "");
  }
}

bool ActorSupervisor::build(detail::CallBody& constructor, std::string reason) {
  while (true) {
    if (!reason.empty()) {
      const int restarts = ++restarts_;
      phase_.store(ActorState::Phase::restarting, std::memory_order_relaxed);
      util::log().warn("actor '{}' restarts ({} of {}): {}", identity_.shown_name, restarts,
                       limit_text(policy_.max_restarts), reason);
    }
    try {
      instance_.reset();
      instance_ = build_instance(recipe_, constructor, restarts_ > 0);
      load_saved_state();
      phase_.store(ActorState::Phase::alive, std::memory_order_relaxed);
      return true;
    } catch (const ActorExit&) {
      instance_.reset();
      die("its constructor called manta::exit_actor()");
      return false;
    } catch (...) {
      reason = "its constructor failed: " + util::message_of(std::current_exception());
    }
    if (!within(restarts_, policy_.max_restarts)) {
      instance_.reset();
      die(reason);
      return false;
    }
  }
}

bool ActorSupervisor::may_restart() const noexcept {
  return constructor_ != nullptr && within(restarts_, policy_.max_restarts);
}

bool ActorSupervisor::may_retry(int retries) const noexcept {
  return may_restart() && within(retries, policy_.max_task_retries);
}

bool ActorSupervisor::restart(const std::string& reason) {
  if (may_restart() && build(*constructor_, reason)) return true;
  end(reason);
  return false;
}

void ActorSupervisor::end(const std::string& reason) {
  if (!dead()) die(reason);
  instance_.reset();
}

void ActorSupervisor::load_saved_state() {
  auto saved = runtime_.checkpointer().last_saved(identity_.key, !identity_.name.empty());
  calls_ = 0;
  if (!saved) return;
  if (saved->class_name != identity_.class_name) {
    throw CheckpointError(
        saved->file, identity_.key,
        "it holds a " + saved->class_name + " of this name, not a " + identity_.class_name);
  }
  if (recipe_.state.load == nullptr) {
    throw CheckpointError(saved->file, identity_.key,
                          "class " + identity_.class_name + " has no serialize member");
  }
  // Rounds of this job may rotate the chosen file away before it is read. The newer
  // checkpoint that replaced it holds this actor too (a snapshot of an actor not constructed
  // yet is its saved state), and last_saved() names it once that round has ended.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (true) {
    try {
      instance_->load(saved->file, identity_.key);
      break;
    } catch (const CheckpointError&) {
      if (std::filesystem::exists(saved->file) || std::chrono::steady_clock::now() > give_up) {
        throw;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    saved = runtime_.checkpointer().last_saved(identity_.key, !identity_.name.empty());
  }
  calls_ = saved->sequence;
  util::log().info("actor '{}' restored from {} at call {}", identity_.shown_name,
                   saved->file.string(), calls());
}

std::exception_ptr ActorSupervisor::death_error(const std::string& reason) const {
  return std::make_exception_ptr(ActorDiedError("actor '" + identity_.shown_name + "' on rank " +
                                                std::to_string(identity_.address.host) +
                                                " died: " + reason));
}

void ActorSupervisor::die(const std::string& reason) {
  death_ = death_error(reason);
  phase_.store(ActorState::Phase::dead, std::memory_order_relaxed);
  util::log().error("actor '{}' died: {}", identity_.shown_name, reason);
  // Ray's: a dead actor's name is free for a new one, and lookups no longer find it.
  if (!identity_.name.empty()) {
    runtime_.actor_names().release(identity_.name, to_wire(identity_.address));
  }
}

}  // namespace manta::core
