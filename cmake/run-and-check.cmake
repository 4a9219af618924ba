# Runs one test's command and checks both its exit status and its output: the test command of
# manta_add_test (MantaTesting.cmake), since ctest ignores the exit status of a test that has a
# PASS_REGULAR_EXPRESSION.
#   cmake -DEXPECTATIONS=<file> -P run-and-check.cmake -- <command> [args...]
# EXPECTATIONS sets expected_output (a regular expression the whole output, stdout and stderr,
# must match) and expected_exit (the exit status: a number, or NONZERO for any failure).
include("${EXPECTATIONS}")

set(command)
set(in_command FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(in_command)
    string(REPLACE ";" "\\;" argument "${CMAKE_ARGV${i}}")  # one argument, even with a ;
    list(APPEND command "${argument}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(in_command TRUE)
  endif()
endforeach()
if(NOT command)
  message(FATAL_ERROR "run-and-check.cmake: no command after --")
endif()

# The output goes on to ctest as it comes (for FAIL_REGULAR_EXPRESSION and the test log), and is
# kept to be matched once the command has ended.
execute_process(COMMAND ${command}
                RESULT_VARIABLE status
                OUTPUT_VARIABLE output ERROR_VARIABLE output
                ECHO_OUTPUT_VARIABLE ECHO_ERROR_VARIABLE)

set(problems)
if(expected_exit STREQUAL "NONZERO")
  if(status STREQUAL "0")
    list(APPEND problems "it exited with status 0, where it should have failed")
  endif()
elseif(NOT status STREQUAL "${expected_exit}")
  # status is a number, or a description such as "Segmentation fault" when a signal ended it.
  list(APPEND problems "it exited with status '${status}', not ${expected_exit}")
endif()
if(DEFINED expected_output AND NOT output MATCHES "${expected_output}")
  list(APPEND problems "its output does not match the expected regular expression:\n${expected_output}")
endif()
if(problems)
  list(JOIN problems "\n  and " text)
  message(FATAL_ERROR "test failed: ${text}")
endif()
