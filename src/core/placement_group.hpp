/// @file core/placement_group.hpp
/// @brief Placement groups: the creator chooses a rank for each bundle and asks it to reserve
/// the bundle (a runnable that waits for the resources, then keeps them as the bundle's pool);
/// each rank reports back, and the group's `ready` object is set when all have.
#pragma once

#include "core/message_router.hpp"

#include "core/cluster.hpp"
#include "core/object.hpp"
#include "resources/request.hpp"
#include "util/mutex.hpp"

#include <manta/placement_group.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace manta::core {

class Runtime;

/// @brief The groups this rank created, until they are removed. Thread-safe.
class PlacementGroups {
 public:
  PlacementGroups() = default;
  /// Fails the ready objects of groups still being reserved (the runtime is stopping).
  ~PlacementGroups();
  PlacementGroups(const PlacementGroups&) = delete;
  PlacementGroups& operator=(const PlacementGroups&) = delete;

  /// Chooses ranks for `bundles` and starts reserving them. Returns the group's ready object
  /// (one reference for the caller) and fills `addresses`.
  Object* create(Runtime& runtime, const std::vector<resources::Request>& bundles,
                 PlacementStrategy strategy, std::vector<BundleAddress>& addresses);
  /// Removes the group of `addresses` (created here): its bundles go back to their ranks.
  void remove(Runtime& runtime, const std::vector<BundleAddress>& addresses);
  /// A bundle of a group created here is reserved (`error` empty), or never will be.
  void bundle_ready(std::int64_t key, const std::string& error);
  /// The rank that created the group of bundle `key`.
  static int creator_of(std::int64_t key) noexcept { return static_cast<int>(key >> 48); }
  /// What bundle `key` reserved, if this rank created it and it is not removed: lets a
  /// request that can never fit fail at submission.
  const resources::Request* bundle_request(std::int64_t key) const;

 private:
  struct Group {
    Object* ready = nullptr;  ///< one reference, until set
    std::size_t pending = 0;  ///< bundles not reserved yet
    std::vector<Reservation> reservations;
    std::vector<resources::Request> bundles;
  };
  static std::int64_t group_of(std::int64_t key) noexcept { return key >> 16; }

  mutable util::Mutex mutex_;
  /// By group key (the bundle keys without their index).
  std::map<std::int64_t, Group> groups_ MANTA_GUARDED_BY(mutex_);
  std::uint32_t next_sequence_ MANTA_GUARDED_BY(mutex_) = 1;
};

/// Checks that `request` (of the task or actor `name`) can run in `bundle`, as far as this rank
/// knows the bundle, and marks the request as drawing from it. Returns the bundle's rank.
/// @throws InvalidOptionError for a bundle that does not exist or contradicts `rank`;
/// InfeasibleError for a request the bundle can never hold
int check_bundle(Runtime& runtime, const BundleAddress& bundle, int rank,
                 resources::Request& request, std::string_view owner, const std::string& name);

/// On the bundle's rank: reserves it (waiting for the resources), then tells `creator`.
void reserve_bundle(Runtime& runtime, int creator, std::int64_t key, resources::Request request);
/// On the bundle's rank: the group was removed.
void release_bundle(Runtime& runtime, std::int64_t key);

/// Handles ReserveBundle, BundleReady and ReleaseBundle from `router`.
void handle_placement_group_messages(Runtime& runtime, MessageRouter& router);

}  // namespace manta::core
