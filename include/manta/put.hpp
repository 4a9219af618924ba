/// @file put.hpp
/// @brief put: place a value in the object store (Ray's `ray.put`).
#pragma once
#include "detail/public_header.hpp"

#include "object_ref.hpp"

#include <type_traits>
#include <utility>

namespace manta {

/// @brief Stores `value` as an immutable object owned by this rank and returns its ref.
///
/// Values of at least RuntimeOptions::inline_object_limit bytes are written once, straight into
/// this rank's shared-memory store (arrays raw, others through Boost.Serialization); smaller ones
/// stay typed in memory. Either way `get` and task arguments see the same value. Thread-safe.
/// @code
/// auto db = manta::put(std::vector<std::string>{"Learning", "Ray"});
/// manta::task(lookup).remote(1, db);   // the task receives the vector, not the ref
/// @endcode
template <class T>
ObjectRef<std::decay_t<T>> put(T&& value) {
  using V = std::decay_t<T>;
  static_assert(!is_object_ref_v<V>, "manta::put of an ObjectRef: pass the ref itself instead");
  std::unique_ptr<detail::ValueBox> box;
  if constexpr (std::is_arithmetic_v<V> || std::is_enum_v<V>) {
    box = detail::make_box(std::forward<T>(value));
  } else {
    const std::size_t size = detail::serialized_size(value);
    if (size >= detail::inline_object_limit()) {
      box = detail::make_stored_box(value, size);
    } else {
      box = detail::make_box(std::forward<T>(value));
    }
  }
  return ObjectRef<V>::impl_adopt(detail::put_object(std::move(box)));
}

}  // namespace manta
