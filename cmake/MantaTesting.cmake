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

# manta_add_test(NAME name COMMAND command args... [PASS_REGULAR_EXPRESSION re]
#                [EXIT_CODE code|NONZERO])
# A test that passes when the command exits with `code` (0 unless given; NONZERO: any failure,
# for jobs that must fail) and, with PASS_REGULAR_EXPRESSION, its output matches `re` as well.
# ctest alone cannot check both: once PASS_REGULAR_EXPRESSION is set it ignores the exit status,
# so a program that printed its answer and then crashed passed. The command runs under
# run-and-check.cmake, which checks both. Set other properties (ENVIRONMENT, TIMEOUT,
# FAIL_REGULAR_EXPRESSION, which still applies) with set_tests_properties as for any test, but
# never PASS_REGULAR_EXPRESSION.
function(manta_add_test)
  cmake_parse_arguments(ARG "" "NAME;PASS_REGULAR_EXPRESSION;EXIT_CODE" "COMMAND" ${ARGN})
  if(NOT DEFINED ARG_EXIT_CODE)
    set(ARG_EXIT_CODE 0)
  endif()
  if(NOT DEFINED ARG_PASS_REGULAR_EXPRESSION AND ARG_EXIT_CODE STREQUAL "0")
    add_test(NAME ${ARG_NAME} COMMAND ${ARG_COMMAND})  # ctest's own check of the exit status
    return()
  endif()
  # add_test runs a target named first as its file; behind the wrapper it must be named so.
  list(GET ARG_COMMAND 0 program)
  if(TARGET ${program})
    list(REMOVE_AT ARG_COMMAND 0)
    list(PREPEND ARG_COMMAND $<TARGET_FILE:${program}>)
  endif()
  # The expectations go in a file, so that a regular expression reaches the script unchanged.
  set(expectations ${CMAKE_CURRENT_BINARY_DIR}/expectations/${ARG_NAME}.cmake)
  set(content "set(expected_exit ${ARG_EXIT_CODE})\n")
  if(DEFINED ARG_PASS_REGULAR_EXPRESSION)
    string(APPEND content "set(expected_output [==[${ARG_PASS_REGULAR_EXPRESSION}]==])\n")
  endif()
  file(WRITE ${expectations} "${content}")
  add_test(NAME ${ARG_NAME}
           COMMAND ${CMAKE_COMMAND} -DEXPECTATIONS=${expectations}
                   -P ${PROJECT_SOURCE_DIR}/cmake/run-and-check.cmake -- ${ARG_COMMAND})
endfunction()

# manta_add_mpi_test(NAME name RANKS n COMMAND exe args... [PASS_REGULAR_EXPRESSION re]
#                    [EXIT_CODE code|NONZERO]): manta_add_test under mpirun with n ranks.
function(manta_add_mpi_test)
  cmake_parse_arguments(ARG "" "NAME;RANKS;PASS_REGULAR_EXPRESSION;EXIT_CODE" "COMMAND" ${ARGN})
  set(expectations)
  if(DEFINED ARG_PASS_REGULAR_EXPRESSION)
    list(APPEND expectations PASS_REGULAR_EXPRESSION "${ARG_PASS_REGULAR_EXPRESSION}")
  endif()
  if(DEFINED ARG_EXIT_CODE)
    list(APPEND expectations EXIT_CODE ${ARG_EXIT_CODE})
  endif()
  manta_add_test(NAME ${ARG_NAME} COMMAND ${MANTA_MPIEXEC} -np ${ARG_RANKS} ${ARG_COMMAND}
                 ${expectations})
  set_tests_properties(${ARG_NAME} PROPERTIES
    ENVIRONMENT "${MANTA_TEST_ENVIRONMENT}" TIMEOUT 300 PROCESSORS ${ARG_RANKS})
endfunction()
