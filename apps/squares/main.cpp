// The first example of every Ray introduction, in C++:
//
//   @ray.remote
//   def f(x): return x * x
//   futures = [f.remote(i) for i in range(4)]
//   print(ray.get(futures))  # [0, 1, 4, 9]
#include <manta/manta.hpp>

#include <iostream>
#include <vector>

int square(int x) { return x * x; }
MANTA_REMOTE(square);

int main(int argc, char** argv) {
  return manta::run(argc, argv, [] {
    std::vector<manta::ObjectRef<int>> futures;
    for (int i = 0; i < 4; ++i) futures.push_back(manta::task(square).remote(i));
    const std::vector<int> squares = manta::get(futures);

    std::cout << "[";
    for (std::size_t i = 0; i < squares.size(); ++i) std::cout << (i ? ", " : "") << squares[i];
    std::cout << "]\n";
  });
}
