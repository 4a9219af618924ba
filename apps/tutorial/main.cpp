// "A simple introduction to Ray Core by example" (the Ray Core walkthrough of the book Learning
// Ray), in C++, step by step. Each step quotes the Python it mirrors.
//
// Run it with eight CPU slots, so that the eight retrievals run at once:
//
//   ./tutorial --num-cpus 8
//
// The sequential run takes 2.8 s (0 + 0.1 + ... + 0.7); the parallel ones about 0.7 s, the
// slowest retrieval. With fewer slots (the default is this machine's cores) they take longer.
#include <manta/manta.hpp>

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using Clock = std::chrono::steady_clock;
using Database = std::vector<std::string>;
using Item = std::pair<int, std::string>;

// Python's repr of what the notebook prints: (0, 'Learning'), ((0, 'Learning'), (1, 'Ray')), [...]
//
// Each string is built by appending to one that starts with its first characters, not as
// "(" + temporary: in Release builds GCC 12 warns (-Wrestrict, an error with
// MANTA_WARNINGS_AS_ERRORS) about the memcpy it inlines from that operator+, which inserts "(" at
// the front of the temporary. The two buffers cannot overlap: a known GCC 12 false positive.
std::string repr(const Item& item) {
  std::string text = "(";
  text += std::to_string(item.first);
  text += ", '";
  text += item.second;
  text += "')";
  return text;
}
std::string repr(const std::pair<Item, Item>& items) {
  std::string text = "(";
  text += repr(items.first);
  text += ", ";
  text += repr(items.second);
  text += ")";
  return text;
}
std::string repr(const std::vector<Item>& items) {
  std::string text = "[";
  for (const Item& item : items) text += (text.size() > 1 ? ", " : "") + repr(item);
  return text + "]";
}

// ---- Your first Ray API example --------------------------------------------------------------

// database = [
//     "Learning", "Ray",
//     "Flexible", "Distributed", "Python", "for", "Machine", "Learning"
// ]
const Database database = {"Learning", "Ray", "Flexible", "Distributed",
                           "Python",   "for", "Machine",  "Learning"};

// def retrieve(item):
//     time.sleep(item / 10.)
//     return item, database[item]
Item retrieve(int item) {
  std::this_thread::sleep_for(std::chrono::duration<double>(item / 10.));
  return {item, database[item]};
}

// def print_runtime(input_data, start_time):
//     print(f'Runtime: {time.time() - start_time:.2f} seconds, data:')
//     print(*input_data, sep="\n")
void print_runtime(const std::vector<Item>& input_data, Clock::time_point start_time) {
  const std::chrono::duration<double> runtime = Clock::now() - start_time;
  std::cout << "Runtime: " << std::fixed << std::setprecision(2) << runtime.count()
            << " seconds, data:\n";
  for (const Item& item : input_data) std::cout << repr(item) << "\n";
}

void sequential_run() {
  // start = time.time()
  // data = [retrieve(item) for item in range(8)]
  // print_runtime(data, start)
  const auto start = Clock::now();
  std::vector<Item> data;
  for (int item = 0; item < 8; ++item) data.push_back(retrieve(item));
  print_runtime(data, start);
}

// ---- Ray tasks -------------------------------------------------------------------------------

// @ray.remote
// def retrieve_task(item):
//     return retrieve(item)
Item retrieve_task(int item) { return retrieve(item); }
MANTA_REMOTE(retrieve_task);

void parallel_run() {
  // start = time.time()
  // object_references = [
  //     retrieve_task.remote(item) for item in range(8)
  // ]
  // data = ray.get(object_references)
  // print_runtime(data, start)
  const auto start = Clock::now();
  std::vector<manta::ObjectRef<Item>> object_references;
  for (int item = 0; item < 8; ++item) {
    object_references.push_back(manta::task(retrieve_task).remote(item));
  }
  const std::vector<Item> data = manta::get(object_references);
  print_runtime(data, start);
}

// ---- The object store ------------------------------------------------------------------------

// @ray.remote
// def retrieve_task(item, db):
//     time.sleep(item / 10.)
//     return item, db[item]
//
// Python redefines retrieve_task; Manta registers each function by its name, so this second
// version gets a name of its own. `db` arrives as the value of the ref passed in, read in place.
Item retrieve_db_task(int item, const Database& db) {
  std::this_thread::sleep_for(std::chrono::duration<double>(item / 10.));
  return {item, db[item]};
}
MANTA_REMOTE(retrieve_db_task);

// ---- Non-blocking calls ----------------------------------------------------------------------

