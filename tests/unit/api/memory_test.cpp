// Memory: objects, tasks and actor calls are freed once nothing refers to them, so long runs
// stay flat.
#include "test_support.hpp"

#include <vector>

namespace {

using namespace manta_test;

int memory_add_one(int x) { return x + 1; }
MANTA_REMOTE(memory_add_one);

class MemoryCounter {
 public:
  int add(int x) {
    total_ += x;
    return total_;
  }

 private:
  int total_ = 0;
};
MANTA_ACTOR(MemoryCounter, add);

constexpr std::size_t mib = std::size_t{1} << 20;

/// Resident memory after the last round is within 16 MiB of what it was after the first.
void expect_flat(std::size_t after_first, std::size_t after_last) {
  if (!resident_memory_is_meaningful) return;
  EXPECT_LT(after_last, after_first + 16 * mib)
      << "RSS grew from " << after_first / mib << " MiB to " << after_last / mib << " MiB";
}

TEST(Memory, ManySmallTasksAreFreed) {
  manta::Runtime runtime(runtime_options(2));
  std::size_t after_first = 0;
  for (int batch = 0; batch < 100; ++batch) {
    std::vector<manta::ObjectRef<int>> refs;
    refs.reserve(1000);
    for (int i = 0; i < 1000; ++i) {
      refs.push_back(i % 2 == 0 ? manta::task(memory_add_one).remote(i)
                                : manta::task(memory_add_one).remote(manta::put(i)));
    }
    const auto values = manta::get(refs);
    ASSERT_EQ(values[999], 1000);
    if (batch == 0) after_first = resident_bytes();
  }
  expect_flat(after_first, resident_bytes());
}

TEST(Memory, ManyActorCallsAreFreed) {
  manta::Runtime runtime(runtime_options(2));
  const auto counter = manta::actor<MemoryCounter>().remote();
  std::size_t after_first = 0;
  int expected = 0;
  for (int batch = 0; batch < 50; ++batch) {
    std::vector<manta::ObjectRef<int>> refs;
    for (int i = 0; i < 1000; ++i) refs.push_back(counter.call(&MemoryCounter::add).remote(1));
    expected += 1000;
    ASSERT_EQ(manta::get(refs.back()), expected);
    if (batch == 0) after_first = resident_bytes();
  }
  expect_flat(after_first, resident_bytes());
}

TEST(Memory, LargePutFreeLoopReusesTheStore) {
  // A 16 MiB store: 100 puts of 1 MiB only fit if each is freed before the next.
  manta::Runtime runtime({.num_cpus = 1, .object_store_memory = 16 * mib});
  std::size_t after_first = 0;
  const double* first_address = nullptr;
  for (int i = 0; i < 100; ++i) {
    const auto ref = manta::put(std::vector<double>(mib / sizeof(double), i));
    const auto view = manta::get_view(ref);
    ASSERT_EQ(view.size(), mib / sizeof(double));
    ASSERT_EQ(view.front(), i);
    ASSERT_EQ(view.back(), i);
    if (i == 0) {
      after_first = resident_bytes();
      first_address = view.data();
    }
    EXPECT_EQ(view.data(), first_address) << "iteration " << i << " did not reuse the block";
  }
  expect_flat(after_first, resident_bytes());
}

TEST(Memory, ObjectsBeyondAFullStoreSpillAndReadBack) {
  manta::Runtime runtime({.num_cpus = 1, .object_store_memory = 4 * mib});
  std::vector<manta::ObjectRef<std::vector<double>>> refs;
  for (int i = 0; i < 8; ++i) refs.push_back(manta::put(std::vector<double>(mib / 8, i)));
  for (int i = 0; i < 8; ++i) {
    const auto view = manta::get_view(refs[i]);
    ASSERT_EQ(view.size(), mib / 8);
    EXPECT_EQ(view[12345], i);
  }
}

}  // namespace
