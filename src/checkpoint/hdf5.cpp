#include "checkpoint/hdf5.hpp"

#include "util/failure.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string_view>

namespace manta::checkpoint {

namespace {

std::mutex& hdf5_mutex() {
  static std::mutex mutex;
  return mutex;
}

/// Set by the first failed HDF5 call. HDF5 1.10 leaks internal objects when it fails to load
/// damaged metadata, and then, if its error printing is on when the library shuts down at exit,
/// prints "HDF5: infinite loop closing library". So once a call has failed, printing stays off.
std::atomic<bool> some_call_failed{false};

/// HDF5's error stack, outermost call first, as "what: why: ...", then cleared.
std::string take_error_stack() {
  std::vector<std::string> descriptions;
  const auto collect = [](unsigned, const H5E_error2_t* error, void* data) -> herr_t {
    auto& found = *static_cast<std::vector<std::string>*>(data);
    if (error->desc != nullptr && *error->desc != '\0') found.emplace_back(error->desc);
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &descriptions);
  H5Eclear2(H5E_DEFAULT);
  // Adjacent frames often repeat one another ("unable to open file" twice): say each once.
  descriptions.erase(std::unique(descriptions.begin(), descriptions.end()), descriptions.end());
  std::string text;
  for (const std::string& description : descriptions) {
    if (!text.empty()) text += ": ";
    text += description;
  }
  return text.empty() ? "no explanation from HDF5" : text;
}

template <class T>
void write_scalar_attribute(hid_t object, const char* name, hid_t type, const T& value) {
  const H5Handle space(MANTA_CHECK_H5(H5Screate(H5S_SCALAR)));
  const H5Handle attribute(
      MANTA_CHECK_H5(H5Acreate2(object, name, type, space.id(), H5P_DEFAULT, H5P_DEFAULT)));
  MANTA_CHECK_H5(H5Awrite(attribute.id(), type, &value));
}

template <class T>
T read_scalar_attribute(hid_t object, const char* name, hid_t type, H5T_class_t expected_class) {
  if (MANTA_CHECK_H5(H5Aexists(object, name)) == 0) {
    throw Problem("attribute '" + std::string(name) + "' is missing");
  }
  const H5Handle attribute(MANTA_CHECK_H5(H5Aopen(object, name, H5P_DEFAULT)));
  const H5Handle stored_type(MANTA_CHECK_H5(H5Aget_type(attribute.id())));
  if (H5Tget_class(stored_type.id()) != expected_class) {
    throw Problem("attribute '" + std::string(name) + "' has an unexpected type");
  }
  T value{};
  MANTA_CHECK_H5(H5Aread(attribute.id(), type, &value));
  return value;
}

}  // namespace

H5Handle& H5Handle::operator=(H5Handle&& other) noexcept {
  if (this != &other) {
    static_cast<void>(close_quietly());
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
  }
  return *this;
}

void H5Handle::close() { MANTA_CHECK_H5(close_quietly()); }

herr_t H5Handle::close_quietly() noexcept {
  const hid_t id = std::exchange(id_, H5I_INVALID_HID);
  if (id == H5I_INVALID_HID) return 0;
  switch (H5Iget_type(id)) {
    case H5I_FILE:
      return H5Fclose(id);
    case H5I_GROUP:
      return H5Gclose(id);
    case H5I_DATASET:
      return H5Dclose(id);
    case H5I_DATASPACE:
      return H5Sclose(id);
    case H5I_DATATYPE:
      return H5Tclose(id);
    case H5I_ATTR:
      return H5Aclose(id);
    case H5I_GENPROP_LST:
      return H5Pclose(id);
    default:
      return H5Idec_ref(id);
  }
}

Hdf5Session::Hdf5Session() : lock_(hdf5_mutex()) {
  H5Eget_auto2(H5E_DEFAULT, &saved_printer_, &saved_printer_data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Hdf5Session::~Hdf5Session() {
  if (!some_call_failed) H5Eset_auto2(H5E_DEFAULT, saved_printer_, saved_printer_data_);
}

std::int64_t check_h5(std::int64_t result, const char* call, const char* file, int line) {
  if (result >= 0) return result;
  some_call_failed = true;
  throw Problem(util::failed_call_text(call, file, line, take_error_stack()));
}

H5Handle make_dataspace(std::span<const std::uint64_t> dims) {
  const std::vector<hsize_t> extents(dims.begin(), dims.end());
  return H5Handle(
      MANTA_CHECK_H5(H5Screate_simple(static_cast<int>(extents.size()), extents.data(), nullptr)));
}

hid_t native_type(ElementType type) {
  switch (type) {
    case ElementType::int8:
      return H5T_NATIVE_INT8;
    case ElementType::uint8:
      return H5T_NATIVE_UINT8;
    case ElementType::int16:
      return H5T_NATIVE_INT16;
    case ElementType::uint16:
      return H5T_NATIVE_UINT16;
    case ElementType::int32:
      return H5T_NATIVE_INT32;
    case ElementType::uint32:
      return H5T_NATIVE_UINT32;
    case ElementType::int64:
      return H5T_NATIVE_INT64;
    case ElementType::uint64:
      return H5T_NATIVE_UINT64;
    case ElementType::float32:
      return H5T_NATIVE_FLOAT;
    case ElementType::float64:
      return H5T_NATIVE_DOUBLE;
  }
  throw Problem("element type code " + std::to_string(static_cast<int>(type)) + " is unknown");
}

ElementType element_type_of_dataset(hid_t dataset) {
  const H5Handle type(MANTA_CHECK_H5(H5Dget_type(dataset)));
  const std::size_t size = H5Tget_size(type.id());
  switch (H5Tget_class(type.id())) {
    case H5T_INTEGER:
      if (size == 1 || size == 2 || size == 4 || size == 8) {
        return detail::integer_element_type(H5Tget_sign(type.id()) == H5T_SGN_2, size);
      }
      break;
    case H5T_FLOAT:
      if (size == 4) return ElementType::float32;
      if (size == 8) return ElementType::float64;
      break;
    default:
      break;
  }
  throw Problem(
      "its element type is not one Manta writes (integers of 1 to 8 bytes, float, double)");
}

std::vector<std::uint64_t> dataset_dims(hid_t dataset) {
  const H5Handle space(MANTA_CHECK_H5(H5Dget_space(dataset)));
  const int rank = static_cast<int>(MANTA_CHECK_H5(H5Sget_simple_extent_ndims(space.id())));
  std::vector<hsize_t> extents(static_cast<std::size_t>(rank));
  MANTA_CHECK_H5(H5Sget_simple_extent_dims(space.id(), extents.data(), nullptr));
  return {extents.begin(), extents.end()};
}

void write_attribute(hid_t object, const char* name, const std::string& value) {
  // HDF5 has no zero-length fixed strings: "" is stored as one NUL byte (NULPAD reads it back "").
  const H5Handle type(MANTA_CHECK_H5(H5Tcopy(H5T_C_S1)));
  MANTA_CHECK_H5(H5Tset_size(type.id(), std::max<std::size_t>(value.size(), 1)));
  MANTA_CHECK_H5(H5Tset_strpad(type.id(), H5T_STR_NULLPAD));
  MANTA_CHECK_H5(H5Tset_cset(type.id(), H5T_CSET_UTF8));
  const H5Handle space(MANTA_CHECK_H5(H5Screate(H5S_SCALAR)));
  const H5Handle attribute(
      MANTA_CHECK_H5(H5Acreate2(object, name, type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT)));
  const std::string padded = value.empty() ? std::string(1, '\0') : value;
  MANTA_CHECK_H5(H5Awrite(attribute.id(), type.id(), padded.data()));
}

void write_attribute(hid_t object, const char* name, std::uint64_t value) {
  write_scalar_attribute(object, name, H5T_NATIVE_UINT64, value);
}

void write_attribute(hid_t object, const char* name, std::int32_t value) {
  write_scalar_attribute(object, name, H5T_NATIVE_INT32, value);
}

void write_attribute(hid_t object, const char* name, std::uint32_t value) {
  write_scalar_attribute(object, name, H5T_NATIVE_UINT32, value);
}

std::string read_string_attribute(hid_t object, const char* name) {
  if (MANTA_CHECK_H5(H5Aexists(object, name)) == 0) {
    throw Problem("attribute '" + std::string(name) + "' is missing");
  }
  const H5Handle attribute(MANTA_CHECK_H5(H5Aopen(object, name, H5P_DEFAULT)));
  const H5Handle type(MANTA_CHECK_H5(H5Aget_type(attribute.id())));
  if (H5Tget_class(type.id()) != H5T_STRING || H5Tis_variable_str(type.id()) != 0) {
    throw Problem("attribute '" + std::string(name) + "' is not a fixed-length string");
  }
  std::string value(H5Tget_size(type.id()), '\0');
  MANTA_CHECK_H5(H5Aread(attribute.id(), type.id(), value.data()));
  value.resize(std::strlen(value.c_str()));  // drop the NUL padding
  return value;
}

std::uint64_t read_uint64_attribute(hid_t object, const char* name) {
  return read_scalar_attribute<std::uint64_t>(object, name, H5T_NATIVE_UINT64, H5T_INTEGER);
}

std::int32_t read_int32_attribute(hid_t object, const char* name) {
  return read_scalar_attribute<std::int32_t>(object, name, H5T_NATIVE_INT32, H5T_INTEGER);
}

std::uint32_t read_uint32_attribute(hid_t object, const char* name) {
  return read_scalar_attribute<std::uint32_t>(object, name, H5T_NATIVE_UINT32, H5T_INTEGER);
}

std::vector<std::string> link_names(hid_t group) {
  H5G_info_t info;
  MANTA_CHECK_H5(H5Gget_info(group, &info));
  std::vector<std::string> names;
  names.reserve(info.nlinks);
  for (hsize_t index = 0; index < info.nlinks; ++index) {
    const auto length = MANTA_CHECK_H5(H5Lget_name_by_idx(
        group, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, index, nullptr, 0, H5P_DEFAULT));
    std::string name(static_cast<std::size_t>(length) + 1, '\0');
    MANTA_CHECK_H5(H5Lget_name_by_idx(group, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, index,
                                      name.data(), name.size(), H5P_DEFAULT));
    name.resize(static_cast<std::size_t>(length));
    names.push_back(std::move(name));
  }
  return names;
}

}  // namespace manta::checkpoint
