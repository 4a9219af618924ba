# Helpers shared by tests/ and apps/: every test runs under a time limit, and multi-rank tests go
# through mpirun with the flags this machine needs (root, oversubscribed 2-core VMs).
# Debian splits GoogleTest (libgtest-dev) from GoogleMock (libgmock-dev); name the package that
# is missing instead of failing later on an unknown target.
find_package(GTest QUIET)
foreach(target_and_package GTest::gtest:libgtest-dev GTest::gmock:libgmock-dev)
  string(REGEX MATCH "^(.+):(.+)$" _ "${target_and_package}")
  if(NOT TARGET ${CMAKE_MATCH_1})
    message(FATAL_ERROR "MANTA_BUILD_TESTS is ON but ${CMAKE_MATCH_1} was not found: install "
      "${CMAKE_MATCH_2} (cmake/install-debian-deps.sh installs it), or configure with "
      "-DMANTA_BUILD_TESTS=OFF to build without the tests")
  endif()
endforeach()
include(GoogleTest)

set(MANTA_MPIEXEC ${MPIEXEC_EXECUTABLE} --oversubscribe --bind-to none)
# Open MPI refuses to run as root unless told it may (CI and these machines run as root).
set(MANTA_TEST_ENVIRONMENT OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    OMPI_MCA_rmaps_base_oversubscribe=1)

# manta_add_mpi_test(NAME name RANKS n COMMAND exe args... [PASS_REGULAR_EXPRESSION re])
function(manta_add_mpi_test)
  cmake_parse_arguments(ARG "" "NAME;RANKS;PASS_REGULAR_EXPRESSION" "COMMAND" ${ARGN})
  add_test(NAME ${ARG_NAME}
           COMMAND ${MANTA_MPIEXEC} -np ${ARG_RANKS} ${ARG_COMMAND})
  set_tests_properties(${ARG_NAME} PROPERTIES
    ENVIRONMENT "${MANTA_TEST_ENVIRONMENT}" TIMEOUT 300 PROCESSORS ${ARG_RANKS})
  if(ARG_PASS_REGULAR_EXPRESSION)
    set_tests_properties(${ARG_NAME} PROPERTIES PASS_REGULAR_EXPRESSION "${ARG_PASS_REGULAR_EXPRESSION}")
  endif()
endfunction()
