/// @file detail/public_header.hpp
/// @brief Guard included first by every Manta header: users include <manta/manta.hpp> only.
#pragma once

#if !defined(MANTA_UMBRELLA_INCLUDE) && !defined(MANTA_BUILDING_LIBRARY)
#error "Include <manta/manta.hpp> instead of the individual Manta headers."
#endif
