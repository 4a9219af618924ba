#include "store/region_allocator.hpp"

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string>

namespace manta::store {

RegionAllocator::RegionAllocator(std::size_t capacity, std::size_t alignment)
    : capacity_(capacity / alignment * alignment), alignment_(alignment) {
  if (capacity_ > 0) free_.emplace(0, capacity_);
}

std::optional<std::size_t> RegionAllocator::allocate(std::size_t size) {
  const std::size_t length =
      std::max<std::size_t>(1, (size + alignment_ - 1) / alignment_) * alignment_;
  if (length < size) return std::nullopt;  // overflow of an absurd request
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->second < length) continue;
    const std::size_t offset = it->first;
    const std::size_t rest = it->second - length;
    free_.erase(it);
    if (rest > 0) free_.emplace(offset + length, rest);
    allocated_.emplace(offset, length);
    used_ += length;
    return offset;
  }
  return std::nullopt;
}

void RegionAllocator::free(std::size_t offset) {
  const auto found = allocated_.find(offset);
  if (found == allocated_.end()) {
    throw std::logic_error("store: free of offset " + std::to_string(offset) +
                           ", which is not an allocated block");
  }
  std::size_t start = offset;
  std::size_t length = found->second;
  used_ -= length;
  allocated_.erase(found);

  auto next = free_.lower_bound(start);
  if (next != free_.end() && start + length == next->first) {
    length += next->second;
    next = free_.erase(next);
  }
  if (next != free_.begin()) {
    const auto previous = std::prev(next);
    if (previous->first + previous->second == start) {
      start = previous->first;
      length += previous->second;
      free_.erase(previous);
    }
  }
  free_.emplace(start, length);
}

std::size_t RegionAllocator::largest_free() const noexcept {
  std::size_t largest = 0;
  for (const auto& [offset, length] : free_) largest = std::max(largest, length);
  return largest;
}

}  // namespace manta::store
