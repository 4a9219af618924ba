/// @file h5_array.hpp
/// @brief manta::h5_array: names a numeric vector inside a class's Boost `serialize`, so that a
/// checkpoint stores it as a native HDF5 dataset that h5dump and h5py read directly.
///
/// @code
/// class Policy {
///  public:
///   template <class Archive>
///   void serialize(Archive& ar, unsigned) {
///     ar & steps_ & rows_ & cols_;
///     ar & manta::h5_array("weights", weights_, {rows_, cols_});  // a rows_ x cols_ dataset
///   }
///
///  private:
///   std::size_t steps_ = 0, rows_ = 0, cols_ = 0;
///   std::vector<double> weights_;
/// };
/// @endcode
///
/// In a checkpoint, the archive keeps only a marker and the values become the dataset
/// `/actors/<actor>/weights` with their own element type and shape. Everywhere else (state sent to
/// another rank, a value put in the store) the vector is serialized inline, as `ar & weights_`
/// would. Loading reads back whichever form was saved, and checks the element type and, when
/// `dims` are given, the shape.
#pragma once
#include "detail/public_header.hpp"

#include "detail/h5_array_hooks.hpp"
#include "error.hpp"

#include <boost/serialization/split_member.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/wrapper.hpp>

#include <cstdint>
#include <functional>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace manta {

namespace detail {
template <class T>
struct is_std_vector : std::false_type {};
template <class E, class A>
struct is_std_vector<std::vector<E, A>> : std::true_type {};
}  // namespace detail

/// @brief The Boost serialization wrapper h5_array() returns; use h5_array() rather than this.
/// @tparam Vector std::vector of an arithmetic type (const when only saved)
template <class Vector>
class H5Array : public boost::serialization::wrapper_traits<const H5Array<Vector>> {
  static_assert(detail::is_std_vector<std::remove_const_t<Vector>>::value,
                "h5_array takes a std::vector of integers, float or double");

 public:
  using Element = typename std::remove_const_t<Vector>::value_type;

  H5Array(std::string_view name, Vector& values, std::vector<std::uint64_t> dims)
      : name_(name), values_(&values), dims_(std::move(dims)) {}

  template <class Archive>
  void save(Archive& archive, unsigned /*version*/) const;
  template <class Archive>
  void load(Archive& archive, unsigned /*version*/) const;
  BOOST_SERIALIZATION_SPLIT_MEMBER()

 private:
  /// First byte in the archive: where the values are. Never renumber (files keep them).
  enum Storage : std::uint8_t { inline_values = 0, native_dataset = 1 };

  static constexpr detail::ElementType element_type = detail::element_type_of<Element>();

  std::string_view name_;
  Vector* values_;
  std::vector<std::uint64_t> dims_;  ///< as declared; empty: one dimension, any length
};

/// @brief Serializes `values` under `name`: a native HDF5 dataset in a checkpoint, inline anywhere
/// else. Use as `ar & manta::h5_array("weights", weights_)` in `serialize`.
/// @param name the dataset's name in the actor's group: unique within the actor, no '/', not
///   "state" (the archive's own dataset)
/// @param values a std::vector of integers, float or double
/// @param dims row-major shape, e.g. {rows, cols}; empty means one dimension of values.size()
/// @throws manta::InvalidOptionError on saving if dims do not hold values.size() elements;
///   manta::TypeMismatchError on loading values of another element type or shape
/// @note Thread safety: as for the Boost serialization it is part of; a checkpoint's save or
///   restore affects only the thread that runs it. Returns a const object so that Boost's
///   loading `operator&(T&)` binds to it.
template <class Vector>
const H5Array<Vector> h5_array(std::string_view name, Vector& values,
                               std::vector<std::uint64_t> dims = {}) {
  return H5Array<Vector>(name, values, std::move(dims));
}

// Function: save
template <class Vector>
template <class Archive>
void H5Array<Vector>::save(Archive& archive, unsigned /*version*/) const {
  const std::vector<std::uint64_t> dims =
      dims_.empty() ? std::vector<std::uint64_t>{values_->size()} : dims_;
  const std::uint64_t elements =
      std::accumulate(dims.begin(), dims.end(), std::uint64_t{1}, std::multiplies<>());
  if (elements != values_->size()) {
    throw InvalidOptionError("h5_array '" + std::string(name_) + "': dims " +
                             detail::shape_text(dims) + " hold " + std::to_string(elements) +
                             " elements, but the vector has " + std::to_string(values_->size()));
  }
  if (detail::h5_array_saving_natively()) {
    const std::uint8_t storage = native_dataset;
    const std::string name(name_);
    archive << storage << name;
    detail::h5_array_save_native(
        {name_, element_type, dims, std::as_bytes(std::span(values_->data(), values_->size()))});
  } else {
    const std::uint8_t storage = inline_values;
    const auto type = static_cast<std::uint8_t>(element_type);
    archive << storage << type << dims << *values_;
  }
}

// Function: load
template <class Vector>
template <class Archive>
void H5Array<Vector>::load(Archive& archive, unsigned /*version*/) const {
  static_assert(!std::is_const_v<Vector>, "h5_array cannot load into a const vector");
  const std::string what = "h5_array '" + std::string(name_) + "'";
  std::uint8_t storage = 0;
  archive >> storage;
  if (storage == native_dataset) {
    std::string stored_name;
    archive >> stored_name;
    struct Destination final : detail::NativeArrayDestination {
      explicit Destination(Vector& values) : vector(values) {}
      std::span<std::byte> resize(std::uint64_t elements) override {
        vector.resize(elements);
        return std::as_writable_bytes(std::span(vector.data(), vector.size()));
      }
      Vector& vector;
    } destination(*values_);
    detail::h5_array_load_native(stored_name, element_type, dims_, destination);
  } else if (storage == inline_values) {
    std::uint8_t type = 0;
    std::vector<std::uint64_t> dims;
    archive >> type >> dims;
    if (type != static_cast<std::uint8_t>(element_type)) {
      throw TypeMismatchError(
          what + " holds " +
          std::string(detail::element_type_name(static_cast<detail::ElementType>(type))) +
          " values, but is loaded as " + std::string(detail::element_type_name(element_type)));
    }
    if (!dims_.empty() && dims != dims_) {
      throw TypeMismatchError(what + " has shape " + detail::shape_text(dims) +
                              ", but is loaded as " + detail::shape_text(dims_));
    }
    archive >> *values_;
  } else {
    throw Error(what + ": unknown storage marker " + std::to_string(storage) +
                " (written by a newer Manta?)");
  }
}

}  // namespace manta
