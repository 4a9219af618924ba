// format::crc32 with zlib (always present: parallel HDF5 depends on it). Chosen by CMake when
// libdeflate, four times faster, is missing.
#include "checkpoint/format.hpp"

#include <zlib.h>

namespace manta::checkpoint::format {

std::uint32_t crc32(std::span<const std::byte> bytes) {
  return static_cast<std::uint32_t>(
      ::crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

}  // namespace manta::checkpoint::format
