// core::status_document: the ranks' answers of one round as the status document (schema in
// status/status_text.hpp). A rank that did not answer is listed as silent, the functions are
// summed over the ranks, and the running tasks and actors, which grow with the job, are listed
// at most status_listed each, with their full counts.
#include "core/status_publisher.hpp"
#include "status/status_text.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace {

using manta::ActorState;
using manta::FunctionSummary;
using manta::RunningTask;
using manta::core::RankState;
using manta::core::status_document;
using manta::core::StatusJob;
using manta::status::status_listed;
using json = nlohmann::json;

RankState rank_state(int rank, std::uint64_t queued = 0, std::uint64_t running = 0) {
  RankState state;
  state.summary.rank = rank;
  state.summary.hostname = "node-" + std::to_string(rank);
  state.summary.queued = queued;
  state.summary.running = running;
  return state;
}

RunningTask running_task(int rank, std::string name, double seconds) {
  return {.rank = rank,
          .thread = "worker 1",
          .name = std::move(name),
          .actor_call = false,
          .running_seconds = seconds,
          .depth = 0};
}

StatusJob job_of(int ranks) {
  return {.id = "4242.0",
          .ranks = ranks,
          .nodes = 2,
          .started = 1'700'000'000.5,
          .interval = std::chrono::milliseconds(2500)};
}

