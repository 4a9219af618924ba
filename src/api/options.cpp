// The out-of-line half of include/manta/options.hpp: kept here so that every file including
// <manta/manta.hpp> does not compile it.
#include <manta/options.hpp>

#include <algorithm>

namespace manta {

RetryExceptions::RetryExceptions(std::initializer_list<std::string> types)
    : all_(false), types_(std::make_shared<const std::vector<std::string>>(types)) {}

bool RetryExceptions::covers(const std::string& exception_type) const {
  return all_ ||
         (types_ && std::find(types_->begin(), types_->end(), exception_type) != types_->end());
}

}  // namespace manta
