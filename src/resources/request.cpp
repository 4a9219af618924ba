#include "resources/request.hpp"

#include "util/format_bytes.hpp"

#include <manta/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace manta::resources {

Amount to_units(double amount, std::string_view resource, std::string_view owner,
                std::string_view name) {
  const auto subject = [&] {
    std::string text(resource);
    if (!owner.empty()) text += " of " + std::string(owner);
    if (!name.empty()) text += " '" + std::string(name) + "'";
    return text + " = " + std::to_string(amount);
  };
  if (!std::isfinite(amount) || amount < 0) {
    throw InvalidOptionError(subject() + ": a resource amount must be a finite number >= 0");
  }
  if (amount > 1e9) throw InvalidOptionError(subject() + " is beyond any machine");
  return std::llround(amount * units_per_unit);
}

std::string format_units(Amount units) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(units) / units_per_unit);
  return text;
}

Catalog::Catalog(std::vector<std::string> names) : names_(std::move(names)) {
  std::sort(names_.begin(), names_.end());
  names_.erase(std::unique(names_.begin(), names_.end()), names_.end());
}

int Catalog::index_of(std::string_view name) const noexcept {
  const auto found = std::lower_bound(names_.begin(), names_.end(), name);
  return found != names_.end() && *found == name ? static_cast<int>(found - names_.begin()) : -1;
}

Request make_request(double cpus, double gpus, std::uint64_t memory,
                     const std::map<std::string, double>& custom, const Catalog& catalog,
                     std::string_view owner, std::string_view name) {
  const auto subject = [&] { return std::string(owner) + " '" + std::string(name) + "'"; };
  Request request;
  request.cpu = to_units(cpus, "num_cpus", owner, name);
  request.gpu = to_units(gpus, "num_gpus", owner, name);
  if (request.gpu > units_per_unit && request.gpu % units_per_unit != 0) {
    throw InvalidOptionError("num_gpus of " + subject() + " = " + format_units(request.gpu) +
                             ": above 1 a GPU request must be a whole number (a fraction shares "
                             "one device)");
  }
  request.memory = static_cast<Amount>(memory);
  for (const auto& [resource, amount] : custom) {
    const Amount units = to_units(amount, resource, owner, name);
    const int index = catalog.index_of(resource);
    if (index < 0) {
      std::string known;
      for (std::size_t i = 0; i < catalog.size(); ++i) known += (i ? ", " : "") + catalog.name(i);
      throw InfeasibleError(subject() + " asks for " + format_units(units) + " of resource '" +
                            resource + "', which no rank has (custom resources of the job: " +
                            (known.empty() ? "none" : known) + ")");
    }
    // std::map iterates names in order, and catalog indices follow that order: stays sorted.
    if (units > 0) request.custom.emplace_back(static_cast<std::uint32_t>(index), units);
  }
  return request;
}

Amount Capacity::gpu_total() const noexcept {
  Amount total = 0;
  for (const auto& device : devices) total += device.share;
  return total;
}

bool Capacity::holds(const Request& request) const noexcept {
  if ((request.cpu > 0 && request.cpu > cpu) || request.memory > memory) return false;
  for (const auto& [index, units] : request.custom) {
    if (index >= custom.size() || units > custom[index]) return false;
  }
  if (request.gpu == 0) return true;
  if (request.gpu < units_per_unit) {
    return std::any_of(devices.begin(), devices.end(),
                       [&](const DeviceShare& device) { return device.share >= request.gpu; });
  }
  const auto whole = std::count_if(devices.begin(), devices.end(), [](const DeviceShare& device) {
    return device.share == units_per_unit;
  });
  return whole >= request.gpu / units_per_unit;
}

Capacity capacity_of(const Request& request, std::size_t custom_count) {
  Capacity capacity{.cpu = request.cpu,
                    .memory = request.memory,
                    .custom = std::vector<Amount>(custom_count),
                    .devices = {}};
  for (const auto& [index, units] : request.custom) capacity.custom[index] = units;
  if (request.gpu > 0 && request.gpu < units_per_unit) capacity.devices.push_back({0, request.gpu});
  for (Amount i = 0; request.gpu >= units_per_unit && i < request.gpu / units_per_unit; ++i) {
    capacity.devices.push_back({static_cast<int>(i), units_per_unit});
  }
  return capacity;
}

std::string describe(const Request& request, const Catalog& catalog) {
  std::string text = "num_cpus = " + format_units(request.cpu);
  if (request.gpu > 0) text += ", num_gpus = " + format_units(request.gpu);
  if (request.memory > 0)
    text += ", memory = " + util::format_bytes(static_cast<std::uint64_t>(request.memory));
  for (const auto& [index, units] : request.custom) {
    text += ", " + catalog.name(index) + " = " + format_units(units);
  }
  return text;
}

std::string describe(const Capacity& capacity, const Catalog& catalog) {
  std::string text =
      format_units(capacity.cpu) + " CPUs, " + format_units(capacity.gpu_total()) + " GPUs";
  if (capacity.devices.size() > 0) {
    text += " (";
    for (std::size_t i = 0; i < capacity.devices.size(); ++i) {
      text += (i ? ", " : "") + std::string("device ") +
              std::to_string(capacity.devices[i].device) + ": " +
              format_units(capacity.devices[i].share);
    }
    text += ")";
  }
  text += ", memory " + util::format_bytes(static_cast<std::uint64_t>(capacity.memory));
  for (std::size_t i = 0; i < capacity.custom.size(); ++i) {
    if (capacity.custom[i] > 0)
      text += ", " + catalog.name(i) + " " + format_units(capacity.custom[i]);
  }
  return text;
}

}  // namespace manta::resources
