/// @file get.hpp
/// @brief get: block until objects are ready and read their values (Ray's `ray.get`).
#pragma once
#include "detail/public_header.hpp"

#include "error.hpp"
#include "object_ref.hpp"

#include <chrono>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace manta {
namespace detail {

template <class T>
using stored_t = std::conditional_t<std::is_void_v<T>, Unit, T>;

template <class T>
core::Object* checked_object(const ObjectRef<T>& ref) {
  if (!ref.valid()) throw InvalidOptionError("get of an empty ObjectRef (it refers to no object)");
  return ref.impl_object();
}

/// The value of a ready (or soon ready) object, as a reference that lives as long as the object.
template <class T>
const stored_t<T>& value_of(const ObjectRef<T>& ref, Deadline deadline) {
  const ValueBox& box = object_value(checked_object(ref), typeid(stored_t<T>), deadline);
  return *static_cast<const stored_t<T>*>(box.value());
}

template <class T>
T get_until(const ObjectRef<T>& ref, Deadline deadline) {
  if constexpr (std::is_void_v<T>) {
    value_of(ref, deadline);
  } else {
    return value_of(ref, deadline);
  }
}

}  // namespace detail

/// @brief Blocks until `ref` is ready and returns a copy of its value.
///
/// Called from inside a task, the waiting worker gives its CPU slots back so that other tasks run
/// meanwhile (no deadlock on a bounded pool). Thread-safe.
/// @throws TaskError if the task that produces it failed (after its retries)
/// @throws TypeMismatchError if the object holds another type (see ObjectRef::as)
/// @code
/// std::vector<int> squares = manta::get(manta::task(square).remote(4));
/// @endcode
template <class T>
T get(const ObjectRef<T>& ref) {
  return detail::get_until(ref, std::nullopt);
}

/// @brief As get(ref), but throws GetTimeoutError naming the object and the task that was to
/// produce it when `timeout` passes first.
template <class T>
T get(const ObjectRef<T>& ref, std::chrono::duration<double> timeout) {
  return detail::get_until(ref, detail::deadline_after(timeout));
}

/// @brief Values of every ref, in order. The timeout, if given, bounds the whole call.
template <class T>
requires(!std::is_void_v<T>) std::vector<T> get(
    const std::vector<ObjectRef<T>>& refs,
    std::optional<std::chrono::duration<double>> timeout = std::nullopt) {
  const auto deadline = detail::deadline_after(timeout);
  // Wait for all at once (one wake-up), then read them in order.
  std::vector<core::Object*> objects;
  objects.reserve(refs.size());
  for (const auto& ref : refs) objects.push_back(detail::checked_object(ref));
  detail::wait_objects(objects, objects.size(), deadline);
  std::vector<T> values;
  values.reserve(refs.size());
  for (const auto& ref : refs) values.push_back(detail::get_until(ref, deadline));
  return values;
}

/// @brief Zero-copy view of an array object's elements, valid while `ref` (or a copy) lives.
/// Objects in the shared-memory store are read in place.
/// @code
/// auto ref = manta::put(std::vector<double>(1 << 24, 1.0));
/// std::span<const double> v = manta::get_view(ref);
/// @endcode
template <class E>
requires std::is_arithmetic_v<E> std::span<const E> get_view(const ObjectRef<std::vector<E>>& ref) {
  const auto bytes =
      detail::object_value(detail::checked_object(ref), typeid(std::vector<E>), std::nullopt)
          .raw_bytes();
  return {reinterpret_cast<const E*>(bytes.data()), bytes.size() / sizeof(E)};
}

/// @brief Zero-copy view of a string object, valid while `ref` (or a copy) lives.
inline std::string_view get_view(const ObjectRef<std::string>& ref) {
  const auto bytes =
      detail::object_value(detail::checked_object(ref), typeid(std::string), std::nullopt)
          .raw_bytes();
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace manta
