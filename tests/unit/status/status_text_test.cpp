// status::status_text: the status document as the tables `manta status` prints and the status
// page serves. The documents come from core::status_document, so they follow the schema rank 0
// writes; a test changes the fields it is about.
#include "status/status_text.hpp"

#include "core/status_publisher.hpp"

#include <manta/error.hpp>

#include <nlohmann/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

using manta::ActorState;
using manta::RunningTask;
using manta::core::RankState;
using manta::core::StatusJob;
using manta::status::status_text;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

constexpr double started = 1'700'000'000;
constexpr double updated = started + 10;

RankState rank_state(int rank, std::string host, std::uint64_t queued = 0,
                     std::uint64_t running = 0, std::uint64_t actors = 0) {
  RankState state;
  state.summary = {.rank = rank,
                   .hostname = std::move(host),
                   .queued = queued,
                   .running = running,
                   .actors = actors};
  return state;
}

StatusJob job_of(int ranks, int nodes = 1) {
  return {.id = "4242.0",
          .ranks = ranks,
          .nodes = nodes,
          .started = started,
          .interval = std::chrono::seconds(2)};
}

json document_of(const std::vector<std::optional<RankState>>& ranks, int nodes = 1) {
  return manta::core::status_document(job_of(static_cast<int>(ranks.size()), nodes), ranks,
                                      updated);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> found;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) found.push_back(line);
  return found;
}

/// The first line holding `needle`, or "" when none does.
std::string line_with(const std::string& text, const std::string& needle) {
  for (const auto& line : lines(text)) {
    if (line.find(needle) != std::string::npos) return line;
  }
  return "";
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> found;
  std::istringstream in(line);
  for (std::string word; in >> word;) found.push_back(word);
  return found;
}

/// The row of the ranks table for the rank on `host` (hosts are unique in these tests): its
/// rank, queued, running, actors and host, the columns between actors and host left out.
std::vector<std::string> rank_row(const std::string& text, const std::string& host) {
  for (const auto& line : lines(text)) {
    const auto row = words(line);
    if (row.size() >= 5 && row.back() == host) {
      return {row[0], row[1], row[2], row[3], row.back()};
    }
  }
  return {};
}

