/// @file core/registry.hpp
/// @brief The names of remote functions, actor classes and their methods, filled before main by
/// MANTA_REMOTE and MANTA_ACTOR. Every rank runs the same binary, so every rank has the same
/// table and a name identifies the same code everywhere.
#pragma once

#include "util/mutex.hpp"

#include <manta/detail/core_access.hpp>

#include <cstddef>
#include <deque>
#include <map>
#include <span>
#include <string>
#include <typeindex>
#include <unordered_map>
#include <vector>

namespace manta::core {

/// @brief The process-wide registry. Written during static initialization, read afterwards;
/// guarded by a mutex anyway since registration order across libraries is unknown.
class Registry {
 public:
  static Registry& instance();

  /// A function and what builds its calls when they come from another rank.
  struct RemoteFunction {
    detail::AnyFunction address = nullptr;
    detail::RemoteCallFactory factory = nullptr;  ///< null: the function cannot run remotely
  };

  void add_function(const char* name, detail::AnyFunction address,
                    detail::RemoteCallFactory factory);
  /// @throws NotRegisteredError
  const char* function_name(detail::AnyFunction address) const;
  /// The function registered as `name`. @throws NotRegisteredError
  RemoteFunction remote_function(const std::string& name) const;

  /// A method and what builds its calls when they come from another rank.
  struct RemoteMethod {
    const char* name = nullptr;  ///< "Class.method"
    std::span<const std::byte> member_pointer;
    detail::RemoteMethodFactory factory = nullptr;  ///< null: not callable from another rank
  };

  void add_actor_class(const char* name, const std::type_info& type);
  void add_actor_method(const std::type_info& type, const char* name,
                        std::span<const std::byte> member_pointer,
                        detail::RemoteMethodFactory factory);
  void add_actor_constructor(const char* key, detail::RemoteConstructorFactory factory);
  /// How an actor class's state is checkpointed; null functions for a class without `serialize`.
  struct StateHooks {
    detail::StateSaver save = nullptr;
    detail::StateLoader load = nullptr;
  };
  void add_actor_state(const std::type_info& type, StateHooks hooks);
  /// The state hooks of the actor class registered as `name` (null ones if there is none).
  StateHooks actor_state(const std::string& name) const;
  /// The registered name `name` of an actor class. @throws NotRegisteredError
  const char* actor_class(const std::string& name) const;
  /// The method registered as "Class.method". @throws NotRegisteredError
  RemoteMethod remote_method(const std::string& name) const;
  /// The constructor factory registered as `key`. @throws NotRegisteredError
  detail::RemoteConstructorFactory actor_constructor(const std::string& key) const;
  /// @throws NotRegisteredError
  const char* actor_class_name(const std::type_info& type) const;
  /// "Class.method". @throws NotRegisteredError
  const char* actor_method_name(const std::type_info& type,
                                std::span<const std::byte> member_pointer) const;

  /// Names registered twice (two functions or classes with one name): an error at startup.
  std::vector<std::string> duplicates() const;

 private:
  struct Method {
    std::vector<std::byte> member_pointer;
    std::string name;  ///< "Class.method"
    detail::RemoteMethodFactory factory;
  };
  struct ActorClass {
    std::string name;
    std::deque<Method> methods;  ///< a deque: entries stay put, names handed out stay valid
    StateHooks state;
  };

  mutable util::Mutex mutex_;
  std::unordered_map<detail::AnyFunction, std::string> functions_ MANTA_GUARDED_BY(mutex_);
  std::unordered_map<std::string, RemoteFunction> functions_by_name_ MANTA_GUARDED_BY(mutex_);
  std::map<std::string, int> name_counts_ MANTA_GUARDED_BY(mutex_);
  std::unordered_map<std::type_index, ActorClass> classes_ MANTA_GUARDED_BY(mutex_);
  std::unordered_map<std::string, const ActorClass*> classes_by_name_ MANTA_GUARDED_BY(mutex_);
  std::unordered_map<std::string, const Method*> methods_by_name_ MANTA_GUARDED_BY(mutex_);
  std::unordered_map<std::string, detail::RemoteConstructorFactory> constructors_
      MANTA_GUARDED_BY(mutex_);
  std::vector<std::string> duplicates_ MANTA_GUARDED_BY(mutex_);
};

}  // namespace manta::core
