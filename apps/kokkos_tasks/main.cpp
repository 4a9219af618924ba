// Kokkos kernels inside Manta tasks: each task sums the squares 0² + 1² + ... + (n-1)² with a
// Kokkos parallel_reduce on the execution space its KokkosSpace gives it, and checks the sum
// against the closed form. Many such tasks run at once on the rank's worker threads.
//
//   build/apps/kokkos_tasks --num-cpus 4
#include <manta/kokkos.hpp>

#include <cstdint>
#include <iostream>
#include <vector>

std::int64_t sum_of_squares(std::int64_t n) {
  manta::KokkosSpace space;  // this task's turn on Kokkos, while the kernel runs
  std::int64_t sum = 0;
  Kokkos::parallel_reduce(
      "sum_of_squares", Kokkos::RangePolicy<>(space.instance(), 0, n),
      KOKKOS_LAMBDA(std::int64_t i, std::int64_t & partial) { partial += i * i; }, sum);
  return sum;
}
MANTA_REMOTE(sum_of_squares);

int main(int argc, char** argv) {
  return manta::run(argc, argv, [] {
    const auto quarter_cpu = manta::task(sum_of_squares).options({.num_cpus = 0.25});
    std::vector<manta::ObjectRef<std::int64_t>> sums;
    for (std::int64_t n = 100'000; n < 100'064; ++n) sums.push_back(quarter_cpu.remote(n));
    int wrong = 0;
    std::int64_t n = 100'000;
    for (const std::int64_t sum : manta::get(sums)) {
      if (sum != (n - 1) * n * (2 * n - 1) / 6) ++wrong;
      ++n;
    }
    std::cout << sums.size() << " Kokkos reductions, " << wrong << " wrong\n";
  });
}
