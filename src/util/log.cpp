#include "util/log.hpp"

#include <manta/error.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace manta::util {

int launcher_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
    const char* value = std::getenv(name);
    if (value == nullptr) continue;
    int rank = -1;
    const auto end = value + std::strlen(value);
    const auto [last, error] = std::from_chars(value, end, rank);
    if (error == std::errc() && last == end && rank >= 0) return rank;
  }
  return -1;
}

spdlog::logger& log() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    auto created = spdlog::stderr_color_mt("manta");
    const int rank = launcher_rank();  // until configure_logging knows it from MPI
    created->set_pattern("[%H:%M:%S.%e] [manta rank " +
                         (rank < 0 ? std::string("?") : std::to_string(rank)) + "] [%^%l%$] %v");
    created->set_level(spdlog::level::warn);
    return created;
  }();
  return *logger;
}

void configure_logging(int rank, int size, const std::string& level) {
  const auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    throw InvalidOptionError("log level '" + level +
                             "' is not one of trace, debug, info, warn, error, critical, off");
  }
  std::string where = "rank " + std::to_string(rank) + "/" + std::to_string(size);
  if (const char* job = std::getenv("SLURM_JOB_ID"))
    where = "job " + std::string(job) + " " + where;
  log().set_pattern("[%H:%M:%S.%e] [manta " + where + "] [%^%l%$] %v");
  log().set_level(parsed);
}

void print_to_stderr(const std::string& line) {
  const std::string text = "manta: " + line + "\n";
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t result = ::write(STDERR_FILENO, text.data() + written, text.size() - written);
    if (result < 0 && errno == EINTR) continue;
    if (result <= 0) return;  // stderr is gone; there is nowhere left to report to
    written += static_cast<std::size_t>(result);
  }
}

}  // namespace manta::util
