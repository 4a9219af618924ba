// The job label_output.sh reads, run with --label-output: tasks on every rank write many lines
// to std::cout at once, each in several pieces (so that unlabelled, threads' pieces would mix),
// an actor on the last rank writes to std::cerr, and the driver writes a line of its own.
//   label_output_job LINES_PER_TASK [Manta options]
#include <manta/manta.hpp>

#include <iostream>
#include <string>
#include <vector>

int chatter(int lines) {
  for (int line = 0; line < lines; ++line) {
    std::cout << "chatter line " << line << " of " << lines << " on rank " << manta::rank() << '\n';
  }
  return lines;
}
MANTA_REMOTE(chatter);

class Speaker {
 public:
  int say(std::string word) {
    std::cerr << "speaker says " << word << " on rank " << manta::rank() << std::endl;
    // A line left unfinished when the call returns still goes out, labelled.
    std::cerr << "speaker trails off";
    return 0;
  }
};
MANTA_ACTOR(Speaker, say);

constexpr int tasks_per_rank = 4;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: label_output_job LINES_PER_TASK [Manta options]\n";
    return 2;
  }
  const int lines = std::stoi(argv[1]);
  return manta::run(argc, argv, [&] {
    std::vector<manta::ObjectRef<int>> written;
    for (int rank = 0; rank < manta::world_size(); ++rank) {
      for (int task = 0; task < tasks_per_rank; ++task) {
        written.push_back(manta::task(chatter).options({.rank = rank}).remote(lines));
      }
    }
    manta::get(written);
    auto speaker = manta::actor<Speaker>().options({.rank = manta::world_size() - 1}).remote();
    manta::get(speaker.call(&Speaker::say).remote(std::string("hello")));
    std::cout << "driver done" << std::endl;
  });
}
