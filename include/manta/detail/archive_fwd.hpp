/// @file detail/archive_fwd.hpp
/// @brief The archives Manta serializes with, declared only, for headers that just name them
/// (signatures, concepts). Writing or reading a value needs their definitions: those come from
/// detail/serialization.hpp and detail/input_archive.hpp, the only headers including Boost's
/// archives.
#pragma once
#include "public_header.hpp"

namespace boost::archive {
class binary_oarchive;
}  // namespace boost::archive

namespace manta::detail {
class InputArchive;
}  // namespace manta::detail
