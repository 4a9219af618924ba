#include "util/usable_memory.hpp"

#include <unistd.h>

#include <cstdint>
#include <fstream>

namespace manta::util {
namespace {

/// The limit in a cgroup file ("max", or a byte count; absent or unreadable: none).
std::uint64_t read_limit(const std::string& path) {
  std::ifstream file(path);
  std::string text;
  if (!(file >> text) || text == "max") return UINT64_MAX;
  try {
    return std::stoull(text);
  } catch (const std::exception&) {
    return UINT64_MAX;
  }
}

/// The smallest memory limit of this process's cgroup and its ancestors (v2), or of its memory
/// cgroup (v1), and which cgroup set it; UINT64_MAX when none is set.
std::uint64_t cgroup_limit(std::string& which) {
  std::ifstream cgroups("/proc/self/cgroup");
  std::uint64_t limit = UINT64_MAX;
  for (std::string line; std::getline(cgroups, line);) {
    // "0::/path" (v2) or "N:memory:/path" (v1; the controllers are a comma-separated list).
    const auto first = line.find(':');
    const auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    if (controllers.empty()) {
      for (;;) {
        const std::uint64_t here = read_limit("/sys/fs/cgroup" + path + "/memory.max");
        if (here < limit) limit = here, which = "cgroup " + path;
        if (path.empty() || path == "/") break;
        path.erase(path.find_last_of('/'));
      }
    } else if (("," + controllers + ",").find(",memory,") != std::string::npos) {
      // v1 reports "no limit" as a huge page-aligned number, larger than any machine.
      const std::uint64_t here =
          read_limit("/sys/fs/cgroup/memory" + path + "/memory.limit_in_bytes");
      if (here < limit) limit = here, which = "cgroup " + path;
    }
  }
  return limit;
}

}  // namespace

UsableMemory usable_memory() {
  UsableMemory usable{.source = "physical memory"};
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  usable.bytes = pages > 0 && page_size > 0 ? static_cast<std::uint64_t>(pages) * page_size : 0;
  std::string which;
  if (const std::uint64_t limit = cgroup_limit(which); limit < usable.bytes) {
    usable.bytes = limit;
    usable.source = "the memory limit of " + which;
  }
  return usable;
}

}  // namespace manta::util
