#include "checkpoint/format.hpp"

#include <cstdio>

namespace manta::checkpoint::format {

std::optional<std::string> key_problem(std::string_view key) {
  if (key.empty()) return "the actor key is empty";
  if (key.find('/') != std::string_view::npos || key == "." || key == "..") {
    return "the actor key '" + std::string(key) + "' is not a usable HDF5 group name (no '/')";
  }
  return std::nullopt;
}

std::optional<std::string> array_name_problem(std::string_view name) {
  if (name.empty()) return "an array has an empty name";
  if (name.find('/') != std::string_view::npos || name == "." || name == "..") {
    return "array name '" + std::string(name) + "' is not a usable HDF5 dataset name (no '/')";
  }
  if (name == state_dataset) {
    return "array name 'state' is taken by the actor's archive; choose another name";
  }
  return std::nullopt;
}

std::string hex(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

}  // namespace manta::checkpoint::format
