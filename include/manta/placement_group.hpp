/// @file placement_group.hpp
/// @brief Placement groups (Ray's `placement_group`): bundles of resources reserved together,
/// then tasks and actors placed into a bundle.
///
/// @code
/// // A sweep trial: one GPU and four CPUs together on one rank, then its learner and workers.
/// auto trial = manta::placement_group({{.num_cpus = 4, .num_gpus = 1}},
///                                     manta::PlacementStrategy::strict_pack);
/// manta::get(trial.ready(), 60s);              // every bundle reserved
/// auto learner = manta::actor<Learner>().options({.num_gpus = 1, .bundle = trial.bundle(0)})
///                    .remote();
/// manta::task(rollout).options({.num_cpus = 1, .bundle = trial.bundle(0)}).remote(learner);
/// manta::remove_placement_group(trial);        // its resources go back to the ranks
/// @endcode
///
/// A bundle lives on one rank: Manta's unit of placement, as a Ray node is Ray's. The strategies
/// are Ray's, over ranks: PACK puts the bundles on as few ranks as it can, SPREAD on as many;
/// STRICT_PACK requires one rank for all, STRICT_SPREAD a different rank for each, and fail at
/// once (InfeasibleError) when no ranks of the job could ever hold them that way.
#pragma once
#include "detail/public_header.hpp"
#include "object_ref.hpp"
#include "options.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace manta {

enum class PlacementStrategy { pack, spread, strict_pack, strict_spread };

/// @brief Resources reserved together on one rank.
struct Bundle {
  double num_cpus = 0;
  double num_gpus = 0;
  std::size_t memory = 0;
  std::map<std::string, double> resources = {};
};

/// @brief A reservation of bundles. Copies name the same group.
class PlacementGroup {
 public:
  PlacementGroup() = default;

  /// Ready (true) once every bundle is reserved; `get` it with a timeout to bound the wait. Fails
  /// if the group is removed first.
  const ObjectRef<bool>& ready() const noexcept { return ready_; }
  std::size_t size() const noexcept { return bundles_.size(); }
  /// Bundle `index`, for TaskOptions::bundle and ActorOptions::bundle.
  /// @throws InvalidOptionError for an index out of range
  BundleAddress bundle(std::size_t index) const;
  /// The rank each bundle is reserved on.
  std::vector<int> bundle_ranks() const;

  /// Implementation: use manta::placement_group.
  PlacementGroup(std::vector<BundleAddress> bundles, ObjectRef<bool> ready)
      : bundles_(std::move(bundles)), ready_(std::move(ready)) {}

 private:
  std::vector<BundleAddress> bundles_;
  ObjectRef<bool> ready_;
};

/// Reserves `bundles` on the ranks `strategy` picks; returns at once (see PlacementGroup::ready).
/// @throws InvalidOptionError for an empty group or bad amounts; InfeasibleError when no ranks
/// of the job could ever hold the bundles with this strategy, showing what the job has
PlacementGroup placement_group(const std::vector<Bundle>& bundles,
                               PlacementStrategy strategy = PlacementStrategy::pack);

/// Gives the group's resources back: each bundle's once nothing running uses it. Queued work
/// for its bundles fails with an error naming the group; later submissions to them too.
void remove_placement_group(const PlacementGroup& group);

}  // namespace manta
