/// @file checkpoint/checkpoint_error.hpp
/// @brief CheckpointError: a checkpoint could not be written, or a file is not a readable
/// checkpoint. Its message names the file and, where one is concerned, the actor.
#pragma once

#include <manta/error.hpp>

#include <filesystem>
#include <string>

namespace manta::checkpoint {

/// @brief "checkpoint '<file>', actor '<key>': <problem>", without the actor when the problem
/// concerns the whole file (and without the file when the state came from memory). Thrown by
/// every function of this layer.
class CheckpointError : public Error {
 public:
  CheckpointError(const std::filesystem::path& file, const std::string& actor,
                  const std::string& problem)
      : Error(describe(file, actor) + problem), file_(file), actor_(actor), problem_(problem) {}

  /// The checkpoint file (or, for a failed write, its temporary file).
  const std::filesystem::path& file() const noexcept { return file_; }
  /// The actor's key, or "" when the problem is with the file as a whole.
  const std::string& actor() const noexcept { return actor_; }
  /// What is wrong, without the file and actor.
  const std::string& problem() const noexcept { return problem_; }

 private:
  static std::string describe(const std::filesystem::path& file, const std::string& actor) {
    std::string where = file.empty() ? "checkpoint" : "checkpoint '" + file.string() + "'";
    if (!actor.empty()) where += ", actor '" + actor + "'";
    return where + ": ";
  }

  std::filesystem::path file_;
  std::string actor_;
  std::string problem_;
};

}  // namespace manta::checkpoint
