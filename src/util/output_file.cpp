#include "util/output_file.hpp"

#include <manta/error.hpp>

#include <fstream>
#include <system_error>

#include <unistd.h>

namespace manta::util {

std::string output_file_problem(const std::filesystem::path& file, std::string_view option) {
  const auto directory = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  const auto named =
      std::string(option) + " " + file.string() + ": its directory " + directory.string();
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) return named + " does not exist";
  if (::access(directory.c_str(), W_OK) != 0) return named + " is not writable";
  return "";
}

void replace_file(const std::filesystem::path& file,
                  const std::function<void(std::ostream&)>& write) {
  // The process id keeps two writers of one path (two jobs, by mistake) off each other's file.
  const std::filesystem::path temporary = file.string() + ".partial." + std::to_string(::getpid());
  const auto remove_temporary = [&] {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
  };
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    try {
      if (out) write(out);
    } catch (...) {
      out.close();
      remove_temporary();
      throw;
    }
    out.flush();
    if (!out) {
      remove_temporary();
      throw Error("cannot write " + temporary.string() + " (for " + file.string() + ")");
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, file, error);
  if (error) {
    remove_temporary();
    throw Error("cannot move " + temporary.string() + " into place at " + file.string() + ": " +
                error.message());
  }
}

}  // namespace manta::util
