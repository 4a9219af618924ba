/// @file actor.hpp
/// @brief Actors: instances of a registered class living on a rank, called with `.remote(...)`.
#pragma once
#include "detail/public_header.hpp"

#include "detail/call_body.hpp"
#include "object_ref.hpp"
#include "options.hpp"

#include <boost/serialization/split_member.hpp>

#include <span>
#include <string>
#include <tuple>
#include <utility>

namespace manta {

template <class T>
class ActorHandle;

namespace detail {
template <class M>
std::span<const std::byte> member_pointer_bytes(const M& method) {
  return std::as_bytes(std::span(&method, 1));
}
}  // namespace detail

/// @brief Submits calls of one method of one actor. Made by `ActorHandle::call`.
template <class T, class M>
class ActorMethodCaller {
 public:
  ActorMethodCaller(detail::Handle<core::Actor> actor, M method)
      : actor_(std::move(actor)), method_(method), name_(detail::remembered_name(method, [](M key) {
          return detail::actor_method_name(typeid(T), detail::member_pointer_bytes(key));
        })) {}

  /// @brief Queues the call behind this actor's earlier calls and returns its result ref.
  ///
  /// Calls made through handles of one actor run one at a time, in the order they were made by
  /// each caller; ObjectRef arguments are resolved first, as for tasks. Thread-safe.
  template <class... A>
  ObjectRef<detail::result_t<typename detail::callable_traits<M>::result>> remote(
      A&&... args) const {
    using Result = detail::result_t<typename detail::callable_traits<M>::result>;
    auto body = detail::CallFactory<typename detail::callable_traits<M>::params>::make(
        method_, std::forward<A>(args)...);
    return ObjectRef<Result>::impl_adopt(
        detail::submit_actor_call(actor_.get(), name_, std::move(body)));
  }

 private:
  detail::Handle<core::Actor> actor_;
  M method_;
  const char* name_;
};

/// @brief A handle to an actor of class T. Copyable, and passable as an argument to tasks and to
/// other actors' methods; the actor lives while any handle (or queued call) does.
///
/// @code
/// auto counter = manta::actor<Counter>().remote();
/// counter.call(&Counter::increment).remote();
/// int n = manta::get(counter.call(&Counter::read).remote());
/// @endcode
template <class T>
class ActorHandle {
 public:
  ActorHandle() = default;

  /// @brief The caller of one of T's registered methods.
  /// @throws NotRegisteredError if the method is not in T's MANTA_ACTOR list
  template <class M>
  requires std::is_member_function_pointer_v<M> ActorMethodCaller<T, M> call(M method)
  const {
    detail::check_actor_method<T, M>();
    return ActorMethodCaller<T, M>(actor_, method);
  }

  bool valid() const noexcept { return static_cast<bool>(actor_); }

  /// @brief Checkpoints the actor after the calls made before this one through this handle: the
  /// ref becomes the checkpoint file's path once a checkpoint of the job (this actor's state
  /// with every other actor's) is durable in the runtime's checkpoint directory.
  ///
  /// `get` on it throws InvalidOptionError when T has no `serialize` member or the job has no
  /// checkpoint directory, CheckpointError when the write failed. Do not `get` it from inside
  /// this actor's own methods: the state is taken between calls, so that would wait forever.
  ObjectRef<std::string> checkpoint() const {
    return ObjectRef<std::string>::impl_adopt(detail::checkpoint_actor(actor_.get()));
  }

  /// Handles travel to other ranks as the actor's address; calls through them go to its host.
  template <class Archive>
  void save(Archive& archive, unsigned) const {
    const detail::ActorAddress address = detail::export_actor(actor_.get());
    archive << address;
  }
  template <class Archive>
  void load(Archive& archive, unsigned) {
    detail::ActorAddress address;
    archive >> address;
    actor_ = detail::Handle<core::Actor>::adopt(detail::import_actor(address));
  }
  BOOST_SERIALIZATION_SPLIT_MEMBER()

