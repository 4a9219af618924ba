#include "transport/batch_order.hpp"

#include <cstring>

namespace manta::transport {

std::string BatchOrder::accept(std::uint64_t sequence, std::vector<std::byte> batch,
                               const Deliver& deliver) {
  if (!well_formed(batch) || sequence < next_ || sequence - next_ > max_ahead_ ||
      (sequence > next_ && early_.contains(sequence))) {
    return "sent batch " + std::to_string(sequence) + " of " + std::to_string(batch.size()) +
           " bytes, which is not a batch it can send now (expected batch " + std::to_string(next_) +
           ", frames adding up to the batch's size)";
  }
  if (sequence != next_) {
    early_.emplace(sequence, std::move(batch));
    return {};
  }
  deliver_frames(batch, deliver);
  ++next_;
  while (!early_.empty() && early_.begin()->first == next_) {
    deliver_frames(early_.begin()->second, deliver);
    early_.erase(early_.begin());
    ++next_;
  }
  return {};
}

bool BatchOrder::well_formed(std::span<const std::byte> batch) {
  while (batch.size() >= sizeof(std::uint32_t)) {
    std::uint32_t length = 0;
    std::memcpy(&length, batch.data(), sizeof length);
    if (length > batch.size() - sizeof length) return false;
    batch = batch.subspan(sizeof length + length);
  }
  return batch.empty();
}

void BatchOrder::deliver_frames(std::span<const std::byte> batch, const Deliver& deliver) {
  while (batch.size() >= sizeof(std::uint32_t)) {
    std::uint32_t length = 0;
    std::memcpy(&length, batch.data(), sizeof length);
    deliver(batch.subspan(sizeof length, length));
    batch = batch.subspan(sizeof length + length);
  }
}

std::string header_problem(std::size_t header_length, std::size_t expected_length, int source,
                           int self, int size, std::size_t batch_length) {
  if (header_length == expected_length && source >= 0 && source < size && source != self) {
    return {};
  }
  return "a batch of " + std::to_string(batch_length) + " bytes came with a header of " +
         std::to_string(header_length) + " bytes naming rank " + std::to_string(source) +
         ", not another rank of this job of " + std::to_string(size);
}

}  // namespace manta::transport
