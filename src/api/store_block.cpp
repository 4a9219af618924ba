#include "core/runtime.hpp"
#include "store/spill_file.hpp"
#include "util/log.hpp"

#include <manta/detail/store_block.hpp>

#include <atomic>
#include <exception>
#include <new>
#include <string>

namespace manta::detail {
namespace {

std::atomic<bool> warned_full{false};
std::atomic<bool> warned_unspillable{false};

}  // namespace

StoreBlock StoreBlock::allocate(std::size_t size) {
  auto& runtime = core::Runtime::current();
  auto& store = runtime.store();
  if (std::byte* block = store.allocate(size)) return StoreBlock(block, size, runtime.generation());
  const auto& directory = runtime.options().spill_dir;
  std::string why_not_spilled;
  try {
    const auto bytes = store::map_spill_file(directory, size);
    if (!warned_full.exchange(true)) {
      const auto stats = store.stats();
      util::log().warn(
          "object store full ({} of {} bytes used, largest free block {}): objects that do not "
          "fit go to files in {} (--spill-dir); raise --object-store-memory to keep them in "
          "memory",
          stats.used, stats.capacity, store.largest_free(), directory);
    }
    return StoreBlock(bytes.data(), bytes.size(), 0, spill_file);
  } catch (const std::exception& error) {
    why_not_spilled = error.what();
  }
  if (!warned_unspillable.exchange(true)) {
    util::log().warn(
        "object store full and a {}-byte object cannot be spilled ({}): keeping it "
        "and those after it that cannot either in process memory",
        size, why_not_spilled);
  }
  return heap(size);
}

StoreBlock StoreBlock::heap(std::size_t size) {
  return StoreBlock(static_cast<std::byte*>(::operator new(size)), size, 0);
}

StoreBlock StoreBlock::peer(std::span<std::byte> bytes, int holder, std::uint64_t sequence) {
  auto& runtime = core::Runtime::current();
  return StoreBlock(bytes.data(), bytes.size(), runtime.generation(), holder, sequence);
}

StoreBlock StoreBlock::borrowed(std::span<std::byte> bytes) {
  return StoreBlock(bytes.data(), bytes.size(), core::Runtime::current().generation(), not_owned);
}

void StoreBlock::written() noexcept {
  if (spilled()) store::page_out(bytes());
}

StoreBlock::~StoreBlock() {
  if (data_ == nullptr) return;
  if (spilled()) {
    store::unmap_spill_file(bytes());
    return;
  }
  if (runtime_ == 0) {
    ::operator delete(data_);
    return;
  }
  // A block outliving its runtime (a ref kept past shutdown) has nothing to return to.
  core::Runtime* runtime = core::Runtime::current_if(runtime_);
  if (runtime == nullptr) return;
  if (holder_ == own_store) {
    runtime->store().free(data_);
  } else if (holder_ >= 0) {
    runtime->remote().release_held(holder_, {runtime->rank(), sequence_});
  }
}

}  // namespace manta::detail