std::string text_error(const json& document) {
  try {
    status_text(document, updated + 1);
  } catch (const manta::Error& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(StatusText, TheHeaderNamesTheJobItsStateRanksAndNodes) {
  const auto text = status_text(
      document_of({rank_state(0, "node-a"), rank_state(1, "node-a"), rank_state(2, "node-b")}, 2),
      updated + 1);
  EXPECT_EQ(lines(text).at(0),
            "Manta job 4242.0: running, 3 ranks on 2 nodes, up 10.0 s, updated 1.0 s ago");
}

TEST(StatusText, OneRankOnOneNodeIsSingularAndAJobWithoutAnIdIsUnnamed) {
  auto document = document_of({rank_state(0, "node-a")});
  document["job"]["id"] = "";
  EXPECT_EQ(lines(status_text(document, updated + 1)).at(0),
            "Manta job: running, 1 rank on 1 node, up 10.0 s, updated 1.0 s ago");
}

TEST(StatusText, EveryRankHasARowWithItsHostAndTheTotalsAreSummed) {
  const auto text =
      status_text(document_of({rank_state(0, "node-a", 4, 2, 1), rank_state(1, "node-b", 0, 3, 2)}),
                  updated + 1);
  EXPECT_THAT(text, HasSubstr("\nRanks: 4 queued, 5 running, 3 actors"));
  EXPECT_EQ(rank_row(text, "node-a"), (std::vector<std::string>{"0", "4", "2", "1", "node-a"}));
  EXPECT_EQ(rank_row(text, "node-b"), (std::vector<std::string>{"1", "0", "3", "2", "node-b"}));
  EXPECT_THAT(text, Not(HasSubstr("did not answer")));
}

// Store use and spills are what a node running out of memory shows first: per rank, and summed.
TEST(StatusText, StoreUseAndSpillsArePerRankAndSummed) {
  constexpr std::uint64_t mib = std::uint64_t{1} << 20;
  auto full = rank_state(0, "node-a");
  full.summary.store_used_bytes = 1024 * mib;
  full.summary.store_capacity_bytes = 1024 * mib;
  full.summary.spilled_objects = 3;
  full.summary.spilled_bytes = 3072 * mib;
  auto light = rank_state(1, "node-b");
  light.summary.store_used_bytes = 64 * mib;
  light.summary.store_capacity_bytes = 1024 * mib;
  const auto text = status_text(document_of({full, light}), updated + 1);
  EXPECT_THAT(text, HasSubstr("object stores 1.062 GiB of 2 GiB used, 3 objects spilled (3 GiB)"));
  EXPECT_THAT(line_with(text, "node-a"), HasSubstr("  1 GiB        3 GiB  node-a"));
  EXPECT_THAT(line_with(text, "node-b"), HasSubstr(" 64 MiB      0 bytes  node-b"));
}

TEST(StatusText, RanksThatDidNotAnswerAreNamed) {
  const auto text = status_text(
      document_of({rank_state(0, "node-a"), std::nullopt, rank_state(2, "node-c"), std::nullopt}),
      updated + 1);
  EXPECT_THAT(line_with(text, "Ranks:"), HasSubstr("; did not answer: ranks 1, 3"));
  EXPECT_FALSE(rank_row(text, "node-c").empty());
  const auto one = status_text(document_of({rank_state(0, "node-a"), std::nullopt}), updated + 1);
  EXPECT_THAT(line_with(one, "Ranks:"), HasSubstr("; did not answer: rank 1"));
}

TEST(StatusText, RunningTasksAreListedLongestFirstWithActorCallsMarked) {
  auto zero = rank_state(0, "node-a", 0, 2);
  zero.running.push_back({.rank = 0, .thread = "w1", .name = "short_task", .running_seconds = 2});
  auto one = rank_state(1, "node-b", 0, 1);
  one.running.push_back({.rank = 1,
                         .thread = "w2",
                         .name = "Learner.update",
                         .actor_call = true,
                         .running_seconds = 185,
                         .depth = 1});
  const auto text = status_text(document_of({zero, one}), updated + 1);
  EXPECT_THAT(text, HasSubstr("\nRunning, longest first (2 of 2):\n"));
  const auto longest = text.find("Learner.update (actor call)");
  const auto shorter = text.find("short_task");
  ASSERT_NE(longest, std::string::npos) << text;
  ASSERT_NE(shorter, std::string::npos) << text;
  EXPECT_LT(longest, shorter) << text;
  EXPECT_EQ(words(line_with(text, "Learner.update")),
            (std::vector<std::string>{"1", "w2", "3", "min", "05", "s", "1", "Learner.update",
                                      "(actor", "call)"}));
  EXPECT_THAT(line_with(text, "short_task"), Not(HasSubstr("actor call")));
}

TEST(StatusText, NothingRunningIsSaid) {
  const auto text = status_text(document_of({rank_state(0, "node-a")}), updated + 1);
  EXPECT_THAT(text, HasSubstr("\nRunning: nothing\n"));
  // No function ran and no actor lives: their tables are left out.
  EXPECT_THAT(text, Not(HasSubstr("Functions and actor methods")));
  EXPECT_THAT(text, Not(HasSubstr("Actors (")));
}

TEST(StatusText, ARunningListShorterThanTheTotalSaysSo) {
  auto document = document_of({rank_state(0, "node-a")});
  document["running"] = json::array({{{"rank", 0},
                                      {"thread", "w1"},
                                      {"name", "simulate"},
                                      {"actor_call", false},
                                      {"seconds", 1.5},
                                      {"depth", 0}}});
  document["running_total"] = 250;
  EXPECT_THAT(status_text(document, updated + 1),
              HasSubstr("\nRunning, longest first (1 of 250):\n"));
}

TEST(StatusText, FunctionsShowTheMeanAndMaximumOfTheRunsThatEnded) {
  auto zero = rank_state(0, "node-a");
  // 3 finished runs totalling 3 s: a mean of 1 s.
  zero.functions.push_back(
      {.name = "simulate", .finished = 3, .total_seconds = 3.0, .max_seconds = 1.6});
  // Runs that failed or were retried ended too: 4 ms over 2 runs.
  zero.functions.push_back({.name = "Learner.update",
                            .actor_method = true,
                            .finished = 0,
                            .failed = 1,
                            .retried = 1,
                            .total_seconds = 0.004,
                            .max_seconds = 0.003});
  zero.functions.push_back(
      {.name = "tiny", .finished = 1, .total_seconds = 87e-6, .max_seconds = 87e-6});
  // Running, none ended: no mean yet.
  zero.functions.push_back({.name = "long_haul", .running = 1});
  const auto text = status_text(document_of({zero}), updated + 1);
  EXPECT_THAT(text, HasSubstr("\nFunctions and actor methods:\n"));
  EXPECT_EQ(words(line_with(text, "simulate")),
            (std::vector<std::string>{"0", "3", "0", "0", "1.0", "s", "1.6", "s", "simulate"}));
  EXPECT_EQ(
      words(line_with(text, "Learner.update")),
      (std::vector<std::string>{"0", "0", "1", "1", "2.0", "ms", "3.0", "ms", "Learner.update"}));
  EXPECT_EQ(words(line_with(text, "tiny")),
            (std::vector<std::string>{"0", "1", "0", "0", "87", "µs", "87", "µs", "tiny"}));
  EXPECT_EQ(words(line_with(text, "long_haul")),
            (std::vector<std::string>{"1", "0", "0", "0", "-", "-", "long_haul"}));
}

TEST(StatusText, LongDurationsAreInMinutesAndHours) {
  auto document = document_of({rank_state(0, "node-a")});
  document["job"]["updated"] = started + 3720;  // 1 h 2 min
  EXPECT_THAT(lines(status_text(document, started + 3720 + 0.0042)).at(0),
              HasSubstr("up 1 h 02 min, updated 4.2 ms ago"));
}

TEST(StatusText, ActorsAreListedWithTheirPhaseAndName) {
  auto zero = rank_state(0, "node-a", 0, 0, 2);
  zero.actors.push_back({.rank = 0,
                         .class_name = "Learner",
                         .name = "learner",
                         .phase = ActorState::Phase::restarting,
                         .restarts = 2,
                         .calls_waiting = 5,
                         .calls_finished = 40});
  zero.actors.push_back(
      {.rank = 0, .class_name = "Buffer", .name = "", .phase = ActorState::Phase::alive});
  const auto text = status_text(document_of({zero}), updated + 1);
  EXPECT_THAT(text, HasSubstr("\nActors (2 of 2):\n"));
  EXPECT_EQ(
      words(line_with(text, "Learner")),
      (std::vector<std::string>{"0", "restarting", "2", "5", "40", "Learner", "(\"learner\")"}));
  EXPECT_EQ(words(line_with(text, "Buffer")),
            (std::vector<std::string>{"0", "alive", "0", "0", "0", "Buffer"}));
}

TEST(StatusText, ARunningJobNotUpdatedForThreeIntervalsIsWarnedOf) {
  // Interval 2 s: a document more than 3 × 2 + 5 = 11 s old is overdue.
  const auto document = document_of({rank_state(0, "node-a")});
  const auto stale = status_text(document, updated + 12);
  EXPECT_THAT(line_with(stale, "warning:"),
              HasSubstr("warning: no update for 12.0 s (one is due every 2.0 s)"));
  EXPECT_THAT(stale, HasSubstr("squeue, sacct"));
  EXPECT_THAT(status_text(document, updated + 1), Not(HasSubstr("warning")));
  EXPECT_THAT(status_text(document, updated + 10.5), Not(HasSubstr("warning")));
}

TEST(StatusText, AnEndedJobIsNotWarnedOfHoweverOld) {
  auto document = document_of({rank_state(0, "node-a")});
  document["job"]["state"] = "finished";
  const auto text = status_text(document, updated + 86400);
  EXPECT_THAT(lines(text).at(0), HasSubstr("Manta job 4242.0: finished,"));
  EXPECT_THAT(text, Not(HasSubstr("warning")));
}

TEST(StatusText, AFailedJobSaysWhy) {
  auto document = document_of({rank_state(0, "node-a")});
  document["job"]["state"] = "failed";
  document["job"]["error"] = "task 'simulate' failed on rank 0: boom";
  const auto text = status_text(document, updated + 1);
  EXPECT_THAT(lines(text).at(0), HasSubstr(": failed,"));
  EXPECT_EQ(lines(text).at(1), "  error: task 'simulate' failed on rank 0: boom");
  // A running job has no error line.
  EXPECT_THAT(status_text(document_of({rank_state(0, "node-a")}), updated + 1),
              Not(HasSubstr("error:")));
}

TEST(StatusText, ThePageIsNamedWhenThereIsOne) {
  auto document = document_of({rank_state(0, "node-a")});
  EXPECT_THAT(status_text(document, updated + 1), Not(HasSubstr("status page")));
  document["job"]["page"] = "http://127.0.0.1:8265/";
  EXPECT_THAT(status_text(document, updated + 1),
              HasSubstr("\n  status page: http://127.0.0.1:8265/\n"));
}

TEST(StatusText, ALimitOnRankLinesKeepsTheBusiestRanksInRankOrder) {
  // Load (queued + running): rank 0: 1, 1: 9, 2: 0, 3: 5, 4: 7.
  const std::vector<std::optional<RankState>> ranks = {
      rank_state(0, "host0", 1, 0), rank_state(1, "host1", 4, 5), rank_state(2, "host2", 0, 0),
      rank_state(3, "host3", 2, 3), rank_state(4, "host4", 7, 0)};
  const auto text = status_text(document_of(ranks), updated + 1, 3);
  EXPECT_TRUE(rank_row(text, "host0").empty()) << text;
  EXPECT_TRUE(rank_row(text, "host2").empty()) << text;
  const auto one = text.find("host1");
  const auto three = text.find("host3");
  const auto four = text.find("host4");
  ASSERT_NE(one, std::string::npos) << text;
  ASSERT_NE(three, std::string::npos) << text;
  ASSERT_NE(four, std::string::npos) << text;
  EXPECT_LT(one, three);
  EXPECT_LT(three, four);
  EXPECT_THAT(text, HasSubstr("  (2 more ranks with less work; manta status --all lists them)\n"));
  // The totals still count every rank.
  EXPECT_THAT(text, HasSubstr("Ranks: 14 queued, 8 running"));

  const auto all = status_text(document_of(ranks), updated + 1, 0);
  for (int rank = 0; rank < 5; ++rank) {
    EXPECT_FALSE(rank_row(all, "host" + std::to_string(rank)).empty()) << all;
  }
  EXPECT_THAT(all, Not(HasSubstr("more ranks")));
  // A limit the job is within lists every rank too.
  EXPECT_THAT(status_text(document_of(ranks), updated + 1, 5), Not(HasSubstr("more ranks")));
}

TEST(StatusText, ByDefaultSixteenRanksAreListed) {
  std::vector<std::optional<RankState>> ranks;
  for (int rank = 0; rank < 20; ++rank)
    ranks.emplace_back(rank_state(rank, "host" + std::to_string(rank)));
  EXPECT_THAT(status_text(document_of(ranks), updated + 1), HasSubstr("(4 more ranks"));
}

TEST(StatusText, AnotherFormatIsRefused) {
  auto document = document_of({rank_state(0, "node-a")});
  document["format"] = "chrome-trace";
  EXPECT_EQ(text_error(document), "not a Manta status document: its format is 'chrome-trace'");
}

TEST(StatusText, AnotherVersionIsRefusedNamingBoth) {
  auto document = document_of({rank_state(0, "node-a")});
  document["version"] = 2;
  const auto error = text_error(document);
  EXPECT_THAT(error, HasSubstr("a Manta status document of version 2"));
  EXPECT_THAT(error, HasSubstr("this manta reads version 1"));
}

TEST(StatusText, AMissingKeyIsNamed) {
  auto document = document_of({rank_state(0, "node-a")});
  document["job"].erase("updated");
  const auto error = text_error(document);
  EXPECT_THAT(error, HasSubstr("not a Manta status document"));
  EXPECT_THAT(error, HasSubstr("'updated'"));
  auto no_format = document_of({rank_state(0, "node-a")});
  no_format.erase("format");
  EXPECT_THAT(text_error(no_format), HasSubstr("not a Manta status document"));
}

TEST(StatusText, AValueOfTheWrongTypeIsRefused) {
  auto document = document_of({rank_state(0, "node-a")});
  document["ranks"][0]["queued"] = "four";
  EXPECT_THAT(text_error(document), HasSubstr("not a Manta status document"));
  auto version = document_of({rank_state(0, "node-a")});
  version["version"] = "1";
  EXPECT_THAT(text_error(version), HasSubstr("not a Manta status document"));
}

TEST(StatusText, JsonThatIsNoObjectIsRefused) {
  // A Chrome trace (the timeline) is a JSON array; an empty file parses to nothing useful.
  EXPECT_THAT(text_error(json::array({1, 2})), HasSubstr("not a Manta status document"));
  EXPECT_THAT(text_error(json("manta-status")), HasSubstr("not a Manta status document"));
  EXPECT_THAT(text_error(json::object()), HasSubstr("not a Manta status document"));
}

}  // namespace
