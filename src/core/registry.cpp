#include "core/registry.hpp"

#include "util/failure.hpp"

#include <manta/error.hpp>

#include <algorithm>

namespace manta::core {

Registry& Registry::instance() {
  static Registry registry;
  return registry;
}

void Registry::add_function(const char* name, detail::AnyFunction address,
                            detail::RemoteCallFactory factory) {
  util::LockGuard lock(mutex_);
  if (++name_counts_[name] > 1) duplicates_.emplace_back(name);
  functions_.emplace(address, name);
  functions_by_name_.emplace(name, RemoteFunction{address, factory});
}

Registry::RemoteFunction Registry::remote_function(const std::string& name) const {
  util::LockGuard lock(mutex_);
  const auto found = functions_by_name_.find(name);
  if (found == functions_by_name_.end()) {
    throw NotRegisteredError("no function is registered as '" + name +
                             "' on this rank (every rank must run the same binary)");
  }
  return found->second;
}

const char* Registry::function_name(detail::AnyFunction address) const {
  util::LockGuard lock(mutex_);
  const auto found = functions_.find(address);
  if (found == functions_.end()) {
    throw NotRegisteredError(
        "manta::task: this function is not registered; add MANTA_REMOTE(<function>) at "
        "namespace scope in the file that defines it");
  }
  return found->second.c_str();
}

void Registry::add_actor_class(const char* name, const std::type_info& type) {
  util::LockGuard lock(mutex_);
  if (++name_counts_[name] > 1) duplicates_.emplace_back(name);
  auto& actor_class = classes_[std::type_index(type)];
  actor_class.name = name;
  classes_by_name_[name] = &actor_class;
}

void Registry::add_actor_state(const std::type_info& type, StateHooks hooks) {
  util::LockGuard lock(mutex_);
  classes_[std::type_index(type)].state = hooks;
}

Registry::StateHooks Registry::actor_state(const std::string& name) const {
  util::LockGuard lock(mutex_);
  const auto found = classes_by_name_.find(name);
  return found == classes_by_name_.end() ? StateHooks{} : found->second->state;
}

void Registry::add_actor_method(const std::type_info& type, const char* name,
                                std::span<const std::byte> member_pointer,
                                detail::RemoteMethodFactory factory) {
  util::LockGuard lock(mutex_);
  auto& actor_class = classes_[std::type_index(type)];
  const auto& method = actor_class.methods.emplace_back(
      Method{std::vector<std::byte>(member_pointer.begin(), member_pointer.end()),
             actor_class.name + "." + name, factory});
  methods_by_name_[method.name] = &method;
}

void Registry::add_actor_constructor(const char* key, detail::RemoteConstructorFactory factory) {
  util::LockGuard lock(mutex_);
  constructors_.emplace(key, factory);
}

const char* Registry::actor_class(const std::string& name) const {
  util::LockGuard lock(mutex_);
  const auto found = classes_by_name_.find(name);
  if (found == classes_by_name_.end()) {
    throw NotRegisteredError("no actor class is registered as '" + name + "' on this rank");
  }
  return found->second->name.c_str();
}

Registry::RemoteMethod Registry::remote_method(const std::string& name) const {
  util::LockGuard lock(mutex_);
  const auto found = methods_by_name_.find(name);
  if (found == methods_by_name_.end()) {
    throw NotRegisteredError("no actor method is registered as '" + name + "' on this rank");
  }
  const Method& method = *found->second;
  return {method.name.c_str(), method.member_pointer, method.factory};
}

detail::RemoteConstructorFactory Registry::actor_constructor(const std::string& key) const {
  util::LockGuard lock(mutex_);
  const auto found = constructors_.find(key);
  if (found == constructors_.end()) {
    throw NotRegisteredError("no actor constructor is registered for this signature on this rank");
  }
  return found->second;
}

const char* Registry::actor_class_name(const std::type_info& type) const {
  util::LockGuard lock(mutex_);
  const auto found = classes_.find(std::type_index(type));
  if (found == classes_.end()) {
    throw NotRegisteredError("manta::actor: class " + util::demangle(type.name()) +
                             " is not registered; add MANTA_ACTOR(<class>, <methods>...)");
  }
  return found->second.name.c_str();
}

const char* Registry::actor_method_name(const std::type_info& type,
                                        std::span<const std::byte> member_pointer) const {
  util::LockGuard lock(mutex_);
  const auto found = classes_.find(std::type_index(type));
  if (found == classes_.end()) {
    throw NotRegisteredError("actor class " + util::demangle(type.name()) + " is not registered");
  }
  for (const auto& method : found->second.methods) {
    if (std::ranges::equal(method.member_pointer, member_pointer)) return method.name.c_str();
  }
  throw NotRegisteredError("a method of actor class " + found->second.name +
                           " is not registered; list it in MANTA_ACTOR(" + found->second.name +
                           ", ...)");
}

std::vector<std::string> Registry::duplicates() const {
  util::LockGuard lock(mutex_);
  return duplicates_;
}

}  // namespace manta::core
