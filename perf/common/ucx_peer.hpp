/// @file common/ucx_peer.hpp
/// @brief Raw UCX between the two ranks of an MPI job, for the baselines that measure what the
/// transport does without Manta: one context and worker per rank, worker addresses exchanged
/// over MPI, one endpoint to the other rank.
#pragma once

#include <mpi.h>
#include <ucp/api/ucp.h>

#include <cstdint>
#include <vector>

namespace bench {

/// Aborts the MPI job with `what` and UCX's message unless `status` is UCS_OK.
void check_ucx(ucs_status_t status, const char* what);

/// Bytes of `mine` from this rank, and the other rank's bytes in return (MPI_Sendrecv).
std::vector<char> exchange_with_peer(const std::vector<char>& mine, int peer_rank);

/// @brief A UCX context and multi-threaded worker with an endpoint to the other rank of a job of
/// exactly two. Construct and destroy collectively, on both ranks.
class UcxPeer {
 public:
  /// `features`: UCP_FEATURE_* the program uses (RMA, AM, WAKEUP).
  explicit UcxPeer(std::uint64_t features);
  /// Closes the endpoint (flushing, both sides progressing), then destroys the worker and
  /// context after a barrier, the order that never hangs (shared/ucx-rma-notes.md).
  ~UcxPeer();
  UcxPeer(const UcxPeer&) = delete;
  UcxPeer& operator=(const UcxPeer&) = delete;

  int peer_rank() const noexcept { return peer_rank_; }
  ucp_context_h context() const noexcept { return context_; }
  ucp_worker_h worker() const noexcept { return worker_; }
  ucp_ep_h endpoint() const noexcept { return endpoint_; }

  /// Progresses the worker until `request`, returned by a ucp_*_nbx call, completes (a status
  /// instead of a request means it already has); frees it. Aborts the job on error.
  void wait(ucs_status_ptr_t request, const char* what) const;

 private:
  int peer_rank_ = 0;
  ucp_context_h context_ = nullptr;
  ucp_worker_h worker_ = nullptr;
  ucp_ep_h endpoint_ = nullptr;
};

/// @brief Sleeping until a worker has events, as an idle Manta progress thread does: the
/// worker's event descriptor in an epoll set. The worker needs UCP_FEATURE_WAKEUP.
class UcxWakeup {
 public:
  explicit UcxWakeup(ucp_worker_h worker);
  ~UcxWakeup();
  UcxWakeup(const UcxWakeup&) = delete;
  UcxWakeup& operator=(const UcxWakeup&) = delete;

  /// Sleeps until the worker has events or `timeout_ms` pass; returns at once if it has some.
  void sleep(int timeout_ms) const;

 private:
  ucp_worker_h worker_;
  int epoll_;
};

}  // namespace bench
