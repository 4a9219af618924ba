// write_checkpoint: every rank learns the whole file's layout (one allgather of metadata), all
// ranks create every group, dataset and attribute together, as parallel HDF5 requires, then each
// rank writes its own actors' bytes independently. Between the steps, the ranks agree on whether
// any of them failed, so that they throw together instead of waiting in a collective forever.
#include "checkpoint/checkpoint.hpp"
#include "checkpoint/files.hpp"
#include "checkpoint/format.hpp"
#include "checkpoint/hdf5.hpp"
#include "transport/status.hpp"

#include <manta/detail/serialization.hpp>

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include <climits>
#include <functional>
#include <map>
#include <numeric>
#include <set>
#include <string_view>

namespace manta::checkpoint {

namespace fs = std::filesystem;

namespace {

/// What every rank needs to create an array's dataset: all but its bytes.
struct ArrayLayout {
  std::string name{};
  std::uint8_t type = 0;
  std::vector<std::uint64_t> dims{};
  std::uint32_t crc32 = 0;

  template <class Archive>
  void serialize(Archive& archive, unsigned /*version*/) {
    archive& name& type& dims& crc32;
  }
};

/// What every rank needs to create an actor's group and datasets.
struct ActorLayout {
  std::string key{};
  std::string class_name{};
  std::string name{};
  std::uint64_t sequence = 0;
  std::string resources{};
  std::uint64_t state_bytes = 0;
  std::uint32_t state_crc32 = 0;
  std::vector<ArrayLayout> arrays{};

  template <class Archive>
  void serialize(Archive& archive, unsigned /*version*/) {
    archive& key& class_name& name& sequence& resources& state_bytes& state_crc32& arrays;
  }
};

/// One rank's part of the file, as every rank receives it.
struct RankLayout {
  std::string job_id{};
  std::uint64_t epoch = 0;
  std::string time{};
  std::string failed_actor{};  ///< a record this rank cannot write ...
  std::string failure{};       ///< ... and why; empty when all are fine
  std::vector<ActorLayout> actors{};

