/// @file detail/input_archive.hpp
/// @brief The archive every serialized value is read back with: Boost's binary input archive,
/// which believes every size it reads, plus the checks that make bytes from a bad peer, another
/// version or a bit flip fail with a clear error instead of a huge allocation or undefined
/// behaviour.
#pragma once
#include "public_header.hpp"

#include <boost/archive/binary_iarchive_impl.hpp>
#include <boost/archive/detail/register_archive.hpp>
#include <boost/serialization/collection_size_type.hpp>
#include <cstddef>
#include <span>
#include <streambuf>
#include <string>

namespace manta::detail {

/// A read-only streambuf over a span of bytes; reading past its end fails the archive.
class InputBytes : public std::streambuf {
 public:
  explicit InputBytes(std::span<const std::byte> bytes) {
    // The get area is only read from: the cast is what std::streambuf's interface needs.
    auto* begin = const_cast<char*>(reinterpret_cast<const char*>(bytes.data()));
    setg(begin, begin, begin + bytes.size());
  }
  /// Bytes not read yet.
  std::size_t remaining() const noexcept { return static_cast<std::size_t>(egptr() - gptr()); }
};

/// Holds the streambuf so that it exists before the archive bases that read from it.
struct InputArchiveBytes {
  explicit InputArchiveBytes(std::span<const std::byte> bytes) : input(bytes) {}
  InputBytes input;
};

/// Reads what boost::archive::binary_oarchive wrote (with archive_flags), checking that
///  - a collection or string does not claim more elements than bytes remain (so reading 89
///    foreign bytes never allocates gigabytes first),
///  - a bool is the byte 0 or 1,
/// and throws manta::Error naming the problem otherwise. Every element of a collection takes at
/// least one byte, except values of empty classes: collections of those cannot be told from a
/// lie and are refused when longer than the bytes left.
class InputArchive final
    : private InputArchiveBytes,
      public boost::archive::binary_iarchive_impl<InputArchive, char, std::char_traits<char>> {
  using Base = boost::archive::binary_iarchive_impl<InputArchive, char, std::char_traits<char>>;

 public:
  InputArchive(std::span<const std::byte> bytes, unsigned flags)
      : InputArchiveBytes(bytes), Base(input, flags) {
    init(flags);
  }

  /// Bytes not read yet.
  std::size_t remaining() const noexcept { return input.remaining(); }

  // Boost reaches the loads below through the most derived archive (This()).
  friend class boost::archive::detail::interface_iarchive<InputArchive>;
  friend class boost::archive::basic_binary_iarchive<InputArchive>;
  friend class boost::archive::basic_binary_iprimitive<InputArchive, char, std::char_traits<char>>;
  friend class boost::archive::load_access;

 private:
  using Base::load;
  using Base::load_override;
  void load(bool& value);
  void load(std::string& value);
  void load_override(boost::serialization::collection_size_type& count);
  /// Throws unless `count` elements can fit in the bytes left; `what` names them.
  void check_count(std::size_t count, const char* what) const;
};

}  // namespace manta::detail

BOOST_SERIALIZATION_REGISTER_ARCHIVE(manta::detail::InputArchive)
BOOST_SERIALIZATION_USE_ARRAY_OPTIMIZATION(manta::detail::InputArchive)
