// The program perf/header_cost.sh compiles: a user translation unit with one task, as small as
// a Manta program gets. It is only compiled (-fsyntax-only and -E), never linked or run.
#include <manta/manta.hpp>

int square(int x) { return x * x; }
MANTA_REMOTE(square);

int main(int argc, char** argv) {
  return manta::run(argc, argv, [] { (void)manta::get(manta::task(square).remote(3)); });
}
