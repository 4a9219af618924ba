/// @file transport/ucx_context.hpp
/// @brief The UCX context and worker of a rank, and the memory regions it registers.
#pragma once

#include "util/shared_memory.hpp"

#include <ucp/api/ucp.h>

#include <cstddef>
#include <span>
#include <vector>

namespace manta::transport {

/// @brief One ucp context (RMA, active messages, wakeup) and one thread-safe worker per rank.
/// The transports come from UCX's own configuration (`UCX_TLS`): shared memory and tcp here,
/// rc/dc on InfiniBand, with no change to Manta.
class UcxContext {
 public:
  /// @throws manta::Error naming the failed ucp call
  UcxContext();
  ~UcxContext();
  UcxContext(const UcxContext&) = delete;
  UcxContext& operator=(const UcxContext&) = delete;

  ucp_context_h context() const noexcept { return context_; }
  ucp_worker_h worker() const noexcept { return worker_; }
  /// The worker's address, which peers need to reach it (exchanged at bootstrap).
  std::vector<std::byte> worker_address() const;

 private:
  ucp_context_h context_ = nullptr;
  ucp_worker_h worker_ = nullptr;
};

/// @brief A region in an anonymous shared-memory file (util::SharedMemory) that UCX registers
/// (ucp_mem_map by address) and packs as an rkey for peers. Manta allocates it rather than UCX:
/// its pages are touched only when used, whatever transport UCX picks, and nothing is left in
/// /dev/shm when the process dies (UCX's POSIX path writes the whole file in /dev/shm first).
/// Peers on the node map the file itself (see Messenger::map_peer_store); others get from it.
class RegisteredRegion {
 public:
  /// @throws manta::Error if the file cannot be made or UCX cannot register it
  RegisteredRegion(const UcxContext& ucx, std::size_t size);
  ~RegisteredRegion();
  RegisteredRegion(const RegisteredRegion&) = delete;
  RegisteredRegion& operator=(const RegisteredRegion&) = delete;

  std::span<std::byte> bytes() const noexcept { return file_.bytes(); }
  /// The file behind the region, which node-local peers open as /proc/PID/fd/DESCRIPTOR.
  const util::SharedMemory& file() const noexcept { return file_; }
  /// UCX's handle of the region, for RMA into it without a registration lookup.
  ucp_mem_h memory() const noexcept { return memory_; }
  /// The rkey peers unpack to read this region remotely.
  std::span<const std::byte> packed_rkey() const noexcept {
    return {static_cast<const std::byte*>(rkey_), rkey_size_};
  }

 private:
  util::SharedMemory file_;
  ucp_context_h context_;
  ucp_mem_h memory_ = nullptr;
  void* rkey_ = nullptr;
  std::size_t rkey_size_ = 0;
};

}  // namespace manta::transport
