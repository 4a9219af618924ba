/// @file util/output_file.hpp
/// @brief Files the job writes for its user (the timeline, the status file): checked when the
/// job starts, and replaced whole, so a reader never sees half of one.
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace manta::util {

/// Why `file` cannot be written ("" when it can): its directory must exist and be writable.
/// `option` names where the path came from ("--timeline").
std::string output_file_problem(const std::filesystem::path& file, std::string_view option);

/// Writes `file` through `write` into a temporary file beside it, then renames that into place.
/// @throws Error naming the file when it cannot be written or moved
void replace_file(const std::filesystem::path& file,
                  const std::function<void(std::ostream&)>& write);

}  // namespace manta::util
