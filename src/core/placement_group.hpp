/// @file core/placement_group.hpp
/// @brief Placement groups: the creator chooses a rank for each bundle and asks it to reserve
/// the bundle (a runnable that waits for the resources, then keeps them as the bundle's pool);
/// each rank reports back, and the group's `ready` object is set when all have.
#pragma once

#include "core/message_router.hpp"

#include "core/cluster.hpp"
#include "core/object.hpp"
#include "resources/request.hpp"
#include "transport/sender.hpp"
#include "util/mutex.hpp"

#include <manta/placement_group.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace manta::core {

class Executor;

/// @brief The groups this rank created, until they are removed, and the bundles other ranks'
/// groups reserve here. Thread-safe.
class PlacementGroups {
 public:
  /// This is rank `rank`; `cluster` chooses the bundles' ranks, `executor` reserves the bundles
  /// placed here, `sender` and `router` carry ReserveBundle, BundleReady and ReleaseBundle.
  PlacementGroups(int rank, Cluster& cluster, Executor& executor, transport::Sender& sender,
                  MessageRouter& router);
  /// Fails the ready objects of groups still being reserved (the runtime is stopping).
  ~PlacementGroups();
  PlacementGroups(const PlacementGroups&) = delete;
  PlacementGroups& operator=(const PlacementGroups&) = delete;

  /// Chooses ranks for `bundles` and starts reserving them. Returns the group's ready object
  /// `ready_id` (one reference for the caller) and fills `addresses`.
  /// @throws InvalidOptionError for no bundles or too many; InfeasibleError (from the cluster)
  /// for bundles the job can never hold
  Object* create(ObjectId ready_id, const std::vector<resources::Request>& bundles,
                 PlacementStrategy strategy, std::vector<BundleAddress>& addresses);
  /// Removes the group of `addresses` (created here): its bundles go back to their ranks.
  void remove(const std::vector<BundleAddress>& addresses);
  /// The rank that created the group of bundle `key`.
  static int creator_of(std::int64_t key) noexcept { return static_cast<int>(key >> 48); }
  /// Checks that `request` (of the task or actor `name`) can run in `bundle`, as far as this
  /// rank knows the bundle, and marks the request as drawing from it. Returns the bundle's rank.
  /// @throws InvalidOptionError for a bundle that does not exist or contradicts `rank`;
  /// InfeasibleError for a request the bundle can never hold
  int check_bundle(const BundleAddress& bundle, int rank, resources::Request& request,
                   std::string_view owner, const std::string& name) const;

 private:
  class BundleReservation;
  struct Group {
    Object* ready = nullptr;  ///< one reference, until set
    std::size_t pending = 0;  ///< bundles not reserved yet
    std::vector<Reservation> reservations;
    std::vector<resources::Request> bundles;
  };
  static std::int64_t group_of(std::int64_t key) noexcept { return key >> 16; }

  /// A copy of what bundle `key` reserved, if this rank created it and it is not removed.
  std::optional<resources::Request> bundle_request(std::int64_t key) const;
  /// A bundle of a group created here is reserved (`error` empty), or never will be.
  void bundle_ready(std::int64_t key, const std::string& error);
  /// On the bundle's rank: reserves it (waiting for the resources), then tells `creator`.
  void reserve_bundle(int creator, std::int64_t key, resources::Request request);
  /// On the bundle's rank: the group was removed.
  void release_bundle(std::int64_t key);

  const int rank_;
  Cluster& cluster_;
  Executor& executor_;
  transport::Sender& sender_;
  mutable util::Mutex mutex_;
  /// By group key (the bundle keys without their index).
  std::map<std::int64_t, Group> groups_ MANTA_GUARDED_BY(mutex_);
  std::uint32_t next_sequence_ MANTA_GUARDED_BY(mutex_) = 1;
};

}  // namespace manta::core
