/// @file kokkos.hpp
/// @brief Kokkos kernels inside tasks and actors: the execution space a task launches on.
///
/// Every rank initialises Kokkos once, for its CPUs and (with a device backend) its first GPU.
/// A task that runs kernels holds a KokkosSpace while it launches them:
///
/// @code
/// #include <manta/kokkos.hpp>
///
/// double sum_of_squares(int n) {
///   manta::KokkosSpace space;   // this task's share of Kokkos, until it goes out of scope
///   double sum = 0;
///   Kokkos::parallel_reduce(Kokkos::RangePolicy<>(space.instance(), 0, n),
///                           KOKKOS_LAMBDA(int i, double& partial) { partial += 1.0 * i * i; },
///                           sum);
///   return sum;
/// }
/// MANTA_REMOTE(sum_of_squares);
/// @endcode
///
/// Link `Manta::kokkos` (Manta plus the Kokkos it was built with) to use this header.
#pragma once
#include "manta.hpp"

#include <Kokkos_Core.hpp>

#include <mutex>

namespace manta {
namespace detail {
/// Taken by every KokkosSpace: one per process.
std::mutex& kokkos_dispatch_mutex();
}  // namespace detail

/// @brief The execution-space instance a task launches its Kokkos kernels on, for as long as
/// this object lives.
///
/// Kokkos 3's host backends (Serial, OpenMP, Threads) keep one instance per process whose
/// reduction scratch space two threads must not share, and Manta runs many tasks on many
/// worker threads at once: so kernels launched through KokkosSpace objects take turns. Keep one
/// only around the kernels, not around a whole long task. Copies of the instance are cheap.
class KokkosSpace {
 public:
  KokkosSpace() : turn_(detail::kokkos_dispatch_mutex()) {}
  KokkosSpace(const KokkosSpace&) = delete;
  KokkosSpace& operator=(const KokkosSpace&) = delete;

  Kokkos::DefaultExecutionSpace instance() const { return {}; }
  operator Kokkos::DefaultExecutionSpace() const { return instance(); }

 private:
  std::lock_guard<std::mutex> turn_;
};

}  // namespace manta
