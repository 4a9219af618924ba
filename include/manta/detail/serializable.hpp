/// @file detail/serializable.hpp
/// @brief Which types Manta can send to another rank: arithmetic types, strings, the standard
/// containers of such types, and classes with a Boost.Serialization `serialize` member.
/// Specialize manta::is_serializable<T> for a type serialized by a free `serialize` function.
#pragma once
#include "public_header.hpp"

#include "archive_fwd.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace manta {

template <class T>
struct is_serializable;

namespace detail {
template <class T>
concept has_serialize_member = requires(T& value, boost::archive::binary_oarchive& archive) {
  value.serialize(archive, 0u);
};
}  // namespace detail

/// True when values of T can be written to bytes and read back on another rank.
template <class T>
struct is_serializable : std::bool_constant<std::is_arithmetic_v<T> || std::is_enum_v<T> ||
                                            detail::has_serialize_member<T>> {};
template <>
struct is_serializable<std::string> : std::true_type {};
template <class T, class A>
struct is_serializable<std::vector<T, A>> : is_serializable<T> {};
template <class K, class C, class A>
struct is_serializable<std::set<K, C, A>> : is_serializable<K> {};
template <class K, class V, class C, class A>
struct is_serializable<std::map<K, V, C, A>>
    : std::bool_constant<is_serializable<K>::value && is_serializable<V>::value> {};
template <class K, class V, class H, class E, class A>
struct is_serializable<std::unordered_map<K, V, H, E, A>>
    : std::bool_constant<is_serializable<K>::value && is_serializable<V>::value> {};
template <class A, class B>
struct is_serializable<std::pair<A, B>>
    : std::bool_constant<is_serializable<A>::value && is_serializable<B>::value> {};
template <class... T>
struct is_serializable<std::tuple<T...>> : std::bool_constant<(is_serializable<T>::value && ...)> {
};

template <class... T>
struct is_serializable<std::variant<T...>>
    : std::bool_constant<(is_serializable<T>::value && ...)> {};
template <class T>
struct is_serializable<std::optional<T>> : is_serializable<T> {};

template <class T>
inline constexpr bool is_serializable_v = is_serializable<std::remove_cvref_t<T>>::value;

}  // namespace manta
