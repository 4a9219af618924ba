// Config lookups and the text form of values and configs.
#include <manta/tune.hpp>

#include <charconv>
#include <cmath>

namespace manta::tune {

const Value& Config::at(const std::string& name) const {
  const auto found = values_.find(name);
  if (found != values_.end()) return found->second;
  std::string known;
  for (const auto& [parameter, value] : values_) known += (known.empty() ? "" : ", ") + parameter;
  throw InvalidOptionError("config has no parameter '" + name +
                           "' (it has: " + (known.empty() ? "none" : known) + ")");
}

void Config::throw_type_mismatch(const std::string& name, const char* wanted) const {
  static constexpr const char* held[] = {"double", "int64", "string", "bool"};
  const Value& value = at(name);
  throw TypeMismatchError("config parameter '" + name + "' is read as " + wanted +
                          " but holds the " + held[value.index()] + " " + to_string(value));
}

std::string to_string(const Value& value) {
  if (const auto* number = std::get_if<double>(&value)) {
    // The shortest text that reads back as the same double: 0.1, not 0.1000000000000000055.
    char text[32];
    const auto end = std::to_chars(text, text + sizeof text, *number).ptr;
    return std::string(text, end);
  }
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return std::to_string(*integer);
  if (const auto* flag = std::get_if<bool>(&value)) return *flag ? "true" : "false";
  return std::get<std::string>(value);
}

std::string to_string(const Config& config) {
  std::string text = "{";
  for (const auto& [name, value] : config.values()) {
    text += (text.size() > 1 ? ", " : "") + name + ": " + to_string(value);
  }
  return text + "}";
}

}  // namespace manta::tune
