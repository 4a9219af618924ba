// Reading checkpoints with the plain POSIX (sec2) driver: no MPI, any rank, any number of ranks.
// Every failure becomes a CheckpointError naming the file and, when one is concerned, the actor.
#include "checkpoint/checkpoint.hpp"
#include "checkpoint/format.hpp"
#include "checkpoint/hdf5.hpp"
#include "checkpoint/state.hpp"
#include "util/log.hpp"

#include <algorithm>
#include <system_error>

namespace manta::checkpoint {

namespace fs = std::filesystem;

namespace {

/// Opens `file` read-only and checks that it is a checkpoint this code reads.
H5Handle open_checkpoint(const fs::path& file) {
  std::error_code error;
  if (!fs::is_regular_file(file, error)) throw Problem("the file does not exist");
  const auto is_hdf5 = MANTA_CHECK_H5(H5Fis_hdf5(file.c_str()));
  if (is_hdf5 == 0) {
    throw Problem(
        "not an HDF5 file (no HDF5 signature): not a checkpoint, or its start is damaged");
  }
  H5Handle opened(MANTA_CHECK_H5(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)));
  if (MANTA_CHECK_H5(H5Aexists(opened.id(), format::attribute::format)) == 0 ||
      read_string_attribute(opened.id(), format::attribute::format) != format::magic) {
    throw Problem(std::string("an HDF5 file, but not a Manta checkpoint (its root group has no '") +
                  format::attribute::format + "' attribute \"" + format::magic + "\")");
  }
  const std::int32_t version = read_int32_attribute(opened.id(), format::attribute::format_version);
  if (version != format::version) {
    throw Problem("format version " + std::to_string(version) + ", but this Manta reads version " +
                  std::to_string(format::version));
  }
  return opened;
}

/// Runs `read`, turning a Problem into a CheckpointError about `file` and `actor`.
template <class Read>
auto reading(const fs::path& file, const std::string& actor, Read&& read) {
  try {
    return read();
  } catch (const Problem& problem) {
    throw CheckpointError(file, actor, problem.what());
  }
}

ActorSummary read_summary(hid_t actors, const std::string& key) {
  const H5Handle group(MANTA_CHECK_H5(H5Gopen2(actors, key.c_str(), H5P_DEFAULT)));
  ActorSummary summary{
      .key = key,
      .class_name = read_string_attribute(group.id(), format::attribute::class_name),
      .name = read_string_attribute(group.id(), format::attribute::name),
      .sequence = read_uint64_attribute(group.id(), format::attribute::sequence),
      .resources = read_string_attribute(group.id(), format::attribute::resources),
      .writer_rank = read_int32_attribute(group.id(), format::attribute::writer_rank)};
  for (const std::string& name : link_names(group.id())) {
    const H5Handle dataset(MANTA_CHECK_H5(H5Dopen2(group.id(), name.c_str(), H5P_DEFAULT)));
    if (name == format::state_dataset) {
      const std::vector<std::uint64_t> dims = dataset_dims(dataset.id());
      if (dims.size() != 1) throw Problem("dataset 'state' is not one-dimensional");
      summary.state_bytes = dims.front();
    } else {
      summary.arrays.push_back({.name = name,
                                .type = element_type_of_dataset(dataset.id()),
                                .dims = dataset_dims(dataset.id())});
    }
  }
  return summary;
}

/// Bytes of an array of `type` and shape `dims`.
std::uint64_t byte_size(ElementType type, std::span<const std::uint64_t> dims) {
  std::uint64_t size = detail::element_size(type);
  for (const std::uint64_t extent : dims) {
    if (extent != 0 && size > UINT64_MAX / extent) throw Problem("a dataset's shape overflows");
    size *= extent;
  }
  return size;
}

/// Opens dataset `name` of `group`, which must hold `bytes` bytes: a damaged file must not make
/// the reader allocate what a dataset only claims (its shape says 1 TiB, its storage is empty).
H5Handle open_stored(hid_t group, const std::string& name, std::uint64_t bytes) {
  H5Handle dataset(MANTA_CHECK_H5(H5Dopen2(group, name.c_str(), H5P_DEFAULT)));
  const std::uint64_t stored = H5Dget_storage_size(dataset.id());
  if (stored != bytes) {
    throw Problem("dataset '" + name + "' stores " + std::to_string(stored) +
                  " bytes, but its shape needs " + std::to_string(bytes) + ": the file is damaged");
  }
  return dataset;
}

/// Reads `dataset` (opened by open_stored) into `target` (exactly its size) and checks its crc32.
void read_checked_into(const H5Handle& dataset, const std::string& name, ElementType type,
                       std::span<std::byte> target) {
  if (!target.empty()) {
    MANTA_CHECK_H5(
        H5Dread(dataset.id(), native_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, target.data()));
  }
  const std::uint32_t stored = read_uint32_attribute(dataset.id(), format::attribute::crc32);
  const std::uint32_t computed = format::crc32(target);
  if (stored != computed) {
    throw Problem("dataset '" + name + "' fails its CRC-32 check (stored " + format::hex(stored) +
                  ", computed " + format::hex(computed) + "): the file is damaged");
  }
}

/// A dataset's bytes, checked against its crc32 attribute.
std::vector<std::byte> read_checked(hid_t group, const std::string& name, ElementType type,
                                    const std::vector<std::uint64_t>& dims) {
  const std::uint64_t size = byte_size(type, dims);
  const H5Handle dataset = open_stored(group, name, size);
  std::vector<std::byte> bytes(size);
  read_checked_into(dataset, name, type, bytes);
  return bytes;
}

/// The arrays of one actor's group, read on demand straight into the vectors being loaded.
class FileArraySource final : public NativeArraySource {
 public:
  FileArraySource(hid_t group, const std::vector<NativeArrayInfo>& arrays)
      : group_(group), arrays_(arrays) {}