TEST(StatusDocument, TheJobFieldsAreThoseGivenInStateRunning) {
  const auto document =
      status_document(job_of(3), {rank_state(0), rank_state(1), rank_state(2)}, 1'700'000'060.25);
  EXPECT_EQ(document.at("format"), "manta-status");
  EXPECT_EQ(document.at("version"), manta::status::status_version);
  const auto& job = document.at("job");
  EXPECT_EQ(job.at("id"), "4242.0");
  EXPECT_EQ(job.at("ranks"), 3);
  EXPECT_EQ(job.at("nodes"), 2);
  EXPECT_DOUBLE_EQ(job.at("started").get<double>(), 1'700'000'000.5);
  EXPECT_DOUBLE_EQ(job.at("updated").get<double>(), 1'700'000'060.25);
  EXPECT_DOUBLE_EQ(job.at("interval_seconds").get<double>(), 2.5);
  EXPECT_EQ(job.at("state"), "running");
  EXPECT_EQ(job.at("error"), "");
  EXPECT_EQ(job.at("page"), "");
  EXPECT_TRUE(document.at("silent_ranks").empty());
  EXPECT_EQ(document.at("running_total"), 0);
  EXPECT_EQ(document.at("actors_total"), 0);
}

TEST(StatusDocument, RanksWithoutAnAnswerAreSilentAndNotListed) {
  const auto document = status_document(
      job_of(4), {rank_state(0, 5, 1), std::nullopt, rank_state(2, 0, 3), std::nullopt}, 10);
  EXPECT_EQ(document.at("silent_ranks"), json::array({1, 3}));
  const auto& ranks = document.at("ranks");
  ASSERT_EQ(ranks.size(), 2U);
  EXPECT_EQ(ranks[0].at("rank"), 0);
  EXPECT_EQ(ranks[0].at("host"), "node-0");
  EXPECT_EQ(ranks[0].at("queued"), 5);
  EXPECT_EQ(ranks[0].at("running"), 1);
  EXPECT_EQ(ranks[1].at("rank"), 2);
  EXPECT_EQ(ranks[1].at("host"), "node-2");
  EXPECT_EQ(ranks[1].at("running"), 3);
}

TEST(StatusDocument, BeforeTheFirstRoundEveryRankIsSilent) {
  // What StatusPublisher publishes when it starts: no rank has answered yet.
  const auto document = status_document(job_of(3), std::vector<std::optional<RankState>>(3), 10);
  EXPECT_EQ(document.at("silent_ranks"), json::array({0, 1, 2}));
  EXPECT_TRUE(document.at("ranks").empty());
  EXPECT_TRUE(document.at("functions").empty());
}

TEST(StatusDocument, AFunctionRunOnTwoRanksIsSummedOnce) {
  auto zero = rank_state(0);
  zero.functions.push_back({.name = "simulate",
                            .running = 1,
                            .finished = 2,
                            .failed = 0,
                            .retried = 1,
                            .total_seconds = 3.0,
                            .max_seconds = 2.0});
  zero.functions.push_back({.name = "Learner.update", .actor_method = true, .finished = 1});
  auto one = rank_state(1);
  one.functions.push_back({.name = "simulate",
                           .running = 0,
                           .finished = 3,
                           .failed = 1,
                           .retried = 0,
                           .total_seconds = 4.5,
                           .max_seconds = 1.5});
  const auto document = status_document(job_of(2), {zero, one}, 10);
  const auto& functions = document.at("functions");
  ASSERT_EQ(functions.size(), 2U);
  // Most run first: simulate (8 runs) before Learner.update (1).
  const auto& simulate = functions[0];
  EXPECT_EQ(simulate.at("name"), "simulate");
  EXPECT_EQ(simulate.at("actor_method"), false);
  EXPECT_EQ(simulate.at("running"), 1);
  EXPECT_EQ(simulate.at("finished"), 5);
  EXPECT_EQ(simulate.at("failed"), 1);
  EXPECT_EQ(simulate.at("retried"), 1);
  EXPECT_DOUBLE_EQ(simulate.at("total_seconds").get<double>(), 7.5);
  EXPECT_DOUBLE_EQ(simulate.at("max_seconds").get<double>(), 2.0);  // the max of the maxima
  EXPECT_EQ(functions[1].at("name"), "Learner.update");
  EXPECT_EQ(functions[1].at("actor_method"), true);
}

TEST(StatusDocument, RunningTasksOfAllRanksAreListedLongestFirstUpToTheLimit) {
  // More running tasks than are listed, spread over two ranks, neither rank's list sorted.
  auto zero = rank_state(0);
  auto one = rank_state(1);
  const std::size_t count = status_listed + 20;
  for (std::size_t i = 0; i < count; ++i) {
    auto& rank = i % 2 == 0 ? zero : one;
    rank.running.push_back(running_task(rank.summary.rank, "task" + std::to_string(i),
                                        static_cast<double>((i * 37) % count)));
  }
  one.running.push_back({.rank = 1,
                         .thread = "worker 2",
                         .name = "Learner.update",
                         .actor_call = true,
                         .running_seconds = 1e6,
                         .depth = 1});
  const auto document = status_document(job_of(2), {zero, one}, 10);
  EXPECT_EQ(document.at("running_total"), count + 1);
  const auto& running = document.at("running");
  ASSERT_EQ(running.size(), status_listed);
  const auto& longest = running[0];
  EXPECT_EQ(longest.at("name"), "Learner.update");
  EXPECT_EQ(longest.at("rank"), 1);
  EXPECT_EQ(longest.at("thread"), "worker 2");
  EXPECT_EQ(longest.at("actor_call"), true);
  EXPECT_EQ(longest.at("depth"), 1);
  EXPECT_DOUBLE_EQ(longest.at("seconds").get<double>(), 1e6);
  for (std::size_t i = 1; i < running.size(); ++i) {
    EXPECT_GE(running[i - 1].at("seconds").get<double>(), running[i].at("seconds").get<double>())
        << "row " << i;
  }
  // The ones left out are the shortest: seconds 0 to 20 of the 120 tasks (0..119 s each).
  EXPECT_DOUBLE_EQ(running.back().at("seconds").get<double>(),
                   static_cast<double>(count - status_listed + 1));
}

TEST(StatusDocument, ActorsAreListedUpToTheLimitAndCounted) {
  auto zero = rank_state(0);
  auto one = rank_state(1);
  const std::size_t count = status_listed + 5;
  for (std::size_t i = 0; i < count; ++i) {
    auto& rank = i < count / 2 ? zero : one;
    rank.actors.push_back({.rank = rank.summary.rank,
                           .class_name = "Worker",
                           .name = i == 0 ? "leader" : "",
                           .phase = ActorState::Phase::alive,
                           .restarts = i == 0 ? 2 : 0,
                           .calls_waiting = 3,
                           .calls_finished = i});
  }
  const auto document = status_document(job_of(2), {zero, one}, 10);
  EXPECT_EQ(document.at("actors_total"), count);
  const auto& actors = document.at("actors");
  ASSERT_EQ(actors.size(), status_listed);
  const auto& first = actors[0];
  EXPECT_EQ(first.at("rank"), 0);
  EXPECT_EQ(first.at("class"), "Worker");
  EXPECT_EQ(first.at("name"), "leader");
  EXPECT_EQ(first.at("phase"), "alive");
  EXPECT_EQ(first.at("restarts"), 2);
  EXPECT_EQ(first.at("calls_waiting"), 3);
  EXPECT_EQ(first.at("calls_finished"), 0);
  // By rank: rank 1's actors follow rank 0's.
  EXPECT_EQ(actors.back().at("rank"), 1);
}

TEST(StatusDocument, TheDocumentIsReadableByStatusText) {
  // The writer and the reader of the schema agree: the table of a full document renders.
  auto zero = rank_state(0, 1, 1);
  zero.running.push_back(running_task(0, "simulate", 2.0));
  zero.functions.push_back({.name = "simulate", .running = 1});
  zero.actors.push_back(
      {.rank = 0, .class_name = "Learner", .name = "", .phase = ActorState::Phase::dead});
  const auto document = status_document(job_of(2), {zero, std::nullopt}, 1'700'000'010.5);
  const auto text = manta::status::status_text(document, 1'700'000'011.5);
  EXPECT_NE(text.find("Manta job 4242.0: running, 2 ranks on 2 nodes"), std::string::npos) << text;
  EXPECT_NE(text.find("did not answer: rank 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Learner"), std::string::npos) << text;
}

}  // namespace
