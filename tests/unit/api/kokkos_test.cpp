// Kokkos inside tasks: many tasks on many worker threads run parallel_reduce at once through
// KokkosSpace, and every sum is right (Debian's Kokkos is Serial-only: its one instance must
// not run two reductions at the same time, which KokkosSpace guarantees).
#include "test_support.hpp"

#include <manta/kokkos.hpp>

#include <cstdint>
#include <vector>

namespace {

using namespace manta_test;

std::atomic<int> inside{0};
std::atomic<int> most_inside{0};

std::int64_t kokkos_sum_of_squares(std::int64_t n) {
  manta::KokkosSpace space;
  const int now = inside.fetch_add(1) + 1;
  for (int seen = most_inside.load();
       now > seen && !most_inside.compare_exchange_weak(seen, now);) {
  }
  Kokkos::View<std::int64_t*> values("values", n);
  Kokkos::parallel_for(
      Kokkos::RangePolicy<>(space.instance(), 0, n),
      KOKKOS_LAMBDA(std::int64_t i) { values(i) = i * i; });
  std::int64_t sum = 0;
  Kokkos::parallel_reduce(
      Kokkos::RangePolicy<>(space.instance(), 0, n),
      KOKKOS_LAMBDA(std::int64_t i, std::int64_t & partial) { partial += values(i); }, sum);
  inside.fetch_sub(1);
  return sum;
}
MANTA_REMOTE(kokkos_sum_of_squares);

class KokkosWorker {
 public:
  std::int64_t sum(std::int64_t n) { return kokkos_sum_of_squares(n); }
};
MANTA_ACTOR(KokkosWorker, sum);

std::int64_t closed_form(std::int64_t n) { return (n - 1) * n * (2 * n - 1) / 6; }

TEST(Kokkos, ConcurrentReductionsInTasksAreAllCorrect) {
  manta::Runtime runtime(runtime_options(4));
  most_inside = 0;
  const auto quarter_cpu = manta::task(kokkos_sum_of_squares).options({.num_cpus = 0.25});
  std::vector<manta::ObjectRef<std::int64_t>> sums;
  for (std::int64_t n = 10'000; n < 10'200; ++n) sums.push_back(quarter_cpu.remote(n));
  const auto values = manta::get(sums);
  for (std::int64_t i = 0; i < 200; ++i) {
    ASSERT_EQ(values[i], closed_form(10'000 + i)) << "n = " << 10'000 + i;
  }
  EXPECT_EQ(most_inside.load(), 1) << "two tasks ran Kokkos kernels at the same time";
}

TEST(Kokkos, ActorsRunKernelsToo) {
  manta::Runtime runtime(runtime_options(2));
  EXPECT_TRUE(Kokkos::is_initialized());
  std::vector<manta::ActorHandle<KokkosWorker>> workers;
  for (int i = 0; i < 4; ++i) workers.push_back(manta::actor<KokkosWorker>().remote());
  std::vector<manta::ObjectRef<std::int64_t>> sums;
  for (int call = 0; call < 3; ++call) {
    for (auto& worker : workers)
      sums.push_back(worker.call(&KokkosWorker::sum).remote(1000 + call));
  }
  for (std::size_t i = 0; i < sums.size(); ++i) {
    EXPECT_EQ(manta::get(sums[i]), closed_form(1000 + static_cast<std::int64_t>(i / 4)));
  }
}

}  // namespace
