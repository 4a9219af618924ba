/// @file resources/request.hpp
/// @brief What work asks for and what a rank has, in exact amounts: CPUs, GPUs and custom
/// resources in fixed point (1/10000), so fractional requests add up and give back without
/// rounding drift; memory in bytes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace manta::resources {

/// An amount of one resource: 1/10000 of a CPU, a GPU or a custom unit; a byte of memory.
using Amount = std::int64_t;
inline constexpr Amount units_per_unit = 10000;

/// `amount` (CPUs, GPUs, a custom resource) in units. @throws manta::InvalidOptionError for
/// negative, NaN or huge values, naming them ("num_cpus of task 'f' = -1"); the message is built
/// only then, so the task hot path allocates nothing here.
Amount to_units(double amount, std::string_view resource, std::string_view owner = {},
                std::string_view name = {});
/// "1.5" for 15000 units.
std::string format_units(Amount units);

/// @brief A share of one GPU: `device` is its ordinal in this process (what cudaSetDevice takes).
struct DeviceShare {
  int device = 0;
  Amount share = 0;
  bool operator==(const DeviceShare&) const = default;
};

/// @brief Names of custom resources, identical on every rank (the sorted union of what the
/// ranks declared), so a request can name them by index on the wire.
class Catalog {
 public:
  Catalog() = default;
  explicit Catalog(std::vector<std::string> names);
  /// The index of `name`, or -1 when no rank declared it.
  int index_of(std::string_view name) const noexcept;
  const std::string& name(std::size_t index) const { return names_[index]; }
  std::size_t size() const noexcept { return names_.size(); }

 private:
  std::vector<std::string> names_;  ///< sorted
};

/// @brief What a task, an actor or a placement-group bundle asks for.
///
/// `gpu` below one unit shares one device with other fractional requests until its fractions
/// are used up; one unit or more must be whole and takes whole devices (as in Ray).
struct Request {
  Amount cpu = 0;
  Amount gpu = 0;
  Amount memory = 0;                                          ///< bytes
  std::vector<std::pair<std::uint32_t, Amount>> custom = {};  ///< (catalog index, units), by index
  /// The placement-group bundle it draws from on its rank (see BundleKey), or -1: the rank's pool.
  std::int64_t bundle = -1;

  /// Only CPUs from the rank's own pool: the common case, kept on a fast path.
  bool cpu_only() const noexcept { return gpu == 0 && memory == 0 && custom.empty() && bundle < 0; }
};

/// Builds and checks a Request from an option struct's fields; `owner` ("task", "actor") and
/// `name` appear in errors. @throws InvalidOptionError for negative amounts or a GPU amount
/// above one that is not whole; @throws InfeasibleError for a custom resource no rank has.
Request make_request(double cpus, double gpus, std::uint64_t memory,
                     const std::map<std::string, double>& custom, const Catalog& catalog,
                     std::string_view owner, std::string_view name);

/// @brief Amounts of everything a pool holds: its totals, or what is free now.
struct Capacity {
  Amount cpu = 0;
  Amount memory = 0;
  std::vector<Amount> custom = {};        ///< by catalog index
  std::vector<DeviceShare> devices = {};  ///< GPUs, each with the units of it in this pool

  Amount gpu_total() const noexcept;
  /// Whether the request fits in these amounts (as totals: whether it could ever run here).
  bool holds(const Request& request) const noexcept;
};

/// What `request` amounts to as a pool (a placement-group bundle's): a GPU fraction is a share
/// of one device, whole GPUs are whole devices (numbered 0, 1, ... here).
Capacity capacity_of(const Request& request, std::size_t custom_count);

/// "num_cpus = 1, num_gpus = 0.5, memory = 1048576, sim = 2".
std::string describe(const Request& request, const Catalog& catalog);
/// "4 CPUs, 2 GPUs, memory 8 GiB, sim 2".
std::string describe(const Capacity& capacity, const Catalog& catalog);

}  // namespace manta::resources