  /// @private
  core::Actor* impl_actor() const noexcept { return actor_.get(); }

  /// @private Takes over one reference held by the caller.
  static ActorHandle impl_adopt(core::Actor* actor) {
    ActorHandle handle;
    handle.actor_ = detail::Handle<core::Actor>::adopt(actor);
    return handle;
  }

 private:
  detail::Handle<core::Actor> actor_;
};

/// @brief Creates actors of class T. Made by `manta::actor<T>()`.
template <class T>
class ActorCreator {
 public:
  ActorCreator() : class_name_(detail::actor_class_name(typeid(T))) {}

  /// @brief A creator with these options; this one is unchanged.
  ActorCreator options(ActorOptions options) const {
    ActorCreator copy = *this;
    copy.options_ = std::move(options);
    return copy;
  }

  /// @brief Creates the actor: its constructor runs with `args` (ObjectRefs resolved) as the
  /// actor's first call, on this rank, on `options.rank`, or where its num_cpus are free (when
  /// the arguments can be serialized). Returns at once. If the constructor throws, every call
  /// fails with ActorDiedError.
  /// @throws InvalidOptionError, InfeasibleError for options that can never be satisfied
  template <class... A>
  ActorHandle<T> remote(A&&... args) const {
    using Call = detail::TypedCall<detail::Construct<T>, std::tuple<detail::any_parameter_t<A>...>,
                                   std::tuple<std::decay_t<A>...>>;
    auto body = std::make_unique<Call>(detail::Construct<T>{}, std::forward<A>(args)...);
    const char* key = detail::ConstructorRegistration<T, std::decay_t<A>...>::key;
    return ActorHandle<T>::impl_adopt(
        detail::create_actor(class_name_, options_, std::move(body), key));
  }

 private:
  const char* class_name_;
  ActorOptions options_;
};

/// @brief The actor named `name` (Ray's `ray.get_actor`), from any rank: created with
/// `.options({.name = name})`, by this driver or an earlier part of the job.
/// @throws ActorNotFoundError when no actor has the name; TypeMismatchError when it is not a T
template <class T>
ActorHandle<T> get_actor(const std::string& name) {
  return ActorHandle<T>::impl_adopt(detail::find_actor(name, detail::actor_class_name(typeid(T))));
}

/// @brief Ends an actor, from any rank (Ray's `ray.kill`), at its next gap between calls: the
/// call it is running finishes first (a thread cannot be stopped mid-call). Returns at once.
///
/// With `restart` and a restart left (ActorOptions::max_restarts), a new instance starts from the
/// constructor and the actor's last checkpoint, and the queued calls run on it. Otherwise the
/// actor is dead: queued and later calls fail with ActorDiedError, and its resources are free.
template <class T>
void kill(const ActorHandle<T>& actor, bool restart = false) {
  detail::kill_actor(actor.impl_actor(), restart);
}

/// @brief Inside an actor's method or constructor: whether this instance of the actor is a
/// restart (Ray's `was_current_actor_restarted`): it died (ActorFatalError, manta::kill with
/// restart) and was built again from its constructor and last checkpoint, per max_restarts.
/// @throws Error outside an actor's method or constructor
bool was_current_actor_restarted();

/// @brief Inside an actor's method: ends the actor for good (Ray's `exit_actor`). It throws an
/// object that unwinds the method (do not swallow it with `catch (...)`): the call fails with
/// ActorDiedError, as do queued and later calls; the actor is not restarted, its resources are
/// given back, and its name is free.
/// @throws Error outside an actor's method
[[noreturn]] void exit_actor();

/// @brief The creator of actors of a class registered with MANTA_ACTOR.
/// @throws NotRegisteredError if T was not registered
template <class T>
ActorCreator<T> actor() {
  return ActorCreator<T>();
}

}  // namespace manta
