#include "util/failure.hpp"

#include <manta/error.hpp>

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

namespace manta::util {

void fail_call(const char* call, const char* file, int line, const std::string& detail) {
  throw Error(std::string(call) + " failed at " + file + ":" + std::to_string(line) + ": " +
              detail);
}

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> name(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), &std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(mangled);
}

std::string message_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& exception) {
    return exception.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

}  // namespace manta::util