  template <class Archive>
  void serialize(Archive& archive, unsigned /*version*/) {
    archive& job_id& epoch& time& failed_actor& failure& actors;
  }
};

/// A rank's failure, before every rank knows of it.
using Failure = RankFailure;

std::uint64_t element_count(const std::vector<std::uint64_t>& dims) {
  return std::accumulate(dims.begin(), dims.end(), std::uint64_t{1}, std::multiplies<>());
}

/// Why `record` cannot be written, or nothing.
std::optional<std::string> record_problem(const ActorRecord& record) {
  if (auto problem = format::key_problem(record.key)) return problem;
  std::set<std::string_view> names;
  for (const NativeArray& array : record.arrays) {
    if (auto problem = format::array_name_problem(array.name)) return problem;
    if (!names.insert(array.name).second) return "two arrays are named '" + array.name + "'";
    if (array.dims.empty()) return "array '" + array.name + "' has no dims (it needs at least one)";
    if (array.type > ElementType::float64) {
      return "array '" + array.name + "' has an unknown element type code " +
             std::to_string(static_cast<int>(array.type));
    }
    const std::uint64_t expected = element_count(array.dims) * detail::element_size(array.type);
    if (expected != array.data().size()) {
      return "array '" + array.name + "' holds " + std::to_string(array.data().size()) +
             " bytes, but " + detail::shape_text(array.dims) + " " +
             std::string(detail::element_type_name(array.type)) + " values take " +
             std::to_string(expected);
    }
  }
  return std::nullopt;
}

/// This rank's layout: its records without their bytes, but with their checksums.
RankLayout describe(std::span<const ActorRecord> records, const FileInfo& info) {
  RankLayout layout{.job_id = info.job_id,
                    .epoch = info.epoch,
                    .time = info.time.empty() ? utc_time_now() : info.time};
  for (const ActorRecord& record : records) {
    if (auto problem = record_problem(record)) {
      layout.failed_actor = record.key;
      layout.failure = *problem;
      layout.actors.clear();
      return layout;
    }
    ActorLayout actor{.key = record.key,
                      .class_name = record.class_name,
                      .name = record.name,
                      .sequence = record.sequence,
                      .resources = record.resources,
                      .state_bytes = record.archive.size(),
                      .state_crc32 = format::crc32(record.archive)};
    for (const NativeArray& array : record.arrays) {
      actor.arrays.push_back({.name = array.name,
                              .type = static_cast<std::uint8_t>(array.type),
                              .dims = array.dims,
                              .crc32 = format::crc32(array.data())});
    }
    layout.actors.push_back(std::move(actor));
  }
  return layout;
}

/// Every rank's layout, on every rank (MPI_Allgatherv of their Boost archives).
std::vector<RankLayout> gather_layouts(MPI_Comm comm, const RankLayout& local) {
  std::vector<std::byte> bytes;
  {
    detail::VectorBuffer buffer(bytes);
    boost::archive::binary_oarchive archive(buffer, detail::archive_flags);
    archive << local;
  }
  int size = 0;
  MANTA_CHECK_MPI(MPI_Comm_size(comm, &size));
  const int count = bytes.size() <= INT_MAX ? static_cast<int>(bytes.size()) : -1;
  std::vector<int> counts(static_cast<std::size_t>(size));
  MANTA_CHECK_MPI(MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm));
  std::vector<int> offsets(counts.size());
  std::int64_t total = 0;
  for (std::size_t rank = 0; rank < counts.size(); ++rank) {
    if (counts[rank] < 0 || total + counts[rank] > INT_MAX) {
      throw Error("write_checkpoint: the actors' metadata exceeds 2 GiB (MPI_Allgatherv's limit)");
    }
    offsets[rank] = static_cast<int>(total);
    total += counts[rank];
  }
  std::vector<std::byte> all(static_cast<std::size_t>(total));
  MANTA_CHECK_MPI(MPI_Allgatherv(bytes.data(), count, MPI_BYTE, all.data(), counts.data(),
                                 offsets.data(), MPI_BYTE, comm));
  std::vector<RankLayout> layouts(counts.size());
  for (std::size_t rank = 0; rank < counts.size(); ++rank) {
    const std::span<const std::byte> layout_bytes(all.data() + offsets[rank],
                                                  static_cast<std::size_t>(counts[rank]));
    detail::InputArchive archive(layout_bytes, detail::archive_flags);
    archive >> layouts[rank];
  }
  return layouts;
}

/// The first problem with the layouts as a whole (a rank's invalid record, duplicate keys,
/// ranks on different epochs), the same on every rank since all see the same layouts.
std::optional<Failure> layout_problem(const std::vector<RankLayout>& layouts) {
  std::map<std::string_view, std::size_t> owner;
  for (std::size_t rank = 0; rank < layouts.size(); ++rank) {
    const RankLayout& layout = layouts[rank];
    const std::string on_rank = "rank " + std::to_string(rank) + ": ";
    if (!layout.failure.empty()) return Failure{layout.failed_actor, on_rank + layout.failure};
    if (layout.epoch != layouts.front().epoch) {
      return Failure{"", on_rank + "epoch " + std::to_string(layout.epoch) +
                             ", but rank 0 writes " + std::to_string(layouts.front().epoch)};
    }
    for (const ActorLayout& actor : layout.actors) {
      const auto [first, inserted] = owner.emplace(actor.key, rank);
      if (!inserted) {
        return Failure{actor.key, "two actors have this key (on ranks " +
                                      std::to_string(first->second) + " and " +
                                      std::to_string(rank) + "); keys must be unique"};
      }
    }
  }
  return std::nullopt;
}

/// Returns if no rank of `comm` failed; otherwise throws, on every rank, the failure of the lowest
/// failing rank. Collective.
void agree(MPI_Comm comm, const std::optional<Failure>& failure, const fs::path& file) {
  int rank = 0, size = 0;
  MANTA_CHECK_MPI(MPI_Comm_rank(comm, &rank));
  MANTA_CHECK_MPI(MPI_Comm_size(comm, &size));
  const int mine = failure ? rank : size;
  int first = size;
  MANTA_CHECK_MPI(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm));
  if (first == size) return;
  // The actor and the problem travel as one "actor\0problem" string.
  std::string text = rank == first ? failure->actor + '\0' + failure->problem : std::string();
  int length = static_cast<int>(text.size());
  MANTA_CHECK_MPI(MPI_Bcast(&length, 1, MPI_INT, first, comm));
  text.resize(static_cast<std::size_t>(length));
  MANTA_CHECK_MPI(MPI_Bcast(text.data(), length, MPI_CHAR, first, comm));
  const std::size_t separator = text.find('\0');
  const std::string where = size > 1 ? "on rank " + std::to_string(first) + ": " : "";
  throw CheckpointError(file, text.substr(0, separator), where + text.substr(separator + 1));
}

