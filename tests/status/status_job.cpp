// The job tests/status/check.sh watches from outside: finished work first, then a task stuck on
// the last rank until the release file exists (as a simulator that hangs at 3 a.m. would be).
//   status_job RELEASE_FILE [fail] [Manta options]
// With `fail`, the driver throws once the release file exists, and the job ends with code 1.
#include <manta/manta.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

int status_counted(int x) { return x + 1; }
MANTA_REMOTE(status_counted);

int stuck_until_released(std::string release) {
  while (!std::filesystem::exists(release)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return manta::rank();
}
MANTA_REMOTE(stuck_until_released);

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: status_job RELEASE_FILE [fail] [Manta options]\n";
    return 2;
  }
  const std::string release = argv[1];
  const bool fail = argc > 2 && std::string(argv[2]) == "fail";
  return manta::run(argc, argv, [&] {
    std::vector<manta::ObjectRef<int>> counted;
    for (int i = 0; i < 40; ++i) counted.push_back(manta::task(status_counted).remote(i));
    manta::get(counted);
    const int last = manta::world_size() - 1;
    auto stuck = manta::task(stuck_until_released).options({.rank = last}).remote(release);
    std::cout << "stuck task submitted to rank " << last << std::endl;
    if (fail) {
      while (!std::filesystem::exists(release)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      throw std::runtime_error("planned failure while a task is stuck");
    }
    std::cout << "released on rank " << manta::get(stuck) << std::endl;
  });
}
