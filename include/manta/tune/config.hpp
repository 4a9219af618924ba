/// @file tune/config.hpp
/// @brief One trial's hyperparameters: a small typed map from names to values (double, int64,
/// string or bool), as a search space draws it and a trainable reads it.
///
/// @code
/// manta::tune::Config config{{"lr", 0.01}, {"layers", std::int64_t{3}}, {"act", "relu"}};
/// double lr = config.get<double>("lr");
/// std::int64_t layers = config.get<std::int64_t>("layers");
/// std::cout << to_string(config);   // {act: relu, layers: 3, lr: 0.01}
/// @endcode
#pragma once
#include "../detail/public_header.hpp"

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace manta::tune {

/// @brief One hyperparameter's value. An integer literal becomes int64, a floating one double, a
/// string literal a string.
using Value = std::variant<double, std::int64_t, std::string, bool>;

/// @brief A trial's configuration: parameter names to values, ordered by name.
/// Not thread-safe for writes; reads from many threads are fine.
class Config {
 public:
  Config() = default;
  Config(std::initializer_list<std::pair<const std::string, Value>> values) : values_(values) {}

  /// @brief Sets (or replaces) parameter `name`.
  void set(const std::string& name, Value value) { values_[name] = std::move(value); }

  /// @brief Whether the config has a parameter `name`.
  bool contains(const std::string& name) const { return values_.contains(name); }

  /// @brief The value of parameter `name`.
  /// @throws InvalidOptionError when there is none; the message lists the parameters there are
  const Value& at(const std::string& name) const;

  /// @brief The value of parameter `name` as a T (double, std::int64_t, std::string or bool).
  /// An int64 value is also read as a double (grid({0, 1}) then serves a double parameter).
  /// @throws InvalidOptionError when there is no such parameter; TypeMismatchError when its
  /// value holds another type
  template <class T>
  T get(const std::string& name) const;

  /// @brief Every parameter, ordered by name.
  const std::map<std::string, Value>& values() const noexcept { return values_; }

  bool operator==(const Config&) const = default;

  template <class Archive>
  void serialize(Archive& archive, unsigned) {
    archive& values_;
  }

 private:
  [[noreturn]] void throw_type_mismatch(const std::string& name, const char* wanted) const;

  std::map<std::string, Value> values_;
};

/// @brief A value as text: 0.5, 3, relu, true. Doubles take the shortest form that reads back.
std::string to_string(const Value& value);

/// @brief A config as text: {x: 0, y: -0.5}.
std::string to_string(const Config& config);

// Function: Config::get
template <class T>
T Config::get(const std::string& name) const {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, std::int64_t> ||
                    std::is_same_v<T, std::string> || std::is_same_v<T, bool>,
                "manta: a Config holds double, std::int64_t, std::string or bool");
  const Value& value = at(name);
  if (const T* typed = std::get_if<T>(&value)) return *typed;
  if constexpr (std::is_same_v<T, double>) {
    if (const auto* integer = std::get_if<std::int64_t>(&value)) return double(*integer);
  }
  if constexpr (std::is_same_v<T, double>) throw_type_mismatch(name, "double");
  if constexpr (std::is_same_v<T, std::int64_t>) throw_type_mismatch(name, "int64");
  if constexpr (std::is_same_v<T, std::string>) throw_type_mismatch(name, "string");
  if constexpr (std::is_same_v<T, bool>) throw_type_mismatch(name, "bool");
}

}  // namespace manta::tune
