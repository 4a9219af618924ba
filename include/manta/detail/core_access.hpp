/// @file detail/core_access.hpp
/// @brief The calls Manta's header templates make into the runtime library. Core types stay
/// opaque here: the templates only hold pointers and call these functions.
#pragma once
#include "public_header.hpp"

#include "../options.hpp"
#include "archive_fwd.hpp"
#include "value_box.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <typeinfo>
#include <vector>

namespace manta::core {
class Object;
class Actor;
}  // namespace manta::core

namespace manta {

/// @brief Names an object everywhere in the job: the rank that owns it and that rank's sequence.
struct ObjectId {
  std::int32_t owner_rank = -1;
  std::uint64_t sequence = 0;

  friend bool operator==(const ObjectId&, const ObjectId&) = default;
  /// "owner:sequence", e.g. "0:17".
  std::string to_string() const {
    return std::to_string(owner_rank) + ":" + std::to_string(sequence);
  }
};

}  // namespace manta

namespace manta::detail {

/// @brief Names an actor everywhere: the rank hosting it, and the rank and sequence that
/// created it.
struct ActorAddress {
  std::int32_t host = -1;
  std::int32_t creator = -1;
  std::uint64_t sequence = 0;

  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& host& creator& sequence;
  }
};

using Deadline = std::optional<std::chrono::steady_clock::time_point>;
/// Any function pointer, as the registry keeps it.
using AnyFunction = void (*)();

inline Deadline deadline_after(std::optional<std::chrono::duration<double>> timeout) {
  if (!timeout) return std::nullopt;
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(*timeout);
}

// ---- objects: intrusive reference counts; the last release frees the object.
void retain(core::Object* object) noexcept;
void release(core::Object* object) noexcept;
ObjectId object_id(const core::Object* object) noexcept;
bool object_is_ready(const core::Object* object) noexcept;
/// Blocks until `object` is ready (a worker thread gives its CPU slots back while it waits) and
/// returns its value, checked to be of type `expected`. Throws the task's TaskError if it failed,
/// GetTimeoutError when `deadline` passes, TypeMismatchError for another type.
const ValueBox& object_value(core::Object* object, const std::type_info& expected,
                             Deadline deadline);
/// A new ready object owned by this rank, holding `value` (one reference, the caller's).
core::Object* put_object(std::unique_ptr<ValueBox> value);
/// Waits until `num_returns` of `objects` are ready or `deadline` passes; returns one flag per
/// object. (A vector, not a span: converting one to a span costs every file that includes
/// <manta/manta.hpp> the check of std::span's range constructor.)
std::vector<bool> wait_objects(const std::vector<core::Object*>& objects, std::size_t num_returns,
                               Deadline deadline);
/// Store threshold of the running runtime (RuntimeOptions::inline_object_limit).
std::size_t inline_object_limit();

/// @brief What the runtime runs for a task, an actor's constructor, or an actor method.
class CallBody {
 public:
  virtual ~CallBody() = default;
  /// Runs the call. `self` is the actor's instance, null for tasks and constructors. Throws
  /// whatever the user's code throws; the runtime turns it into a TaskError.
  virtual std::unique_ptr<ValueBox> run(ValueBox* self) = 0;
  /// Objects that must be ready before run(): the ObjectRef arguments it resolves.
  virtual std::span<core::Object* const> dependencies() const noexcept = 0;

  /// Whether the call may run on another rank: a task whose arguments and result are all
  /// serializable values (no ObjectRef or ActorHandle parameters).
  virtual bool remotable() const noexcept { return false; }
  /// Appends the arguments, ObjectRefs resolved to their values, in the form the registered
  /// function's remote factory reads back. Only when remotable() and the dependencies are ready.
  /// With `located`, an argument whose bytes are in this rank's store and at least
  /// inline_object_limit() long is not copied: its bytes are appended to `located` instead, for
  /// the receiving rank to read by their location.
  virtual void write_arguments(std::vector<std::byte>& out,
                               std::vector<std::span<const std::byte>>* located) const;
  /// The result of this call as sent back by another rank (written by its serialize_into).
  virtual std::unique_ptr<ValueBox> read_result(StoreBlock bytes) const;
};

/// Builds, on the rank that runs it, a call sent by another rank: the registered function at
/// `address` with the arguments written by CallBody::write_arguments; `located` holds, in order,
/// the bytes of those sent by location (fetched into this rank's store or mapped).
using RemoteCallFactory = std::unique_ptr<CallBody> (*)(AnyFunction address,
                                                        std::span<const std::byte> arguments,
                                                        std::span<StoreBlock> located);

// ---- tasks and actors
/// Submits a task; returns its result object (one reference, the caller's). Throws
/// InvalidOptionError or InfeasibleError at once for options that can never be satisfied.
core::Object* submit_task(const char* function_name, const TaskOptions& options,
                          std::unique_ptr<CallBody> body);
