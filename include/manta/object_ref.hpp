/// @file object_ref.hpp
/// @brief ObjectRef<T>: a reference to an immutable object that is, or will be, in the store.
#pragma once
#include "detail/public_header.hpp"

#include "detail/core_access.hpp"

#include <type_traits>

namespace manta {

/// @brief A future-like reference to an object of type T (Ray's ObjectRef).
///
/// Returned by `put`, by `task(f).remote(...)` and by actor calls. Copies share the object; when
/// the last copy anywhere is gone, the object is freed. Passing a ref as a task argument makes the
/// task wait for it and receive the value (the driver never fetches it). Thread-safe to copy.
///
/// @code
/// manta::ObjectRef<int> ref = manta::task(square).remote(3);
/// int nine = manta::get(ref);
/// @endcode
template <class T>
class ObjectRef {
 public:
  using value_type = T;

  /// An empty ref, refers to nothing (valid() is false).
  ObjectRef() = default;

  /// The object's id: owner rank and sequence.
  ObjectId id() const noexcept { return object_ ? detail::object_id(object_.get()) : ObjectId{}; }
  bool valid() const noexcept { return static_cast<bool>(object_); }
  /// True when the object is ready (sealed, or failed): `get` will not block.
  bool ready() const noexcept { return object_ && detail::object_is_ready(object_.get()); }

  /// The same object viewed as holding U. Unchecked here: `get` throws TypeMismatchError if the
  /// object does not hold a U.
  template <class U>
  ObjectRef<U> as() const {
    return ObjectRef<U>(object_);
  }

  /// @private Runtime use only.
  core::Object* impl_object() const noexcept { return object_.get(); }
  /// @private Takes over one reference held by the caller.
  static ObjectRef impl_adopt(core::Object* object) {
    return ObjectRef(detail::Handle<core::Object>::adopt(object));
  }

  friend bool operator==(const ObjectRef& a, const ObjectRef& b) noexcept {
    return a.object_.get() == b.object_.get();
  }

 private:
  template <class U>
  friend class ObjectRef;
  explicit ObjectRef(detail::Handle<core::Object> object) : object_(std::move(object)) {}

  detail::Handle<core::Object> object_;
};

template <class T>
struct is_object_ref : std::false_type {};
template <class T>
struct is_object_ref<ObjectRef<T>> : std::true_type {};
template <class T>
inline constexpr bool is_object_ref_v = is_object_ref<std::remove_cvref_t<T>>::value;

}  // namespace manta
