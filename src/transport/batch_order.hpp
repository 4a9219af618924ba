/// @file transport/batch_order.hpp
/// @brief The batches one peer sends, put back in the order it sent them and checked before any
/// byte is believed: what Messenger does with each batch that arrives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace manta::transport {

/// @brief Receiving side of one peer's numbered batches. A batch is frames, each a 32-bit length
/// and that many bytes. Batches are delivered frame by frame in sequence order; a rendezvous
/// batch overtaken by later eager ones waits, up to `max_ahead` batches. Not thread-safe (the
/// progress thread owns it).
class BatchOrder {
 public:
  /// Receives each frame of a delivered batch.
  using Deliver = std::function<void(std::span<const std::byte> frame)>;
  /// Batches a peer may send ahead of one still missing (its rendezvous overtaken by eager ones):
  /// far more than the few in flight at once, far less than memory.
  static constexpr std::uint64_t default_max_ahead = 1 << 16;

  explicit BatchOrder(std::uint64_t max_ahead = default_max_ahead) : max_ahead_(max_ahead) {}

  /// Takes batch `sequence`: delivers it, and the early ones it was holding back, when it is the
  /// next; keeps it otherwise. Returns what is wrong with it instead (nothing delivered, nothing
  /// kept) for frames that do not add up to its size, or a number already seen, already passed
  /// or more than max_ahead beyond the next.
  std::string accept(std::uint64_t sequence, std::vector<std::byte> batch, const Deliver& deliver);

  /// The sequence number of the next batch to deliver.
  std::uint64_t next() const noexcept { return next_; }
  /// Batches kept until the ones before them arrive.
  std::size_t held() const noexcept { return early_.size(); }

  /// Whether `batch` is whole: frames whose lengths add up to its size exactly.
  static bool well_formed(std::span<const std::byte> batch);

 private:
  static void deliver_frames(std::span<const std::byte> batch, const Deliver& deliver);

  std::uint64_t max_ahead_;
  std::uint64_t next_ = 0;
  std::map<std::uint64_t, std::vector<std::byte>> early_;
};

/// What is wrong with a batch's header (its size, or the rank it names as its source) in a job
/// of `size` ranks received by rank `self`, or empty when nothing is.
std::string header_problem(std::size_t header_length, std::size_t expected_length, int source,
                           int self, int size, std::size_t batch_length);

}  // namespace manta::transport
