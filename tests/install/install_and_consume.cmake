# Run by the install.consumer test (cmake -P). Every step starts from scratch, so the test passes
# on a fresh build tree and again on a second run, and a stale prefix cannot hide a broken install.
#   MANTA_BUILD_DIR      the build tree to install
#   PREFIX               the scratch install prefix
#   CONSUMER_SOURCE_DIR  the outside project
#   CONSUMER_BINARY_DIR  its build tree
#   CXX_COMPILER, BUILD_TYPE  as for Manta itself

function(step name)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "install.consumer: ${name} failed (${result}):\n${out}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${PREFIX}" "${CONSUMER_BINARY_DIR}")

step("cmake --install" ${CMAKE_COMMAND} --install "${MANTA_BUILD_DIR}" --prefix "${PREFIX}")
step("configuring the consumer"
     ${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${CONSUMER_BINARY_DIR}"
     -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
     -DCMAKE_BUILD_TYPE=${BUILD_TYPE})
step("building the consumer" ${CMAKE_COMMAND} --build "${CONSUMER_BINARY_DIR}")

# The consumer finds libmanta through the build RPATH CMake gives it (the prefix's lib dir).
step("running the consumer" "${CONSUMER_BINARY_DIR}/consumer")
if(NOT step_output MATCHES "hello, installed Manta\nkokkos sum 5050\ntune best {x: 0}\ncartpole episode ended\n")
  message(FATAL_ERROR "install.consumer: unexpected output:\n${step_output}")
endif()
message("consumer printed: ${step_output}")
