// Malformed input made from well-formed input: a serialized value with one field's bytes changed.
// Boost's archives put class information before some fields, so tests find a field by its value
// rather than by an offset they would have to assume.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace manta_test {

/// Every copy of `bytes` in which one 8-byte window (at any offset) holding `from` holds `to`.
inline std::vector<std::vector<std::byte>> with_u64_replaced(const std::vector<std::byte>& bytes,
                                                             std::uint64_t from, std::uint64_t to) {
  std::vector<std::vector<std::byte>> copies;
  for (std::size_t at = 0; at + sizeof from <= bytes.size(); ++at) {
    std::uint64_t value = 0;
    std::memcpy(&value, bytes.data() + at, sizeof value);
    if (value != from) continue;
    copies.push_back(bytes);
    std::memcpy(copies.back().data() + at, &to, sizeof to);
  }
  return copies;
}

/// Every copy of `bytes` in which one byte holding `from` holds `to`.
inline std::vector<std::vector<std::byte>> with_byte_replaced(const std::vector<std::byte>& bytes,
                                                              std::byte from, std::byte to) {
  std::vector<std::vector<std::byte>> copies;
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    if (bytes[at] != from) continue;
    copies.push_back(bytes);
    copies.back()[at] = to;
  }
  return copies;
}

}  // namespace manta_test
