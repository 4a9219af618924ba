/// @file core/registry.hpp
/// @brief The names of remote functions, actor classes and their methods, filled before main by
/// MANTA_REMOTE and MANTA_ACTOR. Every rank runs the same binary, so every rank has the same
/// table and a name identifies the same code everywhere.
#pragma once

#include <manta/detail/core_access.hpp>

#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
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

  void add_actor_class(const char* name, const std::type_info& type);
  void add_actor_method(const std::type_info& type, const char* name,
                        std::span<const std::byte> member_pointer);
  /// @throws NotRegisteredError
  const char* actor_class_name(const std::type_info& type) const;
  /// "Class.method". @throws NotRegisteredError
  const char* actor_method_name(const std::type_info& type,
                                std::span<const std::byte> member_pointer) const;

  /// Names registered twice (two functions or classes with one name): an error at startup.
  std::vector<std::string> duplicates() const;

 private:
  struct ActorClass {
    std::string name;
    std::vector<std::pair<std::vector<std::byte>, std::string>> methods;  ///< pointer -> name
  };

  mutable std::mutex mutex_;
  std::unordered_map<detail::AnyFunction, std::string> functions_;
  std::unordered_map<std::string, RemoteFunction> functions_by_name_;
  std::map<std::string, int> name_counts_;
  std::unordered_map<std::type_index, ActorClass> classes_;
  std::vector<std::string> duplicates_;
};

}  // namespace manta::core
