/// @file checkpoint/state.hpp
/// @brief An actor's Boost `serialize` into an ActorRecord and back, with the vectors it names with
/// manta::h5_array becoming native arrays in the checkpoint.
///
/// @code
/// checkpoint::ActorRecord record{.key = "policy", .class_name = "Policy", .sequence = calls};
/// checkpoint::save_state(policy, record);           // record.archive + record.arrays
/// ...
/// checkpoint::restore_state(restored, file, "policy");  // arrays read straight into place
/// checkpoint::load_state(restored, record);            // or from a record in memory
/// @endcode
#pragma once

#include <manta/error.hpp>
#include "checkpoint/record.hpp"

#include <manta/detail/serialization.hpp>

#include <boost/archive/binary_oarchive.hpp>

#include <exception>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace manta::checkpoint {

/// How save_archive() keeps the vectors named with manta::h5_array.
enum class ArrayCapture {
  copy,    ///< into NativeArray::bytes: the owner may change them at once
  borrow,  ///< as NativeArray::borrowed: the owner leaves them alone until the write is done
};

/// @brief While alive, manta::h5_array on this thread adds its vector to `arrays` instead of
/// writing it into the archive. Restores the previous sink when destroyed.
class NativeArraySink {
 public:
  explicit NativeArraySink(std::vector<NativeArray>& arrays,
                           ArrayCapture capture = ArrayCapture::copy);
  ~NativeArraySink();
  NativeArraySink(const NativeArraySink&) = delete;
  NativeArraySink& operator=(const NativeArraySink&) = delete;

 private:
  std::vector<NativeArray>* previous_;
  ArrayCapture previous_capture_;
};

/// @brief Where manta::h5_array finds the arrays a checkpoint stored natively while an actor is
/// restored on this thread. Constructing one makes it the thread's source until it is destroyed.
class NativeArraySource {
 public:
  NativeArraySource(const NativeArraySource&) = delete;
  NativeArraySource& operator=(const NativeArraySource&) = delete;

  /// Fills `destination` with the array `name`, after check_native_array().
  /// @throws manta::Error naming the array if it is missing or damaged
  virtual void load(std::string_view name, ElementType type,
                    std::span<const std::uint64_t> expected_dims,
                    detail::NativeArrayDestination& destination) const = 0;

 protected:
  NativeArraySource();
  ~NativeArraySource();

 private:
  const NativeArraySource* previous_;
};

/// @brief The arrays of a record in memory.
class RecordArraySource final : public NativeArraySource {
 public:
  explicit RecordArraySource(std::span<const NativeArray> arrays) : arrays_(arrays) {}
  void load(std::string_view name, ElementType type, std::span<const std::uint64_t> expected_dims,
            detail::NativeArrayDestination& destination) const override;

 private:
  std::span<const NativeArray> arrays_;
};

/// @throws manta::TypeMismatchError naming array `name` unless it was stored as `type` values and,
/// when `expected_dims` is not empty, with that shape
void check_native_array(std::string_view name, ElementType stored_type,
                        std::span<const std::uint64_t> stored_dims, ElementType type,
                        std::span<const std::uint64_t> expected_dims);

/// Boost archive flags of actor state. Unlike messages between ranks, state keeps Boost's header:
/// it records the archive's version, so that a later Boost still reads today's checkpoints.
inline constexpr unsigned state_archive_flags = boost::archive::no_codecvt;

/// Throws CheckpointError "cannot <verb> its state (class C): <error>" for `record`'s actor.
[[noreturn]] void throw_state_error(const char* verb, const ActorRecord& record,
                                    const std::filesystem::path& file, const std::exception& error);

/// Reads a state archive with `read`.
void read_archive(std::span<const std::byte> archive,
                  const std::function<void(detail::InputArchive&)>& read);

/// @brief Fills `record.archive` with what `write` writes into a state archive, and
/// `record.arrays` with the vectors it names with manta::h5_array (copied or borrowed, as
/// `capture` says). Leaves the record's other fields alone.
/// @throws CheckpointError naming the actor if `write` throws (e.g. two arrays share a name)
void save_archive(const std::function<void(boost::archive::binary_oarchive&)>& write,
                  ActorRecord& record, ArrayCapture capture = ArrayCapture::copy);

/// @brief Reads a record save_archive() made, or read_actor() read, with `read`.
/// @param file where the record came from, for messages ("" if from memory)
/// @throws CheckpointError naming the file and actor if `read` throws: the archive does not fit
///   the class, or an h5_array is missing from the record or has another element type or shape
void load_archive(const std::function<void(detail::InputArchive&)>& read, const ActorRecord& record,
                  const std::filesystem::path& file = {});

/// @brief Reads actor `key` of checkpoint `file` with `read`, each h5_array going straight from
/// its dataset into its vector (no intermediate copy: half the memory of read_actor() then
/// load_archive()), every checksum verified. Not collective. `read` runs while this layer holds
/// the process's HDF5 lock, so it must not call this layer itself.
/// @throws CheckpointError as read_actor() and load_archive()
void restore_archive(const std::filesystem::path& file, const std::string& key,
                     const std::function<void(detail::InputArchive&)>& read);

/// @brief Serializes `state` (Boost `serialize`) into `record` (see save_archive()).
template <class T>
void save_state(const T& state, ActorRecord& record) {
  save_archive([&](boost::archive::binary_oarchive& output) { output << state; }, record);
}

/// @brief Restores `state` from a record (see load_archive()); on error `state` is partly
/// restored.
template <class T>
void load_state(T& state, const ActorRecord& record, const std::filesystem::path& file = {}) {
  load_archive([&](detail::InputArchive& input) { input >> state; }, record, file);
}

/// @brief Restores `state` from actor `key` of checkpoint `file` (see restore_archive()); on
/// error `state` is partly restored.
template <class T>
void restore_state(T& state, const std::filesystem::path& file, const std::string& key) {
  restore_archive(file, key, [&](detail::InputArchive& input) { input >> state; });
}

}  // namespace manta::checkpoint
