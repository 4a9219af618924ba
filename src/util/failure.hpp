/// @file util/failure.hpp
/// @brief One way to report a failed call into MPI, UCX or HDF5: call, file, line and the
/// library's explanation.
#pragma once

#include <exception>
#include <string>
#include <string_view>

namespace manta::util {

/// "<function> failed at <file>:<line>: <detail>", the one format of a failed library call:
/// `call` is the call as written (its arguments are dropped), `file` a path (its directory is).
/// The MANTA_CHECK_MPI, MANTA_CHECK_UCX (transport/status.hpp) and MANTA_CHECK_H5
/// (checkpoint/hdf5.hpp) macros report with it; `detail` is the library's own explanation.
std::string failed_call_text(std::string_view call, std::string_view file, int line,
                             std::string_view detail);

/// Throws manta::Error with failed_call_text.
[[noreturn]] void fail_call(const char* call, const char* file, int line,
                            const std::string& detail);

/// The demangled name of a type, or the raw name if it cannot be demangled.
std::string demangle(const char* mangled);

/// The what() of the exception `error` holds, for logs and error messages.
std::string message_of(const std::exception_ptr& error);

}  // namespace manta::util
