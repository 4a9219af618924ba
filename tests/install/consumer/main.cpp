// Built against the installed Manta (find_package(Manta), Manta::manta): an object goes through
// the store, a registered task runs, and the driver reads both back.
#include <manta/manta.hpp>

#include <iostream>
#include <string>

std::string greet(std::string name) { return "hello, " + name; }
MANTA_REMOTE(greet);

int main(int argc, char** argv) {
  return manta::run(argc, argv, [] {
    const std::string name = manta::get(manta::put(std::string("installed Manta")));
    std::cout << manta::get(manta::task(greet).remote(name)) << "\n";
  });
}
