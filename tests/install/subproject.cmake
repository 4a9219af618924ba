# Run by the install.subproject test (cmake -P): configures (does not build) subproject/, which
# takes Manta in with add_subdirectory, twice:
#   - as is, with find_package(GTest) disabled: the configure must succeed and create none of
#     Manta's tests or benchmarks (they are built by default only when Manta is the top level);
#   - with MANTA_BUILD_TESTS=ON and MANTA_BUILD_PERF=ON: they are there.
#   MANTA_SOURCE_DIR  this source tree
#   CONSUMER_SOURCE_DIR, CONSUMER_BINARY_DIR  the outside project and a scratch build tree
#   CXX_COMPILER

function(configure name)
  file(REMOVE_RECURSE "${CONSUMER_BINARY_DIR}")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${CONSUMER_BINARY_DIR}"
            -DMANTA_SOURCE_DIR=${MANTA_SOURCE_DIR} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} ${ARGN}
    RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "install.subproject: configuring ${name} failed (${result}):\n${out}")
  endif()
  string(REGEX MATCH "subproject: [0-9]+ test and benchmark targets of Manta" line "${out}")
  message("install.subproject: ${name}: ${line}")
endfunction()

configure("by default" -DMANTA_EXPECT_TESTS=OFF -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON)
configure("with tests asked for" -DMANTA_EXPECT_TESTS=ON -DMANTA_BUILD_TESTS=ON
          -DMANTA_BUILD_PERF=ON)
file(REMOVE_RECURSE "${CONSUMER_BINARY_DIR}")
message("install.subproject: OK")
