// map: a parallel map over tasks, results in input order.
#include "test_support.hpp"

#include <list>
#include <ranges>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace manta_test;

int map_square(int x) { return x * x; }
MANTA_REMOTE(map_square);

std::string map_label(const std::string& word) { return "<" + word + ">"; }
MANTA_REMOTE(map_label);

int map_reject_negative(int x) {
  if (x < 0) throw std::invalid_argument("negative input " + std::to_string(x));
  return x;
}
MANTA_REMOTE(map_reject_negative);

class Map : public ::testing::TestWithParam<double> {
 protected:
  manta::Runtime runtime_{runtime_options(GetParam())};
};

TEST_P(Map, Squares) {
  EXPECT_EQ(manta::map(map_square, std::vector{0, 1, 2, 3}), (std::vector<int>{0, 1, 4, 9}));
}

TEST_P(Map, EmptyInput) { EXPECT_TRUE(manta::map(map_square, std::vector<int>{}).empty()); }

TEST_P(Map, KeepsInputOrder) {
  const auto squares = manta::map(map_square, std::views::iota(0, 500));
  ASSERT_EQ(squares.size(), 500U);
  for (int i = 0; i < 500; ++i) ASSERT_EQ(squares[i], i * i);
}

TEST_P(Map, AnyInputRange) {
  const std::list<std::string> words{"a", "bc", "def"};
  EXPECT_EQ(manta::map(map_label, words), (std::vector<std::string>{"<a>", "<bc>", "<def>"}));
}

TEST_P(Map, ErrorPropagatesAsTaskError) {
  try {
    manta::map(map_reject_negative, std::vector{1, -2, 3});
    FAIL() << "map over a failing input returned";
  } catch (const manta::TaskError& error) {
    EXPECT_EQ(error.task_name(), "map_reject_negative");
    EXPECT_EQ(error.exception_type(), "std::invalid_argument");
    EXPECT_EQ(error.message(), "negative input -2");
  }
}

TEST_P(Map, OptionsApplyToEveryTask) {
  try {
    manta::map(map_reject_negative, std::vector{-1}, {.num_cpus = 0.5, .name = "checked"});
    FAIL() << "map over a failing input returned";
  } catch (const manta::TaskError& error) {
    EXPECT_EQ(error.task_name(), "checked");
  }
  EXPECT_THROW(manta::map(map_square, std::vector{1}, {.num_cpus = GetParam() + 1}),
               manta::InfeasibleError);
}

INSTANTIATE_TEST_SUITE_P(, Map, ::testing::Values(1.0, 2.0, 4.0), cpus_name);

}  // namespace
