/// @file util/format_bytes.hpp
/// @brief Byte counts as people read them in messages ("2 TiB", "1.5 GiB", "64 MiB", "512 bytes").
#pragma once

#include <cstdint>
#include <string>

namespace manta::util {

std::string format_bytes(std::uint64_t bytes);

}  // namespace manta::util
