// A job where something goes wrong outside any task, to check that the whole job ends at once
// with a message naming the rank and the cause, instead of leaving the other ranks waiting.
//   job_failure driver  rank 0's driver body throws
//   job_failure crash   rank 1 dies from a signal while the driver waits for its task
//   job_failure stop    the last rank stops (SIGSTOP) while the driver waits for its task: its
//                       watcher names it once --peer-timeout has passed
//   job_failure exit    a task on the last rank calls exit(3): the job ends with its name
//   job_failure actor-exit  an actor's method calls exit(0): the job ends with status 1
#include <manta/manta.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

int die_here() {
  std::raise(SIGKILL);
  return 0;
}
MANTA_REMOTE(die_here);

int stop_here() {
  std::raise(SIGSTOP);
  return 0;
}
MANTA_REMOTE(stop_here);

int exit_here() { std::exit(3); }
MANTA_REMOTE(exit_here);

class Quitter {
 public:
  int leave() { std::exit(0); }
};
MANTA_ACTOR(Quitter, leave);

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "driver";
  return manta::run(argc, argv, [&] {
    if (mode == "driver") throw std::runtime_error("the driver gives up");
    if (mode == "exit") {
      manta::get(manta::task(exit_here).options({.rank = manta::world_size() - 1}).remote());
    }
    if (mode == "actor-exit") {
      manta::get(manta::actor<Quitter>().remote().call(&Quitter::leave).remote());
    }
    if (mode == "stop") {
      manta::get(manta::task(stop_here).options({.rank = manta::world_size() - 1}).remote());
    }
    manta::get(manta::task(die_here).options({.rank = 1}).remote());
  });
}