  void load(std::string_view name, ElementType type, std::span<const std::uint64_t> expected_dims,
            detail::NativeArrayDestination& destination) const override {
    const auto found =
        std::find_if(arrays_.begin(), arrays_.end(),
                     [&](const NativeArrayInfo& array) { return array.name == name; });
    if (found == arrays_.end()) {
      throw Error("h5_array '" + std::string(name) + "' is missing from the checkpoint");
    }
    check_native_array(name, found->type, found->dims, type, expected_dims);
    const std::uint64_t bytes = byte_size(type, found->dims);
    const H5Handle dataset = open_stored(group_, found->name, bytes);
    read_checked_into(dataset, found->name, type,
                      destination.resize(bytes / detail::element_size(type)));
  }

 private:
  hid_t group_;
  const std::vector<NativeArrayInfo>& arrays_;
};

/// Opens actor `key`'s group, or says which actors the file holds instead.
H5Handle open_actor(hid_t actors, const std::string& key) {
  if (MANTA_CHECK_H5(H5Lexists(actors, key.c_str(), H5P_DEFAULT)) == 0) {
    const std::vector<std::string> keys = link_names(actors);
    std::string held;
    for (std::size_t i = 0; i < std::min<std::size_t>(keys.size(), 8); ++i) {
      held += (i > 0 ? ", " : "") + keys[i];
    }
    if (keys.size() > 8) held += ", ...";
    throw Problem("no such actor in the file (it holds " + std::to_string(keys.size()) +
                  (keys.empty() ? "" : ": " + held) + ")");
  }
  return H5Handle(MANTA_CHECK_H5(H5Gopen2(actors, key.c_str(), H5P_DEFAULT)));
}

ActorRecord read_record(hid_t file, const std::string& key) {
  const H5Handle actors(MANTA_CHECK_H5(H5Gopen2(file, format::actors_group, H5P_DEFAULT)));
  const H5Handle group = open_actor(actors.id(), key);
  const ActorSummary summary = read_summary(actors.id(), key);
  ActorRecord record{.key = key,
                     .class_name = summary.class_name,
                     .name = summary.name,
                     .sequence = summary.sequence,
                     .resources = summary.resources,
                     .archive = read_checked(group.id(), format::state_dataset, ElementType::uint8,
                                             {summary.state_bytes})};
  for (const NativeArrayInfo& array : summary.arrays) {
    record.arrays.push_back(
        {.name = array.name,
         .type = array.type,
         .dims = array.dims,
         .bytes = read_checked(group.id(), array.name, array.type, array.dims)});
  }
  return record;
}

CheckpointIndex read_index_of(hid_t file, const fs::path& path) {
  CheckpointIndex index{.path = path,
                        .format_version = format::version,
                        .ranks = read_int32_attribute(file, format::attribute::ranks),
                        .info = {.job_id = read_string_attribute(file, format::attribute::job_id),
                                 .epoch = read_uint64_attribute(file, format::attribute::epoch),
                                 .time = read_string_attribute(file, format::attribute::time)}};
  const H5Handle actors(MANTA_CHECK_H5(H5Gopen2(file, format::actors_group, H5P_DEFAULT)));
  for (const std::string& key : link_names(actors.id())) {
    index.actors.push_back(reading(path, key, [&] { return read_summary(actors.id(), key); }));
  }
  return index;
}

}  // namespace

CheckpointIndex read_index(const fs::path& file) {
  const Hdf5Session session;
  return reading(file, "", [&] {
    const H5Handle opened = open_checkpoint(file);
    return read_index_of(opened.id(), file);
  });
}

ActorRecord read_actor(const fs::path& file, const std::string& key) {
  const Hdf5Session session;
  const H5Handle opened = reading(file, "", [&] { return open_checkpoint(file); });
  return reading(file, key, [&] { return read_record(opened.id(), key); });
}

void verify_checkpoint(const fs::path& file) {
  const Hdf5Session session;
  const H5Handle opened = reading(file, "", [&] { return open_checkpoint(file); });
  const CheckpointIndex index = reading(file, "", [&] { return read_index_of(opened.id(), file); });
  for (const ActorSummary& actor : index.actors) {
    reading(file, actor.key, [&] { return read_record(opened.id(), actor.key); });
  }
}

void restore_archive(const fs::path& file, const std::string& key,
                     const std::function<void(detail::InputArchive&)>& read) {
  const Hdf5Session session;
  const H5Handle opened = reading(file, "", [&] { return open_checkpoint(file); });
  H5Handle group;
  ActorSummary summary;
  std::vector<std::byte> archive;
  reading(file, key, [&] {
    const H5Handle actors(MANTA_CHECK_H5(H5Gopen2(opened.id(), format::actors_group, H5P_DEFAULT)));
    group = open_actor(actors.id(), key);
    summary = read_summary(actors.id(), key);
    archive =
        read_checked(group.id(), format::state_dataset, ElementType::uint8, {summary.state_bytes});
  });
  const ActorRecord identity{.key = key, .class_name = summary.class_name};
  try {
    const FileArraySource source(group.id(), summary.arrays);
    read_archive(archive, read);
  } catch (const std::exception& error) {
    throw_state_error("restore", identity, file, error);
  }
}

std::optional<fs::path> latest_valid_checkpoint(const fs::path& directory) {
  const std::vector<fs::path> files = list_checkpoints(directory);
  for (auto file = files.rbegin(); file != files.rend(); ++file) {
    try {
      verify_checkpoint(*file);
      return *file;
    } catch (const CheckpointError& error) {
      util::log().warn("skipping {}", error.what());
    }
  }
  return std::nullopt;
}

}  // namespace manta::checkpoint
