// The cluster example of the Ray introduction, on every rank of an MPI job:
//
//   @ray.remote
//   def f():
//       time.sleep(0.001)
//       return socket.gethostbyname(socket.gethostname())
//   object_ids = [f.remote() for _ in range(10000)]
//   for ip_address, num_tasks in Counter(ray.get(object_ids)).items(): ...
//
// Run it under a launcher; the driver (rank 0) places tasks on every rank:
//
//   mpirun -np 4 --oversubscribe ./cluster_tasks
//   srun -n 4 --mpi=pmix ./cluster_tasks
#include <manta/manta.hpp>

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <map>
#include <thread>
#include <utility>

// Which rank ran this task, and on which host.
std::pair<int, std::string> where_am_i() {
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return {manta::rank(), host};
}
MANTA_REMOTE(where_am_i);

int main(int argc, char** argv) {
  return manta::run(argc, argv, [] {
    const auto resources = manta::cluster_resources();
    std::cout << "This cluster consists of\n"
              << "    " << manta::nodes().size() << " ranks in total\n"
              << "    " << resources.at("CPU") << " CPU resources in total\n";

    std::vector<manta::ObjectRef<std::pair<int, std::string>>> refs;
    for (int i = 0; i < 10000; ++i) refs.push_back(manta::task(where_am_i).remote());

    std::map<std::pair<int, std::string>, int> counts;
    for (const auto& place : manta::get(refs)) ++counts[place];
    std::cout << "Tasks executed\n";
    for (const auto& [place, tasks] : counts) {
      std::cout << "    " << tasks << " tasks on rank " << place.first << " (" << place.second
                << ")\n";
    }
  });
}
