// The size checks every environment makes of the spans it is handed.
#pragma once

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>

namespace manta::rl {

/// Throws std::invalid_argument, "<who>: <what> has N floats, expected M", unless sizes match.
template <class T>
void check_span_size(const char* who, const char* what, std::span<T> values, std::size_t expected) {
  if (values.size() != expected) {
    throw std::invalid_argument(std::string(who) + ": " + what + " has " +
                                std::to_string(values.size()) + " floats, expected " +
                                std::to_string(expected));
  }
}

}  // namespace manta::rl
