#include "util/format_bytes.hpp"

#include <cstdio>

namespace manta::util {

std::string format_bytes(std::uint64_t bytes) {
  char text[32];
  if (bytes >= (std::uint64_t{1} << 40)) {
    std::snprintf(text, sizeof text, "%.4g TiB", static_cast<double>(bytes) / (1ULL << 40));
  } else if (bytes >= (std::uint64_t{1} << 30)) {
    std::snprintf(text, sizeof text, "%.4g GiB", static_cast<double>(bytes) / (1 << 30));
  } else if (bytes >= (std::uint64_t{1} << 20)) {
    std::snprintf(text, sizeof text, "%.4g MiB", static_cast<double>(bytes) / (1 << 20));
  } else {
    std::snprintf(text, sizeof text, "%llu bytes", static_cast<unsigned long long>(bytes));
  }
  return text;
}

}  // namespace manta::util
