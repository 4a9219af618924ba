// The thread-local hooks behind manta::h5_array (include/manta/detail/h5_array_hooks.hpp): the
// sink save_state() installs, and the source load_state() or restore_state() installs.
#include "checkpoint/state.hpp"

#include "checkpoint/format.hpp"

#include <manta/error.hpp>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

namespace manta {

namespace {

thread_local std::vector<checkpoint::NativeArray>* saving_into = nullptr;
thread_local checkpoint::ArrayCapture capturing = checkpoint::ArrayCapture::copy;
thread_local const checkpoint::NativeArraySource* restoring_from = nullptr;

std::string quoted(std::string_view name) { return "h5_array '" + std::string(name) + "'"; }

}  // namespace

namespace checkpoint {

NativeArraySink::NativeArraySink(std::vector<NativeArray>& arrays, ArrayCapture capture)
    : previous_(std::exchange(saving_into, &arrays)),
      previous_capture_(std::exchange(capturing, capture)) {}

NativeArraySink::~NativeArraySink() {
  saving_into = previous_;
  capturing = previous_capture_;
}

NativeArraySource::NativeArraySource() : previous_(std::exchange(restoring_from, this)) {}

NativeArraySource::~NativeArraySource() { restoring_from = previous_; }

void RecordArraySource::load(std::string_view name, ElementType type,
                             std::span<const std::uint64_t> expected_dims,
                             detail::NativeArrayDestination& destination) const {
  const auto found = std::find_if(arrays_.begin(), arrays_.end(),
                                  [&](const NativeArray& array) { return array.name == name; });
  if (found == arrays_.end()) {
    std::string held;
    for (const NativeArray& array : arrays_)
      held += (held.empty() ? "'" : ", '") + array.name + "'";
    throw Error(quoted(name) + " is missing from the checkpoint (the actor has " +
                (held.empty() ? std::string("no arrays") : "arrays " + held) + ")");
  }
  check_native_array(name, found->type, found->dims, type, expected_dims);
  const std::span<std::byte> target =
      destination.resize(found->bytes.size() / detail::element_size(type));
  if (!target.empty()) std::memcpy(target.data(), found->bytes.data(), target.size());
}

void check_native_array(std::string_view name, ElementType stored_type,
                        std::span<const std::uint64_t> stored_dims, ElementType type,
                        std::span<const std::uint64_t> expected_dims) {
  if (stored_type != type) {
    throw TypeMismatchError(quoted(name) + " holds " +
                            std::string(detail::element_type_name(stored_type)) +
                            " values in the checkpoint, but is loaded as " +
                            std::string(detail::element_type_name(type)));
  }
  if (!expected_dims.empty() && !std::ranges::equal(stored_dims, expected_dims)) {
    throw TypeMismatchError(quoted(name) + " has shape " + detail::shape_text(stored_dims) +
                            " in the checkpoint, but is loaded as " +
                            detail::shape_text(expected_dims));
  }
}

void throw_state_error(const char* verb, const ActorRecord& record,
                       const std::filesystem::path& file, const std::exception& error) {
  const std::string of_class =
      record.class_name.empty() ? "" : " (class " + record.class_name + ")";
  throw CheckpointError(
      file, record.key,
      std::string("cannot ") + verb + " its state" + of_class + ": " + error.what());
}

void read_archive(std::span<const std::byte> archive,
                  const std::function<void(detail::InputArchive&)>& read) {
  detail::InputArchive input(archive, state_archive_flags);
  read(input);
}

void save_archive(const std::function<void(boost::archive::binary_oarchive&)>& write,
                  ActorRecord& record, ArrayCapture capture) {
  record.archive.clear();
  record.arrays.clear();
  try {
    const NativeArraySink sink(record.arrays, capture);
    detail::VectorBuffer buffer(record.archive);
    boost::archive::binary_oarchive output(buffer, state_archive_flags);
    write(output);
  } catch (const std::exception& error) {
    throw_state_error("save", record, {}, error);
  }
}

void load_archive(const std::function<void(detail::InputArchive&)>& read, const ActorRecord& record,
                  const std::filesystem::path& file) {
  try {
    const RecordArraySource source(record.arrays);
    read_archive(record.archive, read);
  } catch (const std::exception& error) {
    throw_state_error("restore", record, file, error);
  }
}

}  // namespace checkpoint

namespace detail {

bool h5_array_saving_natively() noexcept { return saving_into != nullptr; }

void h5_array_save_native(const NativeArrayView& array) {
  if (saving_into == nullptr) {
    throw Error(quoted(array.name) + ": no checkpoint is being saved on this thread");
  }
  if (auto problem = checkpoint::format::array_name_problem(array.name)) throw Error(*problem);
  const bool taken = std::any_of(saving_into->begin(), saving_into->end(),
                                 [&](const auto& saved) { return saved.name == array.name; });
  if (taken) {
    throw Error(quoted(array.name) + " appears twice in one actor's state; give each its own name");
  }
  checkpoint::NativeArray& saved = saving_into->emplace_back();
  saved.name = array.name;
  saved.type = array.type;
  saved.dims.assign(array.dims.begin(), array.dims.end());
  if (capturing == checkpoint::ArrayCapture::borrow) {
    saved.borrowed = array.bytes;
  } else {
    saved.bytes.assign(array.bytes.begin(), array.bytes.end());
  }
}

void h5_array_load_native(std::string_view name, ElementType type,
                          std::span<const std::uint64_t> expected_dims,
                          NativeArrayDestination& destination) {
  if (restoring_from == nullptr) {
    throw Error(quoted(name) +
                " was saved as a checkpoint dataset, but no checkpoint is being restored on this "
                "thread (restore with checkpoint::load_state or restore_state)");
  }
  restoring_from->load(name, type, expected_dims, destination);
}

}  // namespace detail

}  // namespace manta
