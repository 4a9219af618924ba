/// @file detail/h5_array_hooks.hpp
/// @brief What manta::h5_array needs from the library: element types, and the hooks through which
/// the checkpoint layer collects arrays while it saves an actor and hands them back while it
/// restores one. Both hooks act on the calling thread only.
#pragma once
#include "public_header.hpp"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace manta::detail {

/// Element type of a numeric array, as stored in a checkpoint (an HDF5 native type).
enum class ElementType : std::uint8_t {
  int8,
  uint8,
  int16,
  uint16,
  int32,
  uint32,
  int64,
  uint64,
  float32,
  float64,
};

/// The integer ElementType of `bytes` bytes (1, 2, 4 or 8; anything else is taken as 8).
constexpr ElementType integer_element_type(bool is_signed, std::size_t bytes) {
  switch (bytes) {
    case 1:
      return is_signed ? ElementType::int8 : ElementType::uint8;
    case 2:
      return is_signed ? ElementType::int16 : ElementType::uint16;
    case 4:
      return is_signed ? ElementType::int32 : ElementType::uint32;
    default:
      return is_signed ? ElementType::int64 : ElementType::uint64;
  }
}

/// The ElementType holding values of the arithmetic type E.
template <class E>
constexpr ElementType element_type_of() {
  static_assert(std::is_arithmetic_v<E> && !std::is_same_v<E, bool>,
                "h5_array holds vectors of integers or floating-point numbers (not bool)");
  if constexpr (std::is_floating_point_v<E>) {
    static_assert(sizeof(E) == 4 || sizeof(E) == 8,
                  "h5_array holds float or double, not long double");
    return sizeof(E) == 4 ? ElementType::float32 : ElementType::float64;
  } else {
    return integer_element_type(std::is_signed_v<E>, sizeof(E));
  }
}

/// Bytes per element of `type`.
constexpr std::size_t element_size(ElementType type) {
  switch (type) {
    case ElementType::int8:
    case ElementType::uint8:
      return 1;
    case ElementType::int16:
    case ElementType::uint16:
      return 2;
    case ElementType::int32:
    case ElementType::uint32:
    case ElementType::float32:
      return 4;
    default:
      return 8;
  }
}

/// "int8" … "float64", for messages ("unknown" for a value read from a damaged archive).
constexpr std::string_view element_type_name(ElementType type) {
  constexpr std::string_view names[] = {"int8",   "uint8", "int16",  "uint16",  "int32",
                                        "uint32", "int64", "uint64", "float32", "float64"};
  const auto index = static_cast<std::size_t>(type);
  return index < std::size(names) ? names[index] : "unknown";
}

/// "3 x 4" for dims {3, 4}, for messages.
inline std::string shape_text(std::span<const std::uint64_t> dims) {
  std::string text;
  for (const std::uint64_t extent : dims) {
    if (!text.empty()) text += " x ";
    text += std::to_string(extent);
  }
  return text;
}

/// A numeric array being saved: borrowed for the duration of the call.
struct NativeArrayView {
  std::string_view name;
  ElementType type = ElementType::uint8;
  std::span<const std::uint64_t> dims;  ///< row-major shape; its product is the element count
  std::span<const std::byte> bytes;
};

/// Where h5_array_load_native() puts an array's values: the vector being loaded.
class NativeArrayDestination {
 public:
  /// Makes room for `elements` values and returns their bytes, to be overwritten.
  virtual std::span<std::byte> resize(std::uint64_t elements) = 0;

 protected:
  ~NativeArrayDestination() = default;
};

/// True on a thread that is saving an actor for a checkpoint: h5_array then hands its vector to
/// h5_array_save_native() instead of writing it into the archive. Thread-safe.
bool h5_array_saving_natively() noexcept;

/// Adds `array` to the checkpoint being saved on this thread (the bytes are copied).
/// @throws manta::Error if the name is empty, contains '/', is "state", or was already used by
/// this actor, or if no checkpoint is being saved on this thread
void h5_array_save_native(const NativeArrayView& array);

/// Loads the array called `name` of the actor being restored on this thread into `destination`
/// (from memory, or straight from the checkpoint file, its checksum verified).
/// @param expected_dims when not empty, the array must have exactly this shape
/// @throws manta::Error naming the array if no actor is being restored on this thread, or the
/// array is missing, damaged, or holds another element type or shape
void h5_array_load_native(std::string_view name, ElementType type,
                          std::span<const std::uint64_t> expected_dims,
                          NativeArrayDestination& destination);

}  // namespace manta::detail
