// The out-of-line half of Manta's header templates (detail/core_access.hpp): each call converts
// to core types and forwards to the running runtime.
#include "core/actor.hpp"
#include "core/registry.hpp"
#include "core/runtime.hpp"
#include "core/task.hpp"
#include "util/failure.hpp"

#include <manta/detail/core_access.hpp>
#include <manta/error.hpp>

#include <chrono>

namespace manta::detail {

std::string type_name(const std::type_info& type) { return util::demangle(type.name()); }

void retain(core::Object* object) noexcept { object->retain(); }
void release(core::Object* object) noexcept { object->release(); }
ObjectId object_id(const core::Object* object) noexcept { return object->id(); }
bool object_is_ready(const core::Object* object) noexcept { return object->is_ready(); }

const ValueBox& object_value(core::Object* object, const std::type_info& expected,
                             Deadline deadline) {
  if (!object->is_ready()) {
    const auto start = std::chrono::steady_clock::now();
    core::Object* const objects[] = {object};
    core::Runtime::current().wait_objects(objects, 1, deadline);
    if (!object->is_ready()) {
      const std::chrono::duration<double> waited = std::chrono::steady_clock::now() - start;
      throw GetTimeoutError("get timed out after " + std::to_string(waited.count()) +
                            " s waiting for object " + object->id().to_string() +
                            ", the result of '" + object->producer() + "', which is still pending");
    }
  }
  if (object->has_failed()) std::rethrow_exception(object->error());
  const ValueBox& value = object->value();
  if (value.type() != expected) {
    throw TypeMismatchError("object " + object->id().to_string() + " (from '" + object->producer() +
                            "') holds " + type_name(value.type()) + ", but was read as " +
                            type_name(expected));
  }
  return value;
}

core::Object* put_object(std::unique_ptr<ValueBox> value) {
  auto& runtime = core::Runtime::current();
  return new core::Object(runtime.next_object_id(), "put", std::move(value));
}

std::vector<bool> wait_objects(const std::vector<core::Object*>& objects, std::size_t num_returns,
                               Deadline deadline) {
  return core::Runtime::current().wait_objects(objects, num_returns, deadline);
}

std::size_t inline_object_limit() { return core::Runtime::current().options().inline_object_limit; }

core::Object* submit_task(const char* function_name, const TaskOptions& options,
                          std::unique_ptr<CallBody> body) {
  return core::submit_task(core::Runtime::current(), function_name, options, std::move(body));
}

void retain(core::Actor* actor) noexcept { actor->retain(); }
void release(core::Actor* actor) noexcept { actor->release(); }

core::Actor* create_actor(const char* class_name, const ActorOptions& options,
                          std::unique_ptr<CallBody> constructor, const char* constructor_key) {
  return core::create_actor(core::Runtime::current(), class_name, options, std::move(constructor),
                            constructor_key);
}

ActorAddress export_actor(core::Actor* actor) {
  if (actor == nullptr) throw InvalidOptionError("an empty ActorHandle cannot be sent to a task");
  return core::export_actor(core::Runtime::current(), *actor);
}

core::Actor* find_actor(const std::string& name, const char* class_name) {
  return core::find_named_actor(core::Runtime::current(), name, class_name);
}

core::Actor* import_actor(const ActorAddress& address) {
  return core::import_actor(core::Runtime::current(), address);
}

core::Object* submit_actor_call(core::Actor* actor, const char* method_name,
                                std::unique_ptr<CallBody> body) {
  if (actor == nullptr) throw InvalidOptionError("call through an empty ActorHandle");
  return actor->submit(method_name, std::move(body));
}

core::Object* checkpoint_actor(core::Actor* actor) {
  if (actor == nullptr) throw InvalidOptionError("checkpoint through an empty ActorHandle");
  return actor->checkpoint();
}

void kill_actor(core::Actor* actor, bool restart) {
  if (actor == nullptr) throw InvalidOptionError("kill through an empty ActorHandle");
  actor->kill(restart);
}

void register_function(const char* name, AnyFunction address, RemoteCallFactory factory) {
  core::Registry::instance().add_function(name, address, factory);
}

void CallBody::write_arguments(std::vector<std::byte>&,
                               std::vector<std::span<const std::byte>>*) const {
  throw std::logic_error("manta: write_arguments of a call that cannot run remotely");
}

std::unique_ptr<ValueBox> CallBody::read_result(StoreBlock) const {
  throw std::logic_error("manta: read_result of a call that cannot run remotely");
}
const char* function_name(AnyFunction address) {
  return core::Registry::instance().function_name(address);
}
void register_actor_class(const char* name, const std::type_info& type) {
  core::Registry::instance().add_actor_class(name, type);
}
void register_actor_method(const std::type_info& type, const char* name,
                           std::span<const std::byte> member_pointer, RemoteMethodFactory factory) {
  core::Registry::instance().add_actor_method(type, name, member_pointer, factory);
}
void register_actor_state(const std::type_info& type, StateSaver save, StateLoader load) {
  core::Registry::instance().add_actor_state(type, {save, load});
}
const char* register_actor_constructor(const char* key, RemoteConstructorFactory factory) {
  core::Registry::instance().add_actor_constructor(key, factory);
  return key;
}
const char* actor_class_name(const std::type_info& type) {
  return core::Registry::instance().actor_class_name(type);
}
const char* actor_method_name(const std::type_info& type,
                              std::span<const std::byte> member_pointer) {
  return core::Registry::instance().actor_method_name(type, member_pointer);
}

}  // namespace manta::detail