void wait_loop(const manta::ObjectRef<Database>& db_object_ref) {
  // start = time.time()
  // object_references = [
  //     retrieve_task.remote(item, db_object_ref) for item in range(8)
  // ]
  // all_data = []
  const auto start = Clock::now();
  std::vector<manta::ObjectRef<Item>> object_references;
  for (int item = 0; item < 8; ++item) {
    object_references.push_back(manta::task(retrieve_db_task).remote(item, db_object_ref));
  }
  std::vector<Item> all_data;

  // while len(object_references) > 0:
  //     finished, object_references = ray.wait(
  //         object_references, timeout=7.0
  //     )
  //     data = ray.get(finished)
  //     print_runtime(data, start)
  //     all_data.extend(data)
  //
  // The notebook's output shows the results in pairs: Learning Ray passes num_returns=2, and so
  // does this loop (the min keeps it valid should a single ref be left).
  while (!object_references.empty()) {
    auto [finished, rest] = manta::wait(
        object_references, {.num_returns = std::min<std::size_t>(2, object_references.size()),
                            .timeout = std::chrono::seconds(7)});
    object_references = std::move(rest);
    const std::vector<Item> data = manta::get(finished);
    print_runtime(data, start);
    all_data.insert(all_data.end(), data.begin(), data.end());
  }

  // print_runtime(all_data, start)
  print_runtime(all_data, start);
}

// ---- Task dependencies -----------------------------------------------------------------------

// @ray.remote
// def follow_up_task(retrieve_result):
//     original_item, _ = retrieve_result
//     follow_up_result = retrieve(original_item + 1)
//     return retrieve_result, follow_up_result
std::pair<Item, Item> follow_up_task(const Item& retrieve_result) {
  const int original_item = retrieve_result.first;
  Item follow_up_result = retrieve(original_item + 1);
  return {retrieve_result, follow_up_result};
}
MANTA_REMOTE(follow_up_task);

void task_dependencies(const manta::ObjectRef<Database>& db_object_ref) {
  // retrieve_refs = [retrieve_task.remote(item, db_object_ref) for item in [0, 2, 4, 6]]
  std::vector<manta::ObjectRef<Item>> retrieve_refs;
  for (int item : {0, 2, 4, 6}) {
    retrieve_refs.push_back(manta::task(retrieve_db_task).remote(item, db_object_ref));
  }

  // follow_up_refs = [follow_up_task.remote(ref) for ref in retrieve_refs]
  // (follow_up_task receives each ref's value once its retrieve_task is done.)
  std::vector<manta::ObjectRef<std::pair<Item, Item>>> follow_up_refs;
  for (const auto& ref : retrieve_refs) {
    follow_up_refs.push_back(manta::task(follow_up_task).remote(ref));
  }

  // result = [print(data) for data in ray.get(follow_up_refs)]
  for (const auto& data : manta::get(follow_up_refs)) std::cout << repr(data) << "\n";
}

// ---- Ray actors ------------------------------------------------------------------------------

// @ray.remote
// class DataTracker:
//     def __init__(self):
//         self._counts = 0
//
//     def increment(self):
//         self._counts += 1
//
//     def counts(self):
//         return self._counts
class DataTracker {
 public:
  void increment() { ++counts_; }
  int counts() const { return counts_; }

 private:
  int counts_ = 0;
};
MANTA_ACTOR(DataTracker, increment, counts);

// @ray.remote
// def retrieve_tracker_task(item, tracker, db):
//     time.sleep(item / 10.)
//     tracker.increment.remote()
//     return item, db[item]
Item retrieve_tracker_task(int item, manta::ActorHandle<DataTracker> tracker, const Database& db) {
  std::this_thread::sleep_for(std::chrono::duration<double>(item / 10.));
  tracker.call(&DataTracker::increment).remote();
  return {item, db[item]};
}
MANTA_REMOTE(retrieve_tracker_task);

void actors(const manta::ObjectRef<Database>& db_object_ref) {
  // tracker = DataTracker.remote()
  const auto tracker = manta::actor<DataTracker>().remote();

  // object_references = [
  //     retrieve_tracker_task.remote(item, tracker, db_object_ref) for item in range(8)
  // ]
  // data = ray.get(object_references)
  std::vector<manta::ObjectRef<Item>> object_references;
  for (int item = 0; item < 8; ++item) {
    object_references.push_back(
        manta::task(retrieve_tracker_task).remote(item, tracker, db_object_ref));
  }
  const std::vector<Item> data = manta::get(object_references);

  // print(data)
  // print(ray.get(tracker.counts.remote()))
  //
  // Each task queued its increment before it returned, so by now all eight are queued ahead of
  // this counts call, and the actor runs its calls in order: it prints 8.
  std::cout << repr(data) << "\n";
  std::cout << manta::get(tracker.call(&DataTracker::counts).remote()) << "\n";
}

int main(int argc, char** argv) {
  // import ray
  // ray.init()
  return manta::run(argc, argv, [] {
    sequential_run();
    parallel_run();

    // db_object_ref = ray.put(database)
    const manta::ObjectRef<Database> db_object_ref = manta::put(database);
    wait_loop(db_object_ref);
    task_dependencies(db_object_ref);
    actors(db_object_ref);
  });
}
