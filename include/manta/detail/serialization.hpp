/// @file detail/serialization.hpp
/// @brief How values become bytes: raw arithmetic arrays are copied as they are, every other type
/// goes through Boost.Serialization, written straight into the destination (no temporary buffer).
#pragma once
#include "public_header.hpp"

#include "../error.hpp"
#include "input_archive.hpp"

#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/set.hpp>
#include <boost/serialization/split_free.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/unordered_map.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <streambuf>
#include <string>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

// Boost 1.74 knows neither std::tuple, std::variant nor std::optional: serialize them here.
namespace boost::serialization {

template <class Archive, class... Ts>
void serialize(Archive& archive, std::tuple<Ts...>& value, unsigned /*version*/) {
  std::apply([&](auto&... element) { ((archive & element), ...); }, value);
}

template <class Archive, class... Ts>
void save(Archive& archive, const std::variant<Ts...>& value, unsigned /*version*/) {
  const std::uint32_t index = static_cast<std::uint32_t>(value.index());
  archive << index;
  std::visit([&](const auto& alternative) { archive << alternative; }, value);
}
template <std::size_t I, class Archive, class... Ts>
void load_alternative(Archive& archive, std::variant<Ts...>& value, std::uint32_t index) {
  if constexpr (I < sizeof...(Ts)) {
    if (index == I) {
      std::variant_alternative_t<I, std::variant<Ts...>> alternative;
      archive >> alternative;
      value = std::move(alternative);
    } else {
      load_alternative<I + 1>(archive, value, index);
    }
  } else {
    throw archive::archive_exception(archive::archive_exception::unsupported_class_version);
  }
}
template <class Archive, class... Ts>
void load(Archive& archive, std::variant<Ts...>& value, unsigned /*version*/) {
  std::uint32_t index = 0;
  archive >> index;
  load_alternative<0>(archive, value, index);
}
template <class Archive, class... Ts>
void serialize(Archive& archive, std::variant<Ts...>& value, unsigned version) {
  split_free(archive, value, version);
}

template <class Archive, class T>
void save(Archive& archive, const std::optional<T>& value, unsigned /*version*/) {
  const bool present = value.has_value();
  archive << present;
  if (present) archive << *value;
}
template <class Archive, class T>
void load(Archive& archive, std::optional<T>& value, unsigned /*version*/) {
  bool present = false;
  archive >> present;
  if (!present) {
    value.reset();
    return;
  }
  T loaded;
  archive >> loaded;
  value = std::move(loaded);
}
template <class Archive, class T>
void serialize(Archive& archive, std::optional<T>& value, unsigned version) {
  split_free(archive, value, version);
}

// std::byte is an enumeration: Boost would write each byte as an int, one call per byte (a
// 60,000-byte vector became 240,057 bytes). Byte vectors, which carry every serialized argument
// and value inside messages, go as one block instead. Boost keeps one serializer per type in the
// program: every file that serializes a byte vector must include this header.
template <class Archive>
void save(Archive& archive, const std::vector<std::byte>& bytes, unsigned /*version*/) {
  const collection_size_type count(bytes.size());
  archive << count;
  if (!bytes.empty()) archive.save_binary(bytes.data(), bytes.size());
}
template <class Archive>
void load(Archive& archive, std::vector<std::byte>& bytes, unsigned /*version*/) {
  collection_size_type count;
  archive >> count;  // checked against the bytes left by manta::detail::InputArchive
  bytes.resize(count);
  if (!bytes.empty()) archive.load_binary(bytes.data(), bytes.size());
}
template <class Archive>
void serialize(Archive& archive, std::vector<std::byte>& bytes, unsigned version) {
  split_free(archive, bytes, version);
}

}  // namespace boost::serialization

namespace manta::detail {

/// True for types whose bytes are the value: std::vector of arithmetic elements and std::string.
/// They are stored raw and can be read back as a view without deserializing.
template <class T>
struct is_raw_array : std::false_type {};
template <class E, class A>
struct is_raw_array<std::vector<E, A>> : std::is_arithmetic<E> {};
template <>
struct is_raw_array<std::string> : std::true_type {};
template <class T>
inline constexpr bool is_raw_array_v = is_raw_array<T>::value;

inline constexpr unsigned archive_flags = boost::archive::no_header | boost::archive::no_codecvt;

/// Counts the bytes written to it and keeps none: sizes an archive before memory is allocated.
class CountingBuffer final : public std::streambuf {
 public:
  std::size_t count() const noexcept { return count_; }

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    count_ += static_cast<std::size_t>(n);
    return n;
  }
  int_type overflow(int_type c) override {
    ++count_;
    return traits_type::not_eof(c);
  }

 private:
  std::size_t count_ = 0;
};

/// A streambuf over a fixed span of memory; reading or writing past its end fails the stream.
class SpanBuffer final : public std::streambuf {
 public:
  explicit SpanBuffer(std::span<std::byte> bytes) {
    auto* begin = reinterpret_cast<char*>(bytes.data());
    setp(begin, begin + bytes.size());
    setg(begin, begin, begin + bytes.size());
  }
  std::size_t written() const noexcept { return static_cast<std::size_t>(pptr() - pbase()); }
};

/// A streambuf appending to a byte vector: builds messages without a fixed size.
class VectorBuffer final : public std::streambuf {
 public:
  explicit VectorBuffer(std::vector<std::byte>& bytes) : bytes_(bytes) {}

 protected:
  std::streamsize xsputn(const char* data, std::streamsize n) override {
    const auto* first = reinterpret_cast<const std::byte*>(data);
    bytes_.insert(bytes_.end(), first, first + n);
    return n;
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      bytes_.push_back(static_cast<std::byte>(c));
    }
    return traits_type::not_eof(c);
  }

 private:
  std::vector<std::byte>& bytes_;
};

/// Bytes `value` takes once serialized (raw arrays: their payload).
template <class T>
std::size_t serialized_size(const T& value) {
  if constexpr (is_raw_array_v<T>) {
    return value.size() * sizeof(typename T::value_type);
  } else {
    CountingBuffer counter;
    boost::archive::binary_oarchive archive(counter, archive_flags);
    archive << value;
    return counter.count();
  }
}

/// Writes `value` into `bytes`, which must be exactly serialized_size(value) long.
template <class T>
void serialize_into(const T& value, std::span<std::byte> bytes) {
  if constexpr (is_raw_array_v<T>) {
    if (!bytes.empty()) std::memcpy(bytes.data(), value.data(), bytes.size());
  } else {
    SpanBuffer buffer(bytes);
    boost::archive::binary_oarchive archive(buffer, archive_flags);
    archive << value;
  }
}

/// Reads back a value written by serialize_into.
/// @throws manta::Error for bytes that are not such a value (see InputArchive)
template <class T>
T deserialize(std::span<const std::byte> bytes) {
  if constexpr (is_raw_array_v<T>) {
    using E = typename T::value_type;
    if (bytes.size() % sizeof(E) != 0) {
      throw Error("an array of " + std::to_string(sizeof(E)) + "-byte elements cannot be " +
                  std::to_string(bytes.size()) + " bytes long");
    }
    // Copied, not cast: the bytes need not be aligned for E.
    T value;
    value.resize(bytes.size() / sizeof(E));
    if (!bytes.empty()) std::memcpy(value.data(), bytes.data(), bytes.size());
    return value;
  } else {
    InputArchive archive(bytes, archive_flags);
    T value;
    archive >> value;
    return value;
  }
}

}  // namespace manta::detail
