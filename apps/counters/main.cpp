// Actors: a class whose instance lives in the runtime and keeps its state between calls.
//
//   @ray.remote
//   class Counter(object):
//       def __init__(self):
//           self.n = 0
//
//       def increment(self):
//           self.n += 1
//
//       def read(self):
//           return self.n
//
//   counters = [Counter.remote() for i in range(4)]
//   tmp1 = [c.increment.remote() for c in counters]
//   tmp2 = [c.increment.remote() for c in counters]
//   tmp3 = [c.increment.remote() for c in counters]
//   futures = [c.read.remote() for c in counters]
//   print(ray.get(futures))  # [3, 3, 3, 3]
//
// Each actor runs its calls one at a time, in the order they were made, so every read comes after
// that counter's three increments.
#include <manta/manta.hpp>

#include <iostream>
#include <vector>

class Counter {
 public:
  void increment() { ++n_; }
  int read() const { return n_; }

 private:
  int n_ = 0;
};
MANTA_ACTOR(Counter, increment, read);

int main(int argc, char** argv) {
  return manta::run(argc, argv, [] {
    std::vector<manta::ActorHandle<Counter>> counters;
    for (int i = 0; i < 4; ++i) counters.push_back(manta::actor<Counter>().remote());

    for (int round = 0; round < 3; ++round) {
      for (const auto& c : counters) c.call(&Counter::increment).remote();
    }

    std::vector<manta::ObjectRef<int>> futures;
    for (const auto& c : counters) futures.push_back(c.call(&Counter::read).remote());
    const std::vector<int> counts = manta::get(futures);

    std::cout << "[";
    for (std::size_t i = 0; i < counts.size(); ++i) std::cout << (i ? ", " : "") << counts[i];
    std::cout << "]\n";
  });
}
