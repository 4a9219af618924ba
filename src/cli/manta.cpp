// manta: the command that looks at a running job from outside it, as `ray status` does.
//   manta status [FILE] [--job JOBID] [--all] [--json] [--watch SECONDS]
// It reads the status file rank 0 keeps (RuntimeOptions::status_file) and prints it as a table.

#include "status/status_text.hpp"

#include <manta/error.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

/// The working directory Slurm gives for `job`, if scontrol knows the job.
std::optional<fs::path> slurm_work_dir(const std::string& job) {
  const std::string command = "scontrol show job -o " + job + " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return std::nullopt;
  std::string output;
  char buffer[4096];
  while (const auto read = std::fread(buffer, 1, sizeof buffer, pipe.get())) {
    output.append(buffer, read);
  }
  std::smatch found;
  if (!std::regex_search(output, found, std::regex(R"((?:^|\s)WorkDir=(\S+))"))) {
    return std::nullopt;
  }
  return fs::path(found[1].str());
}

/// The newest file of `directory` whose name matches `pattern`, and how many matched.
std::pair<std::optional<fs::path>, int> newest(const fs::path& directory,
                                               const std::regex& pattern) {
  std::optional<fs::path> best;
  fs::file_time_type best_time{};
  int count = 0;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    if (!std::regex_match(entry.path().filename().string(), pattern)) continue;
    ++count;
    const auto time = entry.last_write_time(error);
    if (!best || time > best_time) {
      best = entry.path();
      best_time = time;
    }
  }
  return {best, count};
}

/// The status file to read: `file`, else the newest one of `job`, else the newest here.
fs::path find_status_file(const std::string& file, const std::string& job) {
  if (!file.empty()) return file;
  if (!job.empty()) {
    if (!std::regex_match(job, std::regex(R"([0-9]+(_[0-9]+)?)"))) {
      throw manta::Error("--job " + job + ": a Slurm job id is digits (or digits_digits)");
    }
    const auto work_dir = slurm_work_dir(job).value_or(fs::current_path());
    const auto [found, count] =
        newest(work_dir, std::regex("manta-status-" + job + R"(\.[0-9]+\.json)"));
    if (!found) {
      throw manta::Error("job " + job + " has no status file manta-status-" + job +
                         ".<step>.json in " + work_dir.string() +
                         " (its working directory): did it start Manta, with --status-file none?");
    }
    return *found;
  }
  const auto [found, count] = newest(fs::current_path(), std::regex(R"(manta-status-.*\.json)"));
  if (!found) {
    throw manta::Error(
        "no manta-status-*.json here: name the file (manta status FILE) or the Slurm job "
        "(manta status --job JOBID); a job writes one under Slurm, or with --status-file FILE");
  }
  if (count > 1) {
    std::cerr << "manta: " << count << " status files here; this is the newest, "
              << found->filename().string() << " (name one to choose)\n";
  }
  return *found;
}

nlohmann::json read_document(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw manta::Error("cannot read " + file.string());
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& error) {
    throw manta::Error(file.string() + " is not JSON: " + error.what());
  }
}

int status(const std::string& file, const std::string& job, bool all, bool as_json, double watch) {
  const auto path = find_status_file(file, job);
  const bool redraw = watch > 0 && ::isatty(STDOUT_FILENO) != 0;
  while (true) {
    const auto document = read_document(path);
    std::string text =
        as_json ? document.dump(1) + "\n"
                : manta::status::status_text(document, manta::status::unix_now(), all ? 0 : 16);
    if (redraw) text = "\x1b[H\x1b[2J" + text;  // home, clear: the table stays in place
    std::cout << text << std::flush;
    const bool running = document.at("job").at("state").get<std::string>() == "running";
    if (watch <= 0 || !running) return 0;
    if (!redraw) std::cout << '\n';
    std::this_thread::sleep_for(std::chrono::duration<double>(watch));
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("manta: look at a Manta job from outside it");
  app.require_subcommand(1);
  auto* status_command =
      app.add_subcommand("status", "print a job's live status (the file rank 0 keeps) as tables");
  std::string file, job;
  bool all = false, as_json = false;
  double watch = 0;
  status_command->add_option("file", file,
                             "the status file (default: the newest manta-status-*.json here)");
  status_command->add_option("--job", job, "the Slurm job whose status file to read")
      ->excludes(status_command->get_option("file"));
  status_command->add_flag("--all", all, "list every rank, not only the 16 busiest");
  status_command->add_flag("--json", as_json, "print the document itself");
  status_command->add_option("--watch", watch, "print it again every this many seconds")
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  try {
    return status(file, job, all, as_json, watch);
  } catch (const std::exception& error) {
    std::cerr << "manta status: " << error.what() << "\n";
    return 1;
  }
}