void retain(core::Actor* actor) noexcept;
void release(core::Actor* actor) noexcept;
/// Creates an actor whose instance `constructor` builds, here or on the rank its options and
/// resources choose; returns it with one reference. `constructor_key` names the remote factory
/// of the constructor call (null: the arguments cannot be sent, so the actor stays here).
core::Actor* create_actor(const char* class_name, const ActorOptions& options,
                          std::unique_ptr<CallBody> constructor, const char* constructor_key);
/// The actor named `name`, of class `class_name`, with one reference.
/// @throws ActorNotFoundError, TypeMismatchError
core::Actor* find_actor(const std::string& name, const char* class_name);
/// Where an actor is, for a handle sent to another rank (the actor stays alive for the job).
ActorAddress export_actor(core::Actor* actor);
/// The actor at `address`, with one reference: the actor itself on its host, a proxy elsewhere.
core::Actor* import_actor(const ActorAddress& address);
/// Queues a method call behind the actor's earlier calls; returns its result object.
core::Object* submit_actor_call(core::Actor* actor, const char* method_name,
                                std::unique_ptr<CallBody> body);

/// Queues a checkpoint behind the actor's earlier calls; returns its result object (the file).
core::Object* checkpoint_actor(core::Actor* actor);
/// Ends the actor's instance at its next gap; with `restart`, starts a new one if allowed.
void kill_actor(core::Actor* actor, bool restart);
/// Stops the task producing `object` (manta::cancel).
void cancel_object(core::Object* object, bool force, bool recursive);

// ---- registration (MANTA_REMOTE, MANTA_ACTOR)
/// Builds, on the actor's host, a method call sent by another rank.
using RemoteMethodFactory = std::unique_ptr<CallBody> (*)(std::span<const std::byte> member_pointer,
                                                          std::span<const std::byte> arguments);
/// Builds, on the chosen host, an actor's constructor call sent by another rank.
using RemoteConstructorFactory =
    std::unique_ptr<CallBody> (*)(std::span<const std::byte> arguments);

/// `factory` is null for a function that cannot run remotely.
void register_function(const char* name, AnyFunction address, RemoteCallFactory factory);
/// Name registered for `address`; throws NotRegisteredError.
const char* function_name(AnyFunction address);
void register_actor_class(const char* name, const std::type_info& type);
/// `factory` is null for a method that cannot be called from another rank.
void register_actor_method(const std::type_info& type, const char* name,
                           std::span<const std::byte> member_pointer, RemoteMethodFactory factory);
/// Writes an actor instance's state (its class's Boost `serialize`) into a checkpoint's archive.
using StateSaver = void (*)(const ValueBox& instance, boost::archive::binary_oarchive& archive);
/// Reads a checkpoint's archive into an actor instance, over the state its constructor made.
using StateLoader = void (*)(ValueBox& instance, InputArchive& archive);
/// Makes the actors of a class checkpointable: registered for classes with a `serialize` member.
void register_actor_state(const std::type_info& type, StateSaver save, StateLoader load);
/// Registers the factory of one constructor signature under `key`; returns `key`.
const char* register_actor_constructor(const char* key, RemoteConstructorFactory factory);
/// Throws NotRegisteredError.
const char* actor_class_name(const std::type_info& type);
/// "Class.method"; throws NotRegisteredError.
const char* actor_method_name(const std::type_info& type,
                              std::span<const std::byte> member_pointer);

/// @brief `lookup(key)`, asked again only when this thread's key changes.
///
/// Registered names never change while the program runs, and a loop of calls names the same
/// function or method each time, while the registry's lookup takes its mutex (12-15% of a small
/// task or actor call, measured with callgrind). One cache per thread and per instantiation:
/// callers pass a lambda, so each call site (and each actor class) keeps its own.
template <class Key, class Lookup>
const char* remembered_name(Key key, Lookup lookup) {
  thread_local Key last{};
  thread_local const char* name = nullptr;
  if (name == nullptr || !(last == key)) {
    name = lookup(key);  // throws for an unregistered key, leaving the cache as it was
    last = key;
  }
  return name;
}

/// @brief Shared ownership of a runtime object through its intrusive count.
template <class T>
class Handle {
 public:
  Handle() = default;
  /// Takes over one reference the caller already holds.
  static Handle adopt(T* raw) noexcept {
    Handle handle;
    handle.raw_ = raw;
    return handle;
  }
  Handle(const Handle& other) noexcept : raw_(other.raw_) {
    if (raw_) retain(raw_);
  }
  Handle(Handle&& other) noexcept : raw_(std::exchange(other.raw_, nullptr)) {}
  Handle& operator=(Handle other) noexcept {
    std::swap(raw_, other.raw_);
    return *this;
  }
  ~Handle() {
    if (raw_) release(raw_);
  }
  T* get() const noexcept { return raw_; }
  explicit operator bool() const noexcept { return raw_ != nullptr; }

 private:
  T* raw_ = nullptr;
};

}  // namespace manta::detail
