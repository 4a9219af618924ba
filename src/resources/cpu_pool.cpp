#include "resources/cpu_pool.hpp"

#include <manta/error.hpp>

#include <cmath>
#include <cstdio>

namespace manta::resources {

std::int64_t cpu_units(double cpus, std::string_view what, std::string_view name) {
  const auto subject = [&] {
    std::string text(what);
    if (!name.empty()) text += " '" + std::string(name) + "'";
    return text + " = " + std::to_string(cpus);
  };
  if (!std::isfinite(cpus) || cpus < 0) {
    throw InvalidOptionError(subject() + ": a CPU amount must be a finite number >= 0");
  }
  if (cpus > 1e9) throw InvalidOptionError(subject() + " is beyond any machine");
  return std::llround(cpus * units_per_cpu);
}

std::string format_cpus(std::int64_t units) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(units) / units_per_cpu);
  return text;
}

}  // namespace manta::resources
