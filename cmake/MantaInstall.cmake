# Install rules and the package config, so an outside project can:
#   find_package(Manta REQUIRED)
#   target_link_libraries(app PRIVATE Manta::manta)   # Manta::tune for sweeps, Manta::rl for
#   reinforcement learning, Manta::kokkos
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set_target_properties(manta_rl PROPERTIES EXPORT_NAME rl)
# manta_with_kokkos is Manta::kokkos; manta_kokkos carries the Kokkos it was built with.
set_target_properties(manta_with_kokkos PROPERTIES EXPORT_NAME kokkos)
install(TARGETS manta manta_tune manta_rl manta_kokkos manta_with_kokkos EXPORT MantaTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/manta DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# manta status: reads a running job's status file.
install(TARGETS manta_command RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(MANTA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Manta)
install(EXPORT MantaTargets NAMESPACE Manta:: DESTINATION ${MANTA_CMAKE_DIR})
configure_package_config_file(cmake/MantaConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/MantaConfig.cmake INSTALL_DESTINATION ${MANTA_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/MantaConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/MantaConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/MantaConfigVersion.cmake
        DESTINATION ${MANTA_CMAKE_DIR})
