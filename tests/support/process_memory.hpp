/// @file tests/support/process_memory.hpp
/// @brief Memory as the kernel counts it, for tests that check what Manta takes: this process's
/// resident set, and the node's shared memory.
#pragma once

#include <unistd.h>

#include <cstddef>
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
