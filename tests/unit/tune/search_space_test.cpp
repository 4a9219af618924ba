// Search spaces: the grid's cross product times num_samples, draws inside each domain's bounds,
// the same configs for the same seed, and bad domains refused with the problem named.
#include <manta/tune.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace {

namespace tune = manta::tune;
using ::testing::HasSubstr;

std::vector<tune::Value> five_points() { return {-1.0, -0.5, 0.0, 0.5, 1.0}; }

/// `draws` values of one domain, from a space holding only it.
std::vector<tune::Value> draw(const tune::Domain& domain, int draws) {
  std::vector<tune::Value> values;
  for (const auto& config : tune::generate_configs({{"p", domain}}, draws, 42)) {
    values.push_back(config.at("p"));
  }
  return values;
}

TEST(SearchSpace, GridsAreCrossedLastFastest) {
  const auto configs = tune::generate_configs(
      {{"x", tune::grid(five_points())}, {"y", tune::grid(five_points())}}, 1, 0);
  ASSERT_EQ(configs.size(), 25u);
  EXPECT_EQ(configs[0], (tune::Config{{"x", -1.0}, {"y", -1.0}}));
  EXPECT_EQ(configs[1], (tune::Config{{"x", -1.0}, {"y", -0.5}}));
  EXPECT_EQ(configs[5], (tune::Config{{"x", -0.5}, {"y", -1.0}}));
  EXPECT_EQ(configs[12], (tune::Config{{"x", 0.0}, {"y", 0.0}}));
  std::set<std::string> distinct;
  for (const auto& config : configs) distinct.insert(to_string(config));
  EXPECT_EQ(distinct.size(), 25u);
}

TEST(SearchSpace, EachSampleCoversTheGridWithFreshDraws) {
  const tune::SearchSpace space{{"layers", tune::grid({std::int64_t{1}, std::int64_t{2}})},
                                {"lr", tune::loguniform(1e-4, 1e-1)}};
  const auto configs = tune::generate_configs(space, 3, 7);
  ASSERT_EQ(configs.size(), 6u);
  std::set<double> rates;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    EXPECT_EQ(configs[i].get<std::int64_t>("layers"), std::int64_t(i % 2) + 1);
    rates.insert(configs[i].get<double>("lr"));
  }
  EXPECT_EQ(rates.size(), 6u);
}

TEST(SearchSpace, SameSeedSameConfigsOtherSeedOthers) {
  const tune::SearchSpace space{{"a", tune::uniform(0, 1)},
                                {"b", tune::randint(0, 1000000)},
                                {"c", tune::choice({"sgd", "adam", "rmsprop"})}};
  EXPECT_EQ(tune::generate_configs(space, 20, 3), tune::generate_configs(space, 20, 3));
  EXPECT_NE(tune::generate_configs(space, 20, 3), tune::generate_configs(space, 20, 4));
}

TEST(SearchSpace, DrawsStayInTheirDomains) {
  for (const auto& value : draw(tune::uniform(-2, 3), 500)) {
    EXPECT_GE(std::get<double>(value), -2);
    EXPECT_LT(std::get<double>(value), 3);
  }
  int below_one_percent = 0;
  for (const auto& value : draw(tune::loguniform(1e-4, 1), 1000)) {
    const double x = std::get<double>(value);
    EXPECT_GE(x, 1e-4);
    EXPECT_LT(x, 1);
    below_one_percent += x < 1e-2;
  }
  // Half the decades lie below 1e-2: about half the draws, where uniform() would give 1%.
  EXPECT_GT(below_one_percent, 400);
  EXPECT_LT(below_one_percent, 600);
  std::set<std::int64_t> integers;
  for (const auto& value : draw(tune::randint(3, 7), 500))
    integers.insert(std::get<std::int64_t>(value));
  EXPECT_EQ(integers, (std::set<std::int64_t>{3, 4, 5, 6}));
  for (const auto& value : draw(tune::quniform(0, 1, 0.25), 200)) {
    const double steps = std::get<double>(value) / 0.25;
    EXPECT_DOUBLE_EQ(steps, std::round(steps));
  }
  std::set<std::string> choices;
  for (const auto& value : draw(tune::choice({"a", "b", "c"}), 200))
    choices.insert(std::get<std::string>(value));
  EXPECT_EQ(choices, (std::set<std::string>{"a", "b", "c"}));
}

TEST(SearchSpace, AnEmptySpaceGivesEmptyConfigs) {
  EXPECT_EQ(tune::generate_configs({}, 2, 0), (std::vector<tune::Config>{{}, {}}));
}

/// The message of the InvalidOptionError `make` throws, or "" when it throws none.
template <class Make>
std::string refusal(Make make) {
  try {
    make();
  } catch (const manta::InvalidOptionError& error) {
    return error.what();
  }
  return "";
}

TEST(SearchSpace, BadDomainsAreRefusedNamingTheProblem) {
  EXPECT_THAT(refusal([] { tune::grid({}); }), HasSubstr("grid(): needs at least one value"));
  EXPECT_THAT(refusal([] { tune::choice({}); }), HasSubstr("choice(): needs at least one value"));
  EXPECT_THAT(refusal([] { tune::uniform(1, 1); }),
              HasSubstr("uniform(1, 1): needs finite bounds with low < high"));
  EXPECT_THAT(refusal([] { tune::uniform(0, INFINITY); }), HasSubstr("needs finite bounds"));
  EXPECT_THAT(refusal([] { tune::loguniform(0, 1); }),
              HasSubstr("loguniform(0, 1): needs low > 0"));
  EXPECT_THAT(refusal([] { tune::loguniform(-1, 1); }), HasSubstr("needs low > 0"));
  EXPECT_THAT(refusal([] { tune::randint(5, 5); }), HasSubstr("randint(5, 5): needs low < high"));
  EXPECT_THAT(refusal([] { tune::quniform(0, 1, 0); }),
              HasSubstr("quniform(0, 1, 0): needs a step q > 0"));
  EXPECT_THAT(refusal([] { tune::generate_configs({}, 0, 0); }),
              HasSubstr("num_samples is 0: needs >= 1"));
}

TEST(SearchSpace, DomainsDescribeThemselvesAsWritten) {
  EXPECT_EQ(tune::loguniform(0.0001, 0.1).describe(),
            "loguniform(1e-04, 0.1)");  // to_chars: shortest
  EXPECT_EQ(tune::grid({std::int64_t{1}, "a", true}).describe(), "grid({1, a, true})");
  EXPECT_EQ(tune::randint(0, 10).describe(), "randint(0, 10)");
}

}  // namespace
