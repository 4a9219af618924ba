/// @file checkpoint/files.hpp
/// @brief The files of a checkpoint directory beyond what checkpoint.hpp offers: the temporary
/// name a checkpoint is written under, the durable rename, and rotation.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace manta::checkpoint {

/// `checkpoint-<epoch>.h5.tmp` beside `final_path`: same directory, so the rename is atomic.
std::filesystem::path temporary_path(const std::filesystem::path& final_path);

/// Actor state is user data: the directories this creates are 0700 and make_private() files 0600,
/// less what the process's umask takes away. Existing directories keep their mode.
/// @throws std::filesystem::filesystem_error naming the path that could not be created
void create_private_directories(const std::filesystem::path& directory);
/// Makes `file` 0600 less the umask (HDF5 creates files with the default 0666 less the umask).
void make_private(const std::filesystem::path& file);

/// The epoch in a checkpoint file's name, or nothing if it is not one (temporary files are not).
std::optional<std::uint64_t> epoch_of(const std::filesystem::path& file);

/// Renames `temporary` to `final_path` and syncs their directory, so the new name survives a
/// crash. @throws std::filesystem::filesystem_error
void commit_file(const std::filesystem::path& temporary, const std::filesystem::path& final_path);

/// Deletes the checkpoints of `directory` but the newest `keep_last` (never `written`, the one just
/// written) and every temporary file. Logs what it cannot delete; never throws.
void rotate_checkpoints(const std::filesystem::path& directory, int keep_last,
                        const std::filesystem::path& written);

}  // namespace manta::checkpoint
