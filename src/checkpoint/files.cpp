#include "checkpoint/files.hpp"

#include "checkpoint/checkpoint.hpp"
#include "util/log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace manta::checkpoint {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view file_prefix = "checkpoint-";
constexpr std::string_view file_suffix = ".h5";
constexpr std::string_view temporary_suffix = ".h5.tmp";

bool is_temporary(const fs::path& file) {
  const std::string name = file.filename().string();
  return name.starts_with(file_prefix) && name.ends_with(temporary_suffix);
}

}  // namespace

fs::path temporary_path(const fs::path& final_path) { return fs::path(final_path).concat(".tmp"); }

void create_private_directories(const fs::path& directory) {
  fs::path path;
  for (const auto& part : directory) {
    path /= part;
    // The kernel applies the umask to the mode given here, as the user expects.
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
      throw fs::filesystem_error("cannot create the checkpoint directory", path,
                                 std::error_code(errno, std::generic_category()));
    }
  }
  if (!fs::is_directory(directory)) {
    throw fs::filesystem_error("the checkpoint directory is not a directory", directory,
                               std::make_error_code(std::errc::not_a_directory));
  }
}

void make_private(const fs::path& file) {
  // The umask can only be read by setting it (or from /proc); this process's threads may create
  // files meanwhile, so /proc it is.
  mode_t umask = 022;
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("Umask:"))
      umask = static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
  }
  fs::permissions(file, static_cast<fs::perms>(0600 & ~umask));
}

std::optional<std::uint64_t> epoch_of(const fs::path& file) {
  const std::string name = file.filename().string();
  if (!name.starts_with(file_prefix) || !name.ends_with(file_suffix)) return std::nullopt;
  const std::string_view digits = std::string_view(name).substr(
      file_prefix.size(), name.size() - file_prefix.size() - file_suffix.size());
  std::uint64_t epoch = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), epoch);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return epoch;
}

void commit_file(const fs::path& temporary, const fs::path& final_path) {
  fs::rename(temporary, final_path);
  // The rename is durable once the directory is synced. Some file systems refuse to sync a
  // directory (EINVAL); the file's own data is already synced, so that is not an error.
  const fs::path directory = final_path.parent_path().empty() ? "." : final_path.parent_path();
  const int descriptor = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (descriptor >= 0) {
    static_cast<void>(::fsync(descriptor));
    ::close(descriptor);
  }
}

void rotate_checkpoints(const fs::path& directory, int keep_last, const fs::path& written) {
  std::vector<fs::path> files = list_checkpoints(directory);
  const std::size_t keep = static_cast<std::size_t>(std::max(keep_last, 1));
  std::vector<fs::path> doomed;
  if (files.size() > keep) doomed.assign(files.begin(), files.end() - static_cast<long>(keep));
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    if (is_temporary(entry.path())) doomed.push_back(entry.path());
  }
  for (const fs::path& file : doomed) {
    if (fs::equivalent(file, written, error)) continue;
    if (!fs::remove(file, error) && error) {
      util::log().warn("cannot delete old checkpoint '{}': {}", file.string(), error.message());
    }
  }
}

std::vector<fs::path> list_checkpoints(const fs::path& directory) {
  std::vector<std::pair<std::uint64_t, fs::path>> found;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    if (const auto epoch = epoch_of(entry.path()); epoch && entry.is_regular_file(error)) {
      found.emplace_back(*epoch, entry.path());
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> files;
  for (auto& [epoch, file] : found) files.push_back(std::move(file));
  return files;
}

fs::path checkpoint_path(const fs::path& directory, std::uint64_t epoch) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%08llu", static_cast<unsigned long long>(epoch));
  return directory / (std::string(file_prefix) + digits + std::string(file_suffix));
}

std::uint64_t next_epoch(const fs::path& directory) {
  const std::vector<fs::path> files = list_checkpoints(directory);
  return files.empty() ? 1 : *epoch_of(files.back()) + 1;
}

std::string utc_time_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace manta::checkpoint
