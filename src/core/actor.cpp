#include "core/actor.hpp"

#include "core/actor_handlers.hpp"
#include "core/actor_instance.hpp"
#include "core/local_actor.hpp"
#include "core/placement_group.hpp"
#include "core/registry.hpp"
#include "core/remote.hpp"
#include "core/remote_actor.hpp"
#include "core/runtime.hpp"

#include <manta/error.hpp>

#include <chrono>

namespace manta::core {
namespace {

/// The actor that owns `name`, checked to be of `class_name`, with one reference.
Actor* import_named(Runtime& runtime, const std::string& name, const char* class_name,
                    const ActorNames::Owner& owner) {
  if (owner.class_name != class_name) {
    throw TypeMismatchError("the actor named '" + name + "' is a " + owner.class_name + ", not a " +
                            class_name);
  }
  const auto address = from_wire(owner.actor);
  if (address.host == runtime.rank()) {
    // Claimed here a moment ago by another thread, which is about to keep the new actor in the
    // directory: wait for it rather than report it gone.
    if (Actor* actor = runtime.actors().wait_for(address, std::chrono::seconds(10))) return actor;
  }
  return import_actor(runtime, address);
}

}  // namespace

bool current_actor_restarted() {
  if (!running_actor().active) {
    throw Error("manta::was_current_actor_restarted() called outside an actor's method");
  }
  return running_actor().restarted;
}

void exit_current_actor() {
  if (!running_actor().active) {
    throw Error("manta::exit_actor() called outside an actor's method");
  }
  throw ActorExit{};
}

Actor* find_named_actor(Runtime& runtime, const std::string& name, const char* class_name) {
  const auto owner = runtime.actor_names().find(name);
  if (!owner) throw ActorNotFoundError("no actor is named '" + name + "'");
  return import_named(runtime, name, class_name, *owner);
}

Actor* create_actor(Runtime& runtime, const char* class_name, const ActorOptions& options,
                    std::unique_ptr<detail::CallBody> constructor, const char* constructor_key) {
  std::string name = options.name.empty() ? std::string(class_name) : options.name;
  const auto& cluster = runtime.cluster();
  auto request = resources::make_request(options.num_cpus, options.num_gpus, options.memory,
                                         options.resources, cluster.catalog(), "actor", name);
  const int here = runtime.rank();
  if (options.rank >= cluster.size() || options.rank < -1) {
    throw InvalidOptionError("actor '" + name + "' asks for rank " + std::to_string(options.rank) +
                             ", but the job has ranks 0 to " + std::to_string(cluster.size() - 1));
  }
  const double every_seconds = options.checkpoint_every ? options.checkpoint_every->count() : 0;
  if (options.checkpoint_every_calls > 0 || options.checkpoint_every) {
    if (every_seconds < 0) {
      throw InvalidOptionError("actor '" + name + "' asks for checkpoint_every " +
                               std::to_string(every_seconds) + " s; give a duration > 0");
    }
    if (Registry::instance().actor_state(class_name).save == nullptr) {
      throw InvalidOptionError("actor '" + name + "' has a checkpoint policy, but class " +
                               class_name + " has no serialize member to save its state with");
    }
    if (!runtime.checkpointer().has_directory()) {
      throw InvalidOptionError("actor '" + name + "' has a checkpoint policy, but the job has no " +
                               "checkpoint directory (--checkpoint-dir)");
    }
  }
  if (options.max_restarts < -1 || options.max_task_retries < -1) {
    throw InvalidOptionError("actor '" + name + "' asks for max_restarts " +
                             std::to_string(options.max_restarts) + " and max_task_retries " +
                             std::to_string(options.max_task_retries) +
                             "; give counts >= 0, or -1 for no limit");
  }
  if (options.max_concurrency < 1) {
    throw InvalidOptionError("actor '" + name + "' asks for max_concurrency " +
                             std::to_string(options.max_concurrency) +
                             "; give at least 1 call at once");
  }
  const bool movable = constructor_key != nullptr && constructor->remotable();
  const bool isolated =
      options.isolation.value_or(runtime.options().isolation) == Isolation::process;
  if (isolated) {
    if (!movable) {
      throw InvalidOptionError("actor '" + name +
                               "' cannot run in a worker process (isolation = process): its "
                               "constructor takes an ObjectRef, an ActorHandle or a type that "
                               "cannot be serialized");
    }
    if (options.max_concurrency > 1) {
      throw InvalidOptionError("actor '" + name + "' asks for max_concurrency " +
                               std::to_string(options.max_concurrency) +
                               " and isolation = process; a worker process runs one call at a "
                               "time: use max_concurrency 1, or isolation = thread");
    }
    runtime.workers().check_available("actor '" + name + "'");
  }
  const ActorPolicy policy =
      ActorPolicy::make(options.checkpoint_every_calls, every_seconds, options.max_restarts,
                        options.max_task_retries, options.max_concurrency, isolated);
  const bool in_bundle = options.bundle.key >= 0;
  const int wanted_rank = in_bundle ? runtime.placement_groups().check_bundle(
                                          options.bundle, options.rank, request, "actor", name)
                                    : options.rank;
  if (wanted_rank >= 0 && wanted_rank != here && !movable) {
    throw InvalidOptionError("actor '" + name + "' cannot be placed on rank " +
                             std::to_string(wanted_rank) +
                             ": its constructor arguments cannot be serialized");
  }
  const bool holds_resources = request.cpu > 0 || !request.cpu_only();
  // Spread places every movable actor; pack moves only one whose resources this rank lacks.
  const bool placed_by_cluster = wanted_rank < 0 && movable && cluster.feasible(request) &&
                                 (options.scheduling == Scheduling::spread || holds_resources);
  const int host = wanted_rank >= 0 ? wanted_rank : here;
  if (!in_bundle && !placed_by_cluster && !cluster.totals(host).holds(request)) {
    throw InfeasibleError("actor '" + name + "' asks for " +
                          resources::describe(request, cluster.catalog()) + ", but " +
                          (options.rank >= 0 || !movable
                               ? "rank " + std::to_string(host) + " has " +
                                     resources::describe(cluster.totals(host), cluster.catalog())
                               : "no rank has that much: " + cluster.describe_totals()) +
                          ": it could never be placed");
  }
  // A bundle's resources were counted when the group was placed.
  std::optional<Reservation> reservation;
  if (!in_bundle) {
    reservation = placed_by_cluster ? runtime.cluster().place_actor(request, options.scheduling)
                                    : runtime.cluster().reserve(host, request);
  }
  const detail::ActorAddress address{reservation ? reservation->rank : host, here,
                                     runtime.next_object_id().sequence};
  const bool named = !options.name.empty();
  if (named) {
    const ActorNames::Owner mine{class_name, to_wire(address)};
    if (auto owner = runtime.actor_names().claim(options.name, mine)) {
      if (reservation) runtime.cluster().unreserve(*reservation);
      if (!options.get_if_exists) {
        throw InvalidOptionError(
            "an actor named '" + name + "' exists already (a " + owner->class_name + " on rank " +
            std::to_string(owner->actor.host) + "); use get_actor, or the get_if_exists option");
      }
      return import_named(runtime, name, class_name, *owner);
    }
  }
  if (address.host == here) {
    auto* actor = new LocalActor(runtime, address, class_name, options.name, std::move(request),
                                 std::move(reservation), std::move(constructor), policy,
                                 constructor_key != nullptr ? constructor_key : "");
    if (named) keep_for_other_ranks(runtime, *actor);  // a named actor lives for the job
    return actor;
  }
  auto* proxy = new RemoteActor(runtime, address);
  proxy->create(class_name, options.name, std::move(request), std::move(reservation),
                std::move(constructor), constructor_key, policy);
  Actor* kept = runtime.actors().add(*proxy);  // so handles that come back find this proxy
  proxy->release();
  return kept;
}

detail::ActorAddress export_actor(Runtime& runtime, Actor& actor) {
  if (actor.address().host == runtime.rank()) runtime.actors().add(actor)->release();
  return actor.address();
}

Actor* import_actor(Runtime& runtime, const detail::ActorAddress& address) {
  if (Actor* known = runtime.actors().find(address)) return known;
  if (address.host == runtime.rank()) {
    throw ActorDiedError("actor " + std::to_string(address.creator) + ":" +
                         std::to_string(address.sequence) + " is not hosted on rank " +
                         std::to_string(runtime.rank()) + " any more");
  }
  auto* proxy = new RemoteActor(runtime, address);
  Actor* kept = runtime.actors().add(*proxy);
  proxy->release();
  return kept;
}

}  // namespace manta::core
