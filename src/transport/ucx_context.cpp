#include "transport/ucx_context.hpp"

#include "transport/status.hpp"

namespace manta::transport {

UcxContext::UcxContext() {
  ucp_config_t* config = nullptr;
  MANTA_CHECK_UCX(ucp_config_read(nullptr, nullptr, &config));
  // The store (RegisteredRegion) is allocated by UCX from System V shared memory: its pages are
  // taken as they are used, and the segment is removed as soon as it is attached, so nothing
  // outlives the process. Never from UCX's POSIX path, which writes the whole region into a file
  // in /dev/shm at once and leaves it there if the process dies meanwhile. Without System V
  // (shmmax too small), private memory: peers then get objects instead of mapping them.
  const ucs_status_t modified = ucp_config_modify(config, "ALLOC_PRIO", store_allocation_order);
  if (modified != UCS_OK) ucp_config_release(config);
  MANTA_CHECK_UCX(modified);
  ucp_params_t params{};
  params.field_mask = UCP_PARAM_FIELD_FEATURES | UCP_PARAM_FIELD_MT_WORKERS_SHARED;
  params.features = UCP_FEATURE_RMA | UCP_FEATURE_AM | UCP_FEATURE_WAKEUP;
  params.mt_workers_shared = 1;
  const ucs_status_t status = ucp_init(&params, config, &context_);
  ucp_config_release(config);
  MANTA_CHECK_UCX(status);

  ucp_worker_params_t worker_params{};
  worker_params.field_mask = UCP_WORKER_PARAM_FIELD_THREAD_MODE;
  worker_params.thread_mode = UCS_THREAD_MODE_MULTI;
  try {
    MANTA_CHECK_UCX(ucp_worker_create(context_, &worker_params, &worker_));
  } catch (...) {
    ucp_cleanup(context_);
    throw;
  }
}

UcxContext::~UcxContext() {
  ucp_worker_destroy(worker_);
  ucp_cleanup(context_);
}

std::vector<std::byte> UcxContext::worker_address() const {
  ucp_address_t* address = nullptr;
  std::size_t length = 0;
  MANTA_CHECK_UCX(ucp_worker_get_address(worker_, &address, &length));
  const auto* bytes = reinterpret_cast<const std::byte*>(address);
  std::vector<std::byte> copy(bytes, bytes + length);
  ucp_worker_release_address(worker_, address);
  return copy;
}

RegisteredRegion::RegisteredRegion(const UcxContext& ucx, std::size_t size)
    : context_(ucx.context()) {
  ucp_mem_map_params_t params{};
  params.field_mask = UCP_MEM_MAP_PARAM_FIELD_ADDRESS | UCP_MEM_MAP_PARAM_FIELD_LENGTH |
                      UCP_MEM_MAP_PARAM_FIELD_FLAGS;
  params.address = nullptr;
  params.length = size;
  params.flags = UCP_MEM_MAP_ALLOCATE;
  MANTA_CHECK_UCX(ucp_mem_map(context_, &params, &memory_));

  ucp_mem_attr_t attributes{};
  attributes.field_mask = UCP_MEM_ATTR_FIELD_ADDRESS | UCP_MEM_ATTR_FIELD_LENGTH;
  try {
    MANTA_CHECK_UCX(ucp_mem_query(memory_, &attributes));
    MANTA_CHECK_UCX(ucp_rkey_pack(context_, memory_, &rkey_, &rkey_size_));
  } catch (...) {
    ucp_mem_unmap(context_, memory_);
    throw;
  }
  base_ = static_cast<std::byte*>(attributes.address);
  size_ = attributes.length;
}

RegisteredRegion::~RegisteredRegion() {
  ucp_rkey_buffer_release(rkey_);
  ucp_mem_unmap(context_, memory_);
}

}  // namespace manta::transport
