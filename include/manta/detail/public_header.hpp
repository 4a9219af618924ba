/// @file detail/public_header.hpp
/// @brief Guard included first by every Manta header: users include <manta/manta.hpp> (or
/// <manta/checkpoint.hpp>, <manta/kokkos.hpp>, which include it) only.
#pragma once

#if !defined(MANTA_UMBRELLA_INCLUDE) && !defined(MANTA_BUILDING_LIBRARY)
#error "Include <manta/manta.hpp> or <manta/checkpoint.hpp>, not Manta's individual headers."
#endif
