/// @file tests/support/process_memory.hpp
/// @brief Memory as the kernel counts it, for tests that check what Manta takes: this process's
/// resident set, one mapping's, and the node's shared memory.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

namespace manta::testing {

/// Resident set size of this process in bytes, mapped shared pages included (/proc/self/statm).
inline std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t total_pages = 0;
  std::size_t resident_pages = 0;
  statm >> total_pages >> resident_pages;
  return resident_pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

/// Resident bytes of the one mapping of this process that holds `address` (its Rss in
/// /proc/self/smaps): unlike resident_bytes(), blind to a sanitizer's shadow memory.
inline std::size_t mapping_resident_bytes(const void* address) {
  const auto target = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    const auto dash = line.find('-');
    const auto space = line.find(' ');
    if (dash != std::string::npos && space != std::string::npos && dash < space &&
        line.find_first_not_of("0123456789abcdef") == dash) {
      const auto start = std::stoull(line.substr(0, dash), nullptr, 16);
      const auto end = std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16);
      inside = start <= target && target < end;
    } else if (inside && line.rfind("Rss:", 0) == 0) {
      return std::stoull(line.substr(4)) * 1024;
    }
  }
  return 0;
}

/// The node's shared memory in use (Shmem of /proc/meminfo): memfds, /dev/shm, System V
/// segments; a store's pages count there once taken, whichever way they were allocated.
inline std::size_t node_shared_memory() {
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    if (line.rfind("Shmem:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

}  // namespace manta::testing
