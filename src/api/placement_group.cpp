#include "core/runtime.hpp"

#include <manta/error.hpp>
#include <manta/placement_group.hpp>

namespace manta {

BundleAddress PlacementGroup::bundle(std::size_t index) const {
  if (index >= bundles_.size()) {
    throw InvalidOptionError("bundle " + std::to_string(index) + " of a placement group of " +
                             std::to_string(bundles_.size()) + " bundles");
  }
  return bundles_[index];
}

std::vector<int> PlacementGroup::bundle_ranks() const {
  std::vector<int> ranks;
  for (const auto& bundle : bundles_) ranks.push_back(bundle.rank);
  return ranks;
}

PlacementGroup placement_group(const std::vector<Bundle>& bundles, PlacementStrategy strategy) {
  auto& runtime = core::Runtime::current();
  std::vector<resources::Request> requests;
  for (std::size_t i = 0; i < bundles.size(); ++i) {
    const auto& bundle = bundles[i];
    requests.push_back(resources::make_request(bundle.num_cpus, bundle.num_gpus, bundle.memory,
                                               bundle.resources, runtime.cluster().catalog(),
                                               "bundle", std::to_string(i)));
  }
  std::vector<BundleAddress> addresses;
  core::Object* ready =
      runtime.placement_groups().create(runtime.next_object_id(), requests, strategy, addresses);
  return PlacementGroup(std::move(addresses), ObjectRef<bool>::impl_adopt(ready));
}

void remove_placement_group(const PlacementGroup& group) {
  std::vector<BundleAddress> addresses;
  for (std::size_t i = 0; i < group.size(); ++i) addresses.push_back(group.bundle(i));
  if (addresses.empty()) return;
  auto& runtime = core::Runtime::current();
  if (core::PlacementGroups::creator_of(addresses.front().key) != runtime.rank()) {
    throw InvalidOptionError(
        "a placement group is removed by the rank that created it (rank " +
        std::to_string(core::PlacementGroups::creator_of(addresses.front().key)) + ")");
  }
  runtime.placement_groups().remove(addresses);
}

}  // namespace manta
