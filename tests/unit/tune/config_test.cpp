// Config: typed reads, the int64-as-double widening, errors that name the parameter, text.
#include <manta/tune.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

namespace tune = manta::tune;
using ::testing::HasSubstr;

TEST(Config, ReadsEachTypeItHolds) {
  const tune::Config config{
      {"lr", 0.01}, {"layers", std::int64_t{3}}, {"act", "relu"}, {"bias", true}};
  EXPECT_EQ(config.get<double>("lr"), 0.01);
  EXPECT_EQ(config.get<std::int64_t>("layers"), 3);
  EXPECT_EQ(config.get<std::string>("act"), "relu");
  EXPECT_TRUE(config.get<bool>("bias"));
  EXPECT_TRUE(config.contains("lr"));
  EXPECT_FALSE(config.contains("momentum"));
}

TEST(Config, ReadsAnIntegerAsADouble) {
  const tune::Config config{{"x", std::int64_t{-1}}};
  EXPECT_EQ(config.get<double>("x"), -1.0);
}

TEST(Config, UnknownParameterNamesItAndThoseThereAre) {
  const tune::Config config{{"x", 0.5}, {"y", 1.5}};
  try {
    config.get<double>("z");
    FAIL() << "no error";
  } catch (const manta::InvalidOptionError& error) {
    EXPECT_THAT(error.what(), HasSubstr("no parameter 'z' (it has: x, y)"));
  }
}

TEST(Config, WrongTypeSaysWhatItHolds) {
  const tune::Config config{{"act", "relu"}};
  try {
    config.get<double>("act");
    FAIL() << "no error";
  } catch (const manta::TypeMismatchError& error) {
    EXPECT_THAT(error.what(), HasSubstr("'act' is read as double but holds the string relu"));
  }
  EXPECT_THROW(tune::Config({{"x", 0.5}}).get<std::int64_t>("x"), manta::TypeMismatchError);
}

TEST(Config, TextIsShortestAndOrderedByName) {
  tune::Config config{{"y", 0.1}, {"x", std::int64_t{0}}};
  config.set("flag", false);
  EXPECT_EQ(to_string(config), "{flag: false, x: 0, y: 0.1}");
  EXPECT_EQ(tune::to_string(tune::Value{-0.5}), "-0.5");
  EXPECT_EQ(to_string(tune::Config{}), "{}");
}

TEST(Config, EqualityComparesTypesAndValues) {
  EXPECT_EQ((tune::Config{{"x", 1.0}}), (tune::Config{{"x", 1.0}}));
  EXPECT_NE((tune::Config{{"x", 1.0}}), (tune::Config{{"x", std::int64_t{1}}}));
}

}  // namespace
