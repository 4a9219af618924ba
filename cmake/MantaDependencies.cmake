# The six required dependencies, found the way PLATFORM.md verified on Debian 12.
find_package(Threads REQUIRED)
find_package(MPI REQUIRED COMPONENTS CXX)
find_package(PkgConfig REQUIRED)
pkg_check_modules(UCX REQUIRED IMPORTED_TARGET ucx)

set(HDF5_PREFER_PARALLEL ON)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR "Manta needs a parallel (MPI) HDF5; on Debian install libhdf5-openmpi-dev")
endif()

find_package(Boost 1.74 REQUIRED COMPONENTS serialization)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)  # the timeline file, tune's experiment record, perf/
# Eigen: the policies' linear algebra in Manta::rl (src/rl only; its headers do not show it).
find_package(Eigen3 3.3 REQUIRED NO_MODULE)

# Debian's Trilinos Kokkos exports a broken Kokkos::kokkos target (it points at /usr/lib/include);
# a site's own Kokkos build (-DKokkos_ROOT=...) exports a working one. manta_kokkos hides the
# difference and marks the headers SYSTEM, since Kokkos 3.4 warns under C++20.
find_package(Kokkos REQUIRED)
add_library(manta_kokkos INTERFACE)
if(DEFINED Kokkos_INCLUDE_DIRS AND Kokkos_INCLUDE_DIRS MATCHES "trilinos")
  target_include_directories(manta_kokkos SYSTEM INTERFACE ${Kokkos_INCLUDE_DIRS})
  target_link_libraries(manta_kokkos INTERFACE ${Kokkos_LIBRARIES})
  target_link_directories(manta_kokkos INTERFACE ${Kokkos_LIBRARY_DIRS})
  set(MANTA_KOKKOS_FROM_PACKAGE OFF)
else()
  target_link_libraries(manta_kokkos INTERFACE Kokkos::kokkos)
  set(MANTA_KOKKOS_FROM_PACKAGE ON)
endif()