/// Runs `step`, returning what it threw (with `actor`, the actor it was busy with) as a Failure.
template <class Step>
std::optional<Failure> attempt(const std::string& actor, Step&& step) {
  try {
    step();
    return std::nullopt;
  } catch (const std::exception& error) {
    return Failure{actor, error.what()};
  }
}

/// Deletes the temporary file on rank 0 unless the write was committed: a failed write leaves
/// nothing behind. Declared before the HDF5 handles, so it runs after they have closed the file.
class TemporaryFile {
 public:
  TemporaryFile(fs::path path, bool owner) : path_(std::move(path)), owner_(owner) {}
  ~TemporaryFile() {
    std::error_code ignored;
    if (owner_ && !committed_) fs::remove(path_, ignored);
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  void commit() noexcept { committed_ = true; }

 private:
  fs::path path_;
  bool owner_;
  bool committed_ = false;
};

/// A dataset this rank fills with its own bytes.
struct OwnDataset {
  H5Handle dataset;
  hid_t memory_type = H5I_INVALID_HID;
  std::span<const std::byte> bytes;
  const std::string* actor = nullptr;
};

H5Handle create_file(MPI_Comm comm, const fs::path& file) {
  const H5Handle access(MANTA_CHECK_H5(H5Pcreate(H5P_FILE_ACCESS)));
  MANTA_CHECK_H5(H5Pset_fapl_mpio(access.id(), comm, MPI_INFO_NULL));
  // The 1.8 format checksums all metadata and keeps links in creation order; HDF5 1.8 and later,
  // h5py included, read it.
  MANTA_CHECK_H5(H5Pset_libver_bounds(access.id(), H5F_LIBVER_V18, H5F_LIBVER_LATEST));
  // At flush, all ranks write the metadata together instead of rank 0 alone.
  MANTA_CHECK_H5(H5Pset_coll_metadata_write(access.id(), true));
  return H5Handle(MANTA_CHECK_H5(H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.id())));
}

/// Creates a dataset with its checksum attribute. Collective.
H5Handle create_dataset(hid_t group, const std::string& name, hid_t type,
                        const std::vector<std::uint64_t>& dims, std::uint32_t crc32,
                        hid_t creation) {
  const H5Handle space = make_dataspace(dims);
  H5Handle dataset(MANTA_CHECK_H5(
      H5Dcreate2(group, name.c_str(), type, space.id(), H5P_DEFAULT, creation, H5P_DEFAULT)));
  write_attribute(dataset.id(), format::attribute::crc32, crc32);
  return dataset;
}

