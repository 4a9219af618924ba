#include <manta/detail/public_header.hpp>

#include <mutex>

namespace manta::detail {

std::mutex& kokkos_dispatch_mutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace manta::detail
