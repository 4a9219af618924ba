// Fuzzes the checkpoint reader (read_index, read_actor, verify_checkpoint, restore_archive) on
// checkpoint files whose every Manta-level part comes from the input: the root and actor
// attributes (present or missing, right or wrong), the actors, the state archive's bytes, the
// h5_array datasets' types and shapes, a shape the file does not store (up to 2^40 elements), the
// CRC-32s. The HDF5 structure itself is always well formed: HDF5's own parser of damaged files is
// HDF5's to harden, and Debian's 1.10 is known not to be. Every failure must be a CheckpointError;
// anything else (a crash, a sanitizer report, another exception, a huge allocation) is a finding.
#include "checkpoint/checkpoint.hpp"
#include "checkpoint/format.hpp"
#include "checkpoint/hdf5.hpp"
#include "checkpoint/state.hpp"

#include <fuzzer/FuzzedDataProvider.h>
#include <manta/detail/serialization.hpp>
#include <manta/error.hpp>
#include <manta/h5_array.hpp>

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace manta::checkpoint;

/// Most inputs should get past the first checks to reach the later ones: a part is fuzzed only
/// when the input asks for it (1 in 8), and an exhausted input gives the right value.
bool fuzzed(FuzzedDataProvider& input) { return input.ConsumeIntegralInRange<int>(0, 7) == 7; }

template <class T>
void attribute(FuzzedDataProvider& input, hid_t object, const char* name, const T& right) {
  if (!fuzzed(input)) {
    write_attribute(object, name, right);
    return;
  }
  switch (input.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      return;  // missing
    case 1:
      write_attribute(object, name, input.ConsumeRandomLengthString(24));
      return;
    case 2:
      write_attribute(object, name, input.ConsumeIntegral<std::uint64_t>());
      return;
    default:
      write_attribute(object, name, input.ConsumeIntegral<std::int32_t>());
  }
}

/// A dataset of `type` and shape `dims`, filled from the input when it has the bytes (else
/// stored nowhere: HDF5 allocates late), with its crc32 attribute.
void dataset(FuzzedDataProvider& input, hid_t group, const std::string& name, ElementType type,
             const std::vector<std::uint64_t>& dims) {
  std::uint64_t bytes = manta::detail::element_size(type);
  for (const std::uint64_t extent : dims) {
    bytes = extent != 0 && bytes > UINT64_MAX / extent ? UINT64_MAX : bytes * extent;
  }
  const H5Handle space = make_dataspace(dims);
  const H5Handle creation(MANTA_CHECK_H5(H5Pcreate(H5P_DATASET_CREATE)));
  MANTA_CHECK_H5(H5Pset_alloc_time(creation.id(), H5D_ALLOC_TIME_LATE));
  const H5Handle written(
      MANTA_CHECK_H5(H5Dcreate2(group, name.c_str(), native_type(type), space.id(), H5P_DEFAULT,
                                creation.id(), H5P_DEFAULT)));
  std::uint32_t crc = 0;
  if (bytes <= input.remaining_bytes() && bytes <= (1U << 16)) {
    std::vector<std::byte> data = input.ConsumeBytes<std::byte>(bytes);
    data.resize(bytes);
    if (bytes > 0) {
      MANTA_CHECK_H5(
          H5Dwrite(written.id(), native_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()));
    }
    crc = format::crc32(data);
  }
  attribute(input, written.id(), format::attribute::crc32, crc);
}

std::vector<std::uint64_t> shape(FuzzedDataProvider& input) {
  std::vector<std::uint64_t> dims(input.ConsumeIntegralInRange<std::size_t>(1, 3));
  for (auto& extent : dims) {
    extent = fuzzed(input) ? input.ConsumeIntegralInRange<std::uint64_t>(0, std::uint64_t{1} << 40)
                           : input.ConsumeIntegralInRange<std::uint64_t>(0, 16);
  }
  return dims;
}

/// Writes the file the input describes. @throws Problem when HDF5 refuses a part (a key it
/// cannot name, say): that input says nothing about the reader.
void write_file(FuzzedDataProvider& input, const fs::path& path) {
  const H5Handle file(
      MANTA_CHECK_H5(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)));
  attribute(input, file.id(), format::attribute::format, std::string(format::magic));
  attribute(input, file.id(), format::attribute::format_version, format::version);
  attribute(input, file.id(), format::attribute::job_id, std::string("42"));
  attribute(input, file.id(), format::attribute::ranks, std::int32_t{2});
  attribute(input, file.id(), format::attribute::time, std::string("2026-12-03T00:00:00Z"));
  attribute(input, file.id(), format::attribute::epoch, std::uint64_t{7});
  if (fuzzed(input)) return;  // no actors group
  const H5Handle actors(MANTA_CHECK_H5(
      H5Gcreate2(file.id(), format::actors_group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)));
  const int count = input.ConsumeIntegralInRange<int>(0, 3);
  for (int i = 0; i < count; ++i) {
    const std::string key =
        fuzzed(input) ? input.ConsumeRandomLengthString(12) : "actor" + std::to_string(i);
    const H5Handle group(MANTA_CHECK_H5(
        H5Gcreate2(actors.id(), key.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)));
    attribute(input, group.id(), format::attribute::class_name, std::string("Sim"));
    attribute(input, group.id(), format::attribute::name, std::string(""));
    attribute(input, group.id(), format::attribute::sequence, std::uint64_t(i));
    attribute(input, group.id(), format::attribute::resources, std::string("CPU 1"));
    attribute(input, group.id(), format::attribute::writer_rank, std::int32_t{0});
    const auto state_bytes =
        fuzzed(input)
            ? shape(input)
            : std::vector<std::uint64_t>{input.ConsumeIntegralInRange<std::uint64_t>(0, 512)};
    const auto state_type = fuzzed(input) ? ElementType::float64 : ElementType::uint8;
    dataset(input, group.id(), format::state_dataset, state_type, state_bytes);
    const int arrays = input.ConsumeIntegralInRange<int>(0, 2);
    for (int a = 0; a < arrays; ++a) {
      const auto type = static_cast<ElementType>(
          input.ConsumeIntegralInRange<int>(0, static_cast<int>(ElementType::float64)));
      dataset(input, group.id(), a == 0 ? "weights" : "counts", type, shape(input));
    }
  }
}

/// What an actor of this test keeps: plain values, and two h5_array datasets.
void read_state(manta::detail::InputArchive& archive) {
  std::tuple<std::string, std::vector<std::int64_t>, bool> plain;
  std::vector<double> weights;
  std::vector<std::int32_t> counts;
  archive >> plain;
  archive >> manta::h5_array("weights", weights);
  archive >> manta::h5_array("counts", counts, {2, 3});
}

const fs::path scratch =
    fs::temp_directory_path() / ("manta-fuzz-checkpoint-" + std::to_string(::getpid()) + ".h5");

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // refusals while writing are expected
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  try {
    write_file(input, scratch);
  } catch (const Problem&) {
    return 0;
  }
  try {
    verify_checkpoint(scratch);
  } catch (const manta::CheckpointError&) {
  }
  try {
    for (const ActorSummary& actor : read_index(scratch).actors) {
      try {
        static_cast<void>(read_actor(scratch, actor.key));
      } catch (const manta::CheckpointError&) {
      }
      try {
        restore_archive(scratch, actor.key, read_state);
      } catch (const manta::CheckpointError&) {
      }
    }
  } catch (const manta::CheckpointError&) {
  }
  return 0;
}
