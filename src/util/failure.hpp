/// @file util/failure.hpp
/// @brief One way to report a failed call into MPI, UCX or HDF5: call, file, line and code.
#pragma once

#include <exception>
#include <string>

namespace manta::util {

/// Throws manta::Error: "<call> failed at <file>:<line>: <detail>".
[[noreturn]] void fail_call(const char* call, const char* file, int line,
                            const std::string& detail);

/// The demangled name of a type, or the raw name if it cannot be demangled.
std::string demangle(const char* mangled);

/// The what() of the exception `error` holds, for logs and error messages.
std::string message_of(const std::exception_ptr& error);

}  // namespace manta::util
