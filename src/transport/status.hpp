/// @file transport/status.hpp
/// @brief MANTA_CHECK_MPI and MANTA_CHECK_UCX: turn a failed MPI or UCX return code into a
/// manta::Error naming the call, file, line and the library's own message.
#pragma once

#include "util/failure.hpp"

#include <mpi.h>
#include <ucs/type/status.h>

#include <string>

namespace manta::transport {

inline void check_mpi(int code, const char* call, const char* file, int line) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  util::fail_call(call, file, line,
                  "MPI error " + std::to_string(code) + ": " + std::string(text, length));
}

inline void check_ucs(ucs_status_t status, const char* call, const char* file, int line) {
  if (status == UCS_OK) return;
  util::fail_call(call, file, line,
                  "UCX status " + std::to_string(status) + ": " + ucs_status_string(status));
}

}  // namespace manta::transport

#define MANTA_CHECK_MPI(call) ::manta::transport::check_mpi((call), #call, __FILE__, __LINE__)
#define MANTA_CHECK_UCX(call) ::manta::transport::check_ucs((call), #call, __FILE__, __LINE__)
