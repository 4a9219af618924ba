#include "status/status_text.hpp"

#include "util/format_bytes.hpp"

#include <manta/error.hpp>

#include <nlohmann/json.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

namespace manta::status {
namespace {

using json = nlohmann::json;

/// "1 h 02 min", "3 min 05 s", "12.3 s", "4.1 ms", "87 µs".
std::string duration(double seconds) {
  if (!(seconds >= 0)) seconds = 0;
  if (seconds < 1e-3) return fmt::format("{:.0f} µs", seconds * 1e6);
  if (seconds < 1) return fmt::format("{:.1f} ms", seconds * 1e3);
  const auto whole = static_cast<std::int64_t>(seconds);
  if (whole >= 3600) return fmt::format("{} h {:02} min", whole / 3600, whole % 3600 / 60);
  if (whole >= 60) return fmt::format("{} min {:02} s", whole / 60, whole % 60);
  return fmt::format("{:.1f} s", seconds);
}

std::string plural(std::uint64_t count, const char* what) {
  return fmt::format("{} {}{}", count, what, count == 1 ? "" : "s");
}

void job_lines(const json& job, double now, std::string& out) {
  const double updated = job.at("updated").get<double>();
  const double interval = job.at("interval_seconds").get<double>();
  const auto state = job.at("state").get<std::string>();
  const auto id = job.at("id").get<std::string>();
  out +=
      fmt::format("Manta job{}: {}, {} on {}, up {}, updated {} ago\n", id.empty() ? "" : " " + id,
                  state, plural(job.at("ranks").get<std::uint64_t>(), "rank"),
                  plural(job.at("nodes").get<std::uint64_t>(), "node"),
                  duration(updated - job.at("started").get<double>()), duration(now - updated));
  if (const auto error = job.at("error").get<std::string>(); !error.empty()) {
    out += "  error: " + error + "\n";
  }
  // Three missed rounds: rank 0 is gone or stuck (killed, or out of time) without a last word.
  if (state == "running" && now - updated > 3 * interval + 5) {
    out += fmt::format(
        "  warning: no update for {} (one is due every {}): the job may have ended without a "
        "last status (killed, out of time); ask Slurm (squeue, sacct)\n",
        duration(now - updated), duration(interval));
  }
  if (const auto page = job.at("page").get<std::string>(); !page.empty()) {
    out += "  status page: " + page + "\n";
  }
}

void rank_lines(const json& document, std::size_t most, std::string& out) {
  const auto& ranks = document.at("ranks");
  std::uint64_t queued = 0, running = 0, actors = 0, used = 0, capacity = 0, spilled = 0,
                spilled_bytes = 0;
  std::vector<const json*> listed;
  for (const auto& rank : ranks) {
    queued += rank.at("queued").get<std::uint64_t>();
    running += rank.at("running").get<std::uint64_t>();
    actors += rank.at("actors").get<std::uint64_t>();
    used += rank.at("store_used").get<std::uint64_t>();
    capacity += rank.at("store_capacity").get<std::uint64_t>();
    spilled += rank.at("spilled_objects").get<std::uint64_t>();
    spilled_bytes += rank.at("spilled_bytes").get<std::uint64_t>();
    listed.push_back(&rank);
  }
  out += fmt::format(
      "\nRanks: {} queued, {} running, {}; object stores {} of {} used, {} spilled ({})", queued,
      running, plural(actors, "actor"), util::format_bytes(used), util::format_bytes(capacity),
      plural(spilled, "object"), util::format_bytes(spilled_bytes));
  const auto& silent = document.at("silent_ranks");
  if (!silent.empty()) {
    std::vector<std::string> names;
    for (const auto& rank : silent) names.push_back(std::to_string(rank.get<int>()));
    out += fmt::format("; did not answer: rank{} {}", silent.size() == 1 ? "" : "s",
                       fmt::join(names, ", "));
  }
  out += "\n";
  if (most != 0 && listed.size() > most) {
    // The busiest ranks say most about a large job; the rest are counted.
    const auto load = [](const json* rank) {
      return rank->at("queued").get<std::uint64_t>() + rank->at("running").get<std::uint64_t>();
    };
    std::stable_sort(listed.begin(), listed.end(),
                     [&](const json* a, const json* b) { return load(a) > load(b); });
    listed.resize(most);
    std::stable_sort(listed.begin(), listed.end(), [](const json* a, const json* b) {
      return a->at("rank").get<int>() < b->at("rank").get<int>();
    });
  }
  constexpr auto row = "  {:>5}  {:>7}  {:>7}  {:>6}  {:>11}  {:>11}  {}\n";
  out += fmt::format(row, "rank", "queued", "running", "actors", "store used", "spilled", "host");
  for (const json* rank : listed) {
    out += fmt::format(row, rank->at("rank").get<int>(), rank->at("queued").get<std::uint64_t>(),
                       rank->at("running").get<std::uint64_t>(),
                       rank->at("actors").get<std::uint64_t>(),
                       util::format_bytes(rank->at("store_used").get<std::uint64_t>()),
                       util::format_bytes(rank->at("spilled_bytes").get<std::uint64_t>()),
                       rank->at("host").get<std::string>());
  }
  if (listed.size() < ranks.size()) {
    out += fmt::format("  ({} more ranks with less work; manta status --all lists them)\n",
                       ranks.size() - listed.size());
  }
}

void running_lines(const json& document, std::string& out) {
  const auto& running = document.at("running");
  const auto total = document.at("running_total").get<std::uint64_t>();
  if (total == 0) {
    out += "\nRunning: nothing\n";
    return;
  }
  out += fmt::format("\nRunning, longest first ({} of {}):\n", running.size(), total);
  out += fmt::format("  {:>5}  {:<10}  {:>12}  {:>5}  {}\n", "rank", "thread", "running for",
                     "depth", "task or actor call");
  for (const auto& task : running) {
    out += fmt::format("  {:>5}  {:<10}  {:>12}  {:>5}  {}{}\n", task.at("rank").get<int>(),
                       task.at("thread").get<std::string>(),
                       duration(task.at("seconds").get<double>()), task.at("depth").get<int>(),
                       task.at("name").get<std::string>(),
                       task.at("actor_call").get<bool>() ? " (actor call)" : "");
  }
}

void function_lines(const json& document, std::string& out) {
  const auto& functions = document.at("functions");
  if (functions.empty()) return;
  out += "\nFunctions and actor methods:\n";
  out += fmt::format("  {:>7}  {:>8}  {:>6}  {:>7}  {:>9}  {:>9}  {}\n", "running", "finished",
                     "failed", "retried", "mean", "max", "name");
  for (const auto& function : functions) {
    const auto ended = function.at("finished").get<std::uint64_t>() +
                       function.at("failed").get<std::uint64_t>() +
                       function.at("retried").get<std::uint64_t>();
    const double total = function.at("total_seconds").get<double>();
    out += fmt::format(
        "  {:>7}  {:>8}  {:>6}  {:>7}  {:>9}  {:>9}  {}\n",
        function.at("running").get<std::uint64_t>(), function.at("finished").get<std::uint64_t>(),
        function.at("failed").get<std::uint64_t>(), function.at("retried").get<std::uint64_t>(),
        ended == 0 ? "-" : duration(total / static_cast<double>(ended)),
        ended == 0 ? "-" : duration(function.at("max_seconds").get<double>()),
        function.at("name").get<std::string>());
  }
}

void actor_lines(const json& document, std::string& out) {
  const auto& actors = document.at("actors");
  const auto total = document.at("actors_total").get<std::uint64_t>();
  if (total == 0) return;
  out += fmt::format("\nActors ({} of {}):\n", actors.size(), total);
  out += fmt::format("  {:>5}  {:<10}  {:>8}  {:>7}  {:>8}  {}\n", "rank", "phase", "restarts",
                     "waiting", "finished", "class (name)");
  for (const auto& actor : actors) {
    const auto name = actor.at("name").get<std::string>();
    out += fmt::format("  {:>5}  {:<10}  {:>8}  {:>7}  {:>8}  {}{}\n", actor.at("rank").get<int>(),
                       actor.at("phase").get<std::string>(), actor.at("restarts").get<int>(),
                       actor.at("calls_waiting").get<std::uint64_t>(),
                       actor.at("calls_finished").get<std::uint64_t>(),
                       actor.at("class").get<std::string>(),
                       name.empty() ? "" : " (\"" + name + "\")");
  }
}

}  // namespace

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string status_text(const nlohmann::json& document, double now, std::size_t rank_lines_most) {
  try {
    if (document.at("format").get<std::string>() != "manta-status") {
      throw Error("not a Manta status document: its format is '" +
                  document.at("format").get<std::string>() + "'");
    }
    if (const int version = document.at("version").get<int>(); version != status_version) {
      throw Error(fmt::format(
          "a Manta status document of version {}; this manta reads version {} (use the manta "
          "command of the Manta that ran the job)",
          version, status_version));
    }
    std::string out;
    job_lines(document.at("job"), now, out);
    rank_lines(document, rank_lines_most, out);
    running_lines(document, out);
    function_lines(document, out);
    actor_lines(document, out);
    return out;
  } catch (const nlohmann::json::exception& error) {
    throw Error(std::string("not a Manta status document: ") + error.what());
  }
}

}  // namespace manta::status
