/// @file transport/ucx_context.hpp
/// @brief The UCX context and worker of a rank, and memory regions UCX allocates and registers.
#pragma once

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

/// The order in which UCX may allocate a RegisteredRegion (UCX_ALLOC_PRIO, set for Manta's own
/// context): System V shared memory, else private memory; never UCX's POSIX path.
inline constexpr const char* store_allocation_order = "md:sysv,huge,thp,mmap,heap";

/// @brief A region UCX allocates and registers (ucp_mem_map with UCP_MEM_MAP_ALLOCATE), packed
/// as an rkey for peers. Only UCX-allocated memory gets native shared-memory RMA and
/// ucp_rkey_ptr on these machines (see shared/ucx-rma-notes.md): a store registered by address
/// (a memfd, tried on 2026-12-04) was read by emulated gets, 0.28 against 34 GB/s for 1 MB
/// objects here. Pages are touched on first use (store_allocation_order).
class RegisteredRegion {
 public:
  /// @throws manta::Error if UCX cannot allocate `size` bytes
  RegisteredRegion(const UcxContext& ucx, std::size_t size);
  ~RegisteredRegion();
  RegisteredRegion(const RegisteredRegion&) = delete;
  RegisteredRegion& operator=(const RegisteredRegion&) = delete;

  std::span<std::byte> bytes() const noexcept { return {base_, size_}; }
  /// UCX's handle of the region, for RMA into it without a registration lookup.
  ucp_mem_h memory() const noexcept { return memory_; }
  /// The rkey peers unpack to read this region remotely.
  std::span<const std::byte> packed_rkey() const noexcept {
    return {static_cast<const std::byte*>(rkey_), rkey_size_};
  }

 private:
  ucp_context_h context_;
  ucp_mem_h memory_ = nullptr;
  std::byte* base_ = nullptr;
  std::size_t size_ = 0;
  void* rkey_ = nullptr;
  std::size_t rkey_size_ = 0;
};

}  // namespace manta::transport
