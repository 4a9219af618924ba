#include <manta/detail/input_archive.hpp>
#include <manta/error.hpp>

// Boost's archive templates are compiled into libboost_serialization for its own archives only;
// an archive of one's own instantiates them here (as Boost's portable_binary_iarchive example).
#include <boost/archive/detail/archive_serializer_map.hpp>
#include <boost/archive/impl/archive_serializer_map.ipp>
#include <boost/archive/impl/basic_binary_iarchive.ipp>
#include <boost/archive/impl/basic_binary_iprimitive.ipp>
#include <cstdint>

namespace boost::archive {
template class detail::archive_serializer_map<manta::detail::InputArchive>;
template class basic_binary_iprimitive<manta::detail::InputArchive, char, std::char_traits<char>>;
template class basic_binary_iarchive<manta::detail::InputArchive>;
template class binary_iarchive_impl<manta::detail::InputArchive, char, std::char_traits<char>>;
}  // namespace boost::archive

namespace manta::detail {

void InputArchive::check_count(std::size_t count, const char* what) const {
  if (count > remaining()) {
    throw Error("serialized data claims " + std::to_string(count) + " " + what + ", but only " +
                std::to_string(remaining()) + " bytes are left");
  }
}

void InputArchive::load(bool& value) {
  std::uint8_t byte = 0;
  load_binary(&byte, 1);
  if (byte > 1) {
    throw Error("serialized data holds a bool of byte value " + std::to_string(byte) +
                " (only 0 and 1 are bools)");
  }
  value = byte == 1;
}

void InputArchive::load(std::string& value) {
  std::size_t size = 0;
  load(size);
  check_count(size, "characters in a string");
  value.resize(size);
  if (size > 0) load_binary(value.data(), size);
}

void InputArchive::load_override(boost::serialization::collection_size_type& count) {
  Base::load_override(count);
  check_count(count, "elements in a collection");
}

}  // namespace manta::detail
