/// @file checkpoint/record.hpp
/// @brief What a checkpoint holds: per actor, its identity, its Boost archive and its native
/// arrays (ActorRecord); per file, who wrote it and when (FileInfo); and what read_index() tells
/// about a file without reading the bulk data (CheckpointIndex).
#pragma once

#include <manta/detail/h5_array_hooks.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace manta::checkpoint {

using ElementType = detail::ElementType;

/// @brief A numeric array stored as a native HDF5 dataset, `/actors/<key>/<name>`.
struct NativeArray {
  std::string name{};  ///< unique within its actor; no '/'; not "state"
  ElementType type = ElementType::uint8;
  std::vector<std::uint64_t> dims{};  ///< row-major shape, at least one dimension
  std::vector<std::byte> bytes{};     ///< product(dims) * element_size(type) bytes, native order
  /// Instead of `bytes`: the owner's bytes, not copied (an actor that runs no call until the
  /// checkpoint is written). They must stay unchanged until write_checkpoint() returns.
  std::span<const std::byte> borrowed{};

  /// The array's bytes: `borrowed` when set, else `bytes`.
  std::span<const std::byte> data() const noexcept {
    return borrowed.data() != nullptr ? borrowed : std::span<const std::byte>(bytes);
  }
};

/// @brief One actor's saved state: `/actors/<key>` in the file. save_state() fills `archive` and
/// `arrays` from the actor's `serialize`; the runtime fills the rest.
struct ActorRecord {
  std::string key{};           ///< unique in the checkpoint: the actor's name or an id; no '/'
  std::string class_name{};    ///< the registered class, e.g. "Counter"
  std::string name{};          ///< the actor's `name` option, or ""
  std::uint64_t sequence = 0;  ///< method calls completed when the state was taken
  std::string resources{};     ///< the actor's resource options, as text
  std::vector<std::byte> archive{};  ///< Boost binary archive of the actor: dataset "state"
  std::vector<NativeArray> arrays{};
};

/// @brief The job a checkpoint belongs to: attributes of the file's root group.
struct FileInfo {
  std::string job_id{};     ///< e.g. Slurm's job id, or ""
  std::uint64_t epoch = 0;  ///< grows with each checkpoint of a job; names the file
  std::string time{};       ///< ISO 8601 UTC; write_checkpoint() fills it in when empty
};

/// @brief What read_index() tells about one native array.
struct NativeArrayInfo {
  std::string name{};
  ElementType type = ElementType::uint8;
  std::vector<std::uint64_t> dims{};
};

/// @brief What read_index() tells about one actor, without its bulk data.
struct ActorSummary {
  std::string key{};
  std::string class_name{};
  std::string name{};
  std::uint64_t sequence = 0;
  std::string resources{};
  int writer_rank = 0;            ///< the rank that held the actor when it was written
  std::uint64_t state_bytes = 0;  ///< size of the Boost archive
  std::vector<NativeArrayInfo> arrays{};
};

/// @brief A checkpoint file's attributes and actors, in the order they were written (by rank,
/// then in each rank's order).
struct CheckpointIndex {
  std::filesystem::path path{};
  int format_version = 0;
  int ranks = 0;  ///< ranks of the job that wrote the file
  FileInfo info{};
  std::vector<ActorSummary> actors{};
};

}  // namespace manta::checkpoint
