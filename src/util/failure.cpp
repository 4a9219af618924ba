#include "util/failure.hpp"

#include <manta/error.hpp>

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

namespace manta::util {

std::string failed_call_text(std::string_view call, std::string_view file, int line,
                             std::string_view detail) {
  const std::string_view function = call.substr(0, call.find('('));
  const std::string_view file_name = file.substr(file.rfind('/') + 1);
  return std::string(function) + " failed at " + std::string(file_name) + ":" +
         std::to_string(line) + ": " + std::string(detail);
}

void fail_call(const char* call, const char* file, int line, const std::string& detail) {
  throw Error(failed_call_text(call, file, line, detail));
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
