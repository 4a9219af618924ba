/// @file checkpoint/format.hpp
/// @brief The layout of a checkpoint file, in one place. Format version 1:
///
///     /                       format = "manta checkpoint", format_version, job_id, ranks,
///                             time (ISO 8601 UTC), epoch
///     /actors/<key>           class_name, name, sequence, resources, writer_rank
///     /actors/<key>/state     uint8[n]: the actor's Boost binary archive; crc32
///     /actors/<key>/<array>   the array with its own element type and shape; crc32
///
/// Every dataset carries `crc32`, the CRC-32 of its bytes in native (little-endian) order: the
/// value of Python's zlib.crc32(dataset[()].tobytes()). Datasets are contiguous and unfiltered
/// (parallel HDF5 1.10 cannot write filtered datasets); links keep their creation order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace manta::checkpoint::format {

/// Raised when the layout changes so that an older reader would misread the file.
inline constexpr std::int32_t version = 1;
/// The root group's `format` attribute: tells a Manta checkpoint from any other HDF5 file.
inline constexpr const char* magic = "manta checkpoint";

inline constexpr const char* actors_group = "actors";
inline constexpr const char* state_dataset = "state";

namespace attribute {
inline constexpr const char* format = "format";
inline constexpr const char* format_version = "format_version";
inline constexpr const char* job_id = "job_id";
inline constexpr const char* ranks = "ranks";
inline constexpr const char* time = "time";
inline constexpr const char* epoch = "epoch";
inline constexpr const char* class_name = "class_name";
inline constexpr const char* name = "name";
inline constexpr const char* sequence = "sequence";
inline constexpr const char* resources = "resources";
inline constexpr const char* writer_rank = "writer_rank";
inline constexpr const char* crc32 = "crc32";
}  // namespace attribute

/// CRC-32 of `bytes`, as zlib computes it (crc32_libdeflate.cpp or crc32_zlib.cpp).
std::uint32_t crc32(std::span<const std::byte> bytes);

/// Why `key` cannot name an actor's group, or nothing if it can.
std::optional<std::string> key_problem(std::string_view key);
/// Why `name` cannot name an array's dataset in an actor's group, or nothing if it can.
std::optional<std::string> array_name_problem(std::string_view name);

/// "0x1234abcd", for messages.
std::string hex(std::uint32_t value);

}  // namespace manta::checkpoint::format
