# Helpers shared by tests/ and apps/: every test runs under a time limit, and multi-rank tests go
# through mpirun with the flags this machine needs (root, oversubscribed 2-core VMs).
find_package(GTest REQUIRED)
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
