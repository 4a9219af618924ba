/// @file transport/traffic_counters.hpp
/// @brief What the messenger has moved: monotonic counts, bumped from any thread without a lock,
/// read as one TransportStats.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace manta::transport {

/// @brief Counts of what the messenger has moved, as read at one moment.
struct TransportStats {
  std::uint64_t messages_sent = 0;      ///< control messages queued by send()
  std::uint64_t messages_received = 0;  ///< control messages delivered to the handler
  std::uint64_t batches_sent = 0;       ///< UCX active messages carrying them
  std::uint64_t gets = 0;               ///< completed ucp_get_nbx operations
  std::uint64_t get_bytes = 0;          ///< bytes they moved
  std::uint64_t get_nanoseconds = 0;    ///< time they took, each from issue to completion
  std::uint64_t mapped_reads = 0;       ///< objects read in place from a same-node peer's store
  std::uint64_t mapped_bytes = 0;       ///< bytes of those objects
};

/// @brief The live counters behind TransportStats. Relaxed: each count is exact, but counts read
/// together need not be of one instant.
class TrafficCounters {
 public:
  void message_sent() noexcept { bump(messages_sent_); }
  void message_received() noexcept { bump(messages_received_); }
  void batch_sent() noexcept { bump(batches_sent_); }
  void get_issued(std::uint64_t bytes) noexcept {
    bump(gets_);
    bump(get_bytes_, bytes);
  }
  void get_finished(std::chrono::steady_clock::time_point issued) noexcept {
    bump(get_nanoseconds_,
         static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now() - issued)
                                        .count()));
  }
  void mapped_read(std::uint64_t bytes) noexcept {
    bump(mapped_reads_);
    bump(mapped_bytes_, bytes);
  }

  TransportStats read() const noexcept {
    return {.messages_sent = messages_sent_.load(std::memory_order_relaxed),
            .messages_received = messages_received_.load(std::memory_order_relaxed),
            .batches_sent = batches_sent_.load(std::memory_order_relaxed),
            .gets = gets_.load(std::memory_order_relaxed),
            .get_bytes = get_bytes_.load(std::memory_order_relaxed),
            .get_nanoseconds = get_nanoseconds_.load(std::memory_order_relaxed),
            .mapped_reads = mapped_reads_.load(std::memory_order_relaxed),
            .mapped_bytes = mapped_bytes_.load(std::memory_order_relaxed)};
  }

 private:
  static void bump(std::atomic<std::uint64_t>& counter, std::uint64_t amount = 1) noexcept {
    counter.fetch_add(amount, std::memory_order_relaxed);
  }

  std::atomic<std::uint64_t> messages_sent_{0};
  std::atomic<std::uint64_t> messages_received_{0};
  std::atomic<std::uint64_t> batches_sent_{0};
  std::atomic<std::uint64_t> gets_{0};
  std::atomic<std::uint64_t> get_bytes_{0};
  std::atomic<std::uint64_t> get_nanoseconds_{0};
  std::atomic<std::uint64_t> mapped_reads_{0};
  std::atomic<std::uint64_t> mapped_bytes_{0};
};

}  // namespace manta::transport
