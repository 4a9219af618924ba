#include "store/object_store.hpp"

namespace manta::store {

ObjectStore::ObjectStore(const transport::UcxContext& ucx, std::size_t capacity)
    : region_(ucx, capacity), allocator_(region_.bytes().size()) {}

std::byte* ObjectStore::allocate(std::size_t size) {
  util::LockGuard lock(mutex_);
  const auto offset = allocator_.allocate(size);
  return offset ? region_.bytes().data() + *offset : nullptr;
}

void ObjectStore::free(std::byte* block) {
  util::LockGuard lock(mutex_);
  allocator_.free(static_cast<std::size_t>(block - region_.bytes().data()));
}

StoreStats ObjectStore::stats() const {
  util::LockGuard lock(mutex_);
  return {allocator_.capacity(), allocator_.used(), allocator_.blocks()};
}

std::size_t ObjectStore::largest_free() const {
  util::LockGuard lock(mutex_);
  return allocator_.largest_free();
}

}  // namespace manta::store
