// Built against the installed Manta (find_package(Manta), Manta::kokkos, Manta::tune, Manta::rl):
// an object goes through the store, a registered task runs, a task runs a Kokkos reduction, a small
// sweep finds its best config, and the driver reads them; then CartPole is stepped until pushing
// right tips the pole over.
#include <manta/kokkos.hpp>
#include <manta/rl/make_environment.hpp>
#include <manta/tune.hpp>

#include <iostream>
#include <string>

std::string greet(std::string name) { return "hello, " + name; }
MANTA_REMOTE(greet);

int sum_to(int n) {
  manta::KokkosSpace space;
  int sum = 0;
  Kokkos::parallel_reduce(
      Kokkos::RangePolicy<>(space.instance(), 0, n),
      KOKKOS_LAMBDA(int i, int& partial) { partial += i; }, sum);
  return sum;
}
MANTA_REMOTE(sum_to);

void parabola(const manta::tune::Config& config, manta::tune::Reporter& reporter) {
  const double x = config.get<double>("x");
  reporter.report({{"loss", x * x}});
}
MANTA_TRAINABLE(parabola);

int main(int argc, char** argv) {
  return manta::run(argc, argv, [] {
    const std::string name = manta::get(manta::put(std::string("installed Manta")));
    std::cout << manta::get(manta::task(greet).remote(name)) << "\n";
    std::cout << "kokkos sum " << manta::get(manta::task(sum_to).remote(101)) << "\n";
    manta::tune::Tuner tuner(parabola, {{"x", manta::tune::grid({-1.0, 0.0, 1.0})}},
                             {.metric = "loss"});
    std::cout << "tune best " << to_string(tuner.fit().best().config) << "\n";
    manta::rl::VectorEnv cartpole = manta::rl::make_vector_env("CartPole-v1", 1);
    cartpole.reset(0);
    const float push_right = 1.0F;
    while (cartpole.finished().empty()) cartpole.step(std::span(&push_right, 1));
    std::cout << "cartpole episode ended\n";
  });
}
