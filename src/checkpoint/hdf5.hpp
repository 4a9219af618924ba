/// @file checkpoint/hdf5.hpp
/// @brief The HDF5 C API as this layer uses it: one owning handle for every hid_t, one check that
/// turns a failed call into a Problem carrying HDF5's own explanation, one session that
/// serializes HDF5 use and silences its error printing, and typed attributes and datasets.
#pragma once

#include "checkpoint/record.hpp"

#include <hdf5.h>

#include <cstdint>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace manta::checkpoint {

/// @brief A failure found before the caller knows which file and actor it concerns; the public
/// functions catch it and throw CheckpointError with both.
class Problem : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// @brief Owns one HDF5 identifier (file, group, dataset, dataspace, datatype, attribute or
/// property list) and closes it with the matching H5*close.
class H5Handle {
 public:
  H5Handle() = default;
  explicit H5Handle(hid_t id) noexcept : id_(id) {}
  H5Handle(H5Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  H5Handle& operator=(H5Handle&& other) noexcept;
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  /// Closes without reporting: errors that matter are reported by an explicit close().
  ~H5Handle() { static_cast<void>(close_quietly()); }

  hid_t id() const noexcept { return id_; }
  /// Closes now. @throws Problem if HDF5 fails to (for a file: to write its last metadata)
  void close();

 private:
  herr_t close_quietly() noexcept;

  hid_t id_ = H5I_INVALID_HID;
};

/// @brief Held for the whole of every public call of this layer: HDF5 here is built without
/// thread safety, so one call at a time per process; and HDF5's own error printing is off, so
/// that a failure reaches the user as one CheckpointError instead of a stack dump on stderr.
/// Printing is restored at the end, unless an HDF5 call has failed in this process (hdf5.cpp says
/// why).
class Hdf5Session {
 public:
  Hdf5Session();
  ~Hdf5Session();
  Hdf5Session(const Hdf5Session&) = delete;
  Hdf5Session& operator=(const Hdf5Session&) = delete;

 private:
  std::unique_lock<std::mutex> lock_;
  H5E_auto2_t saved_printer_ = nullptr;
  void* saved_printer_data_ = nullptr;
};

/// Returns `result`, or throws Problem "<call> failed at <file>:<line>: <HDF5's explanation>"
/// (util::failed_call_text) when it is negative (every HDF5 call signals failure so).
std::int64_t check_h5(std::int64_t result, const char* call, const char* file, int line);

/// Creates a 1-D or N-D dataspace of `dims`.
H5Handle make_dataspace(std::span<const std::uint64_t> dims);

/// The HDF5 native type of `type` (not to be closed).
hid_t native_type(ElementType type);
/// The element type of a dataset's stored type. @throws Problem if it is not one Manta writes
ElementType element_type_of_dataset(hid_t dataset);
/// The shape of a dataset.
std::vector<std::uint64_t> dataset_dims(hid_t dataset);

/// Writes a fixed-length UTF-8 string attribute (fixed length: parallel HDF5 writes it collectively
/// like any other attribute).
void write_attribute(hid_t object, const char* name, const std::string& value);
void write_attribute(hid_t object, const char* name, std::uint64_t value);
void write_attribute(hid_t object, const char* name, std::int32_t value);
void write_attribute(hid_t object, const char* name, std::uint32_t value);

/// Reads an attribute written by write_attribute. @throws Problem naming it if it is missing or
/// of another type
std::string read_string_attribute(hid_t object, const char* name);
std::uint64_t read_uint64_attribute(hid_t object, const char* name);
std::int32_t read_int32_attribute(hid_t object, const char* name);
std::uint32_t read_uint32_attribute(hid_t object, const char* name);

/// Names of the links in `group`, in the order they were created.
std::vector<std::string> link_names(hid_t group);

}  // namespace manta::checkpoint

#define MANTA_CHECK_H5(call) ::manta::checkpoint::check_h5((call), #call, __FILE__, __LINE__)