/// Creates every group, dataset and attribute of the file, identically on every rank (parallel
/// HDF5 requires it), and returns the datasets this rank fills. Collective.
std::vector<OwnDataset> create_layout(hid_t file, const std::vector<RankLayout>& layouts, int rank,
                                      std::span<const ActorRecord> local) {
  const RankLayout& root = layouts.front();
  write_attribute(file, format::attribute::format, std::string(format::magic));
  write_attribute(file, format::attribute::format_version, format::version);
  write_attribute(file, format::attribute::job_id, root.job_id);
  write_attribute(file, format::attribute::ranks, static_cast<std::int32_t>(layouts.size()));
  write_attribute(file, format::attribute::time, root.time);
  write_attribute(file, format::attribute::epoch, root.epoch);

  const H5Handle ordered(MANTA_CHECK_H5(H5Pcreate(H5P_GROUP_CREATE)));
  MANTA_CHECK_H5(
      H5Pset_link_creation_order(ordered.id(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED));
  // Storage is allocated at creation in parallel HDF5; without this it would also be filled with
  // zeros first, writing every byte twice.
  const H5Handle no_fill(MANTA_CHECK_H5(H5Pcreate(H5P_DATASET_CREATE)));
  MANTA_CHECK_H5(H5Pset_fill_time(no_fill.id(), H5D_FILL_TIME_NEVER));

  const H5Handle actors(MANTA_CHECK_H5(
      H5Gcreate2(file, format::actors_group, H5P_DEFAULT, ordered.id(), H5P_DEFAULT)));
  std::vector<OwnDataset> own;
  for (std::size_t writer = 0; writer < layouts.size(); ++writer) {
    const bool mine = static_cast<int>(writer) == rank;
    for (std::size_t index = 0; index < layouts[writer].actors.size(); ++index) {
      const ActorLayout& actor = layouts[writer].actors[index];
      const H5Handle group(MANTA_CHECK_H5(
          H5Gcreate2(actors.id(), actor.key.c_str(), H5P_DEFAULT, ordered.id(), H5P_DEFAULT)));
      write_attribute(group.id(), format::attribute::class_name, actor.class_name);
      write_attribute(group.id(), format::attribute::name, actor.name);
      write_attribute(group.id(), format::attribute::sequence, actor.sequence);
      write_attribute(group.id(), format::attribute::resources, actor.resources);
      write_attribute(group.id(), format::attribute::writer_rank,
                      static_cast<std::int32_t>(writer));
      H5Handle state = create_dataset(group.id(), format::state_dataset, H5T_NATIVE_UINT8,
                                      {actor.state_bytes}, actor.state_crc32, no_fill.id());
      if (mine) {
        own.push_back({std::move(state), H5T_NATIVE_UINT8, local[index].archive, &actor.key});
      }
      for (std::size_t a = 0; a < actor.arrays.size(); ++a) {
        const ArrayLayout& array = actor.arrays[a];
        const hid_t type = native_type(static_cast<ElementType>(array.type));
        H5Handle dataset =
            create_dataset(group.id(), array.name, type, array.dims, array.crc32, no_fill.id());
        if (mine) {
          own.push_back({std::move(dataset), type, local[index].arrays[a].data(), &actor.key});
        }
      }
    }
  }
  return own;
}

/// Writes this rank's bytes into its datasets (independent I/O, so ranks need not wait for each
/// other), with `actor` naming the actor being written.
void write_own(std::vector<OwnDataset>& own, std::string& actor) {
  for (OwnDataset& target : own) {
    actor = *target.actor;
    if (!target.bytes.empty()) {
      MANTA_CHECK_H5(H5Dwrite(target.dataset.id(), target.memory_type, H5S_ALL, H5S_ALL,
                              H5P_DEFAULT, target.bytes.data()));
    }
    target.dataset.close();
  }
  actor.clear();
}

}  // namespace

fs::path write_checkpoint(MPI_Comm comm, const fs::path& directory,
                          std::span<const ActorRecord> local_records, const FileInfo& info,
                          int keep_last, const std::optional<RankFailure>& local_failure) {
  int rank = 0;
  MANTA_CHECK_MPI(MPI_Comm_rank(comm, &rank));
  agree(comm, local_failure, checkpoint_path(directory, info.epoch));
  const Hdf5Session session;
  const std::vector<RankLayout> layouts = gather_layouts(comm, describe(local_records, info));
  const fs::path final_path = checkpoint_path(directory, layouts.front().epoch);
  const fs::path temporary = temporary_path(final_path);
  std::optional<Failure> failure = layout_problem(layouts);
  if (!failure && keep_last < 1) {
    failure = Failure{"", "keep_last is " + std::to_string(keep_last) + "; keep at least 1"};
  }
  if (failure) throw CheckpointError(final_path, failure->actor, failure->problem);

  if (rank == 0) {
    failure = attempt("", [&] { create_private_directories(directory); });
  }
  agree(comm, failure, final_path);

  TemporaryFile cleanup(temporary, rank == 0);
  {
    H5Handle file;
    std::vector<OwnDataset> own;
    std::string actor;  // the one whose bytes are being written, for messages
    const auto create = [&] {
      file = create_file(comm, temporary);
      if (rank == 0) make_private(temporary);  // before any actor's state is in it
      own = create_layout(file.id(), layouts, rank, local_records);
    };
    agree(comm, attempt(actor, create), temporary);
    agree(comm, attempt(actor, [&] { write_own(own, actor); }), temporary);
    // H5Fflush ends in MPI_File_sync: every rank's bytes are on disk before the rename.
    const auto sync_and_close = [&] {
      MANTA_CHECK_H5(H5Fflush(file.id(), H5F_SCOPE_GLOBAL));
      file.close();
    };
    agree(comm, attempt(actor, sync_and_close), temporary);
  }
  if (rank == 0) {
    failure = attempt("", [&] { commit_file(temporary, final_path); });
    if (!failure) cleanup.commit();
  }
  agree(comm, failure, temporary);
  if (rank == 0) rotate_checkpoints(directory, keep_last, final_path);
  return final_path;
}

}  // namespace manta::checkpoint
