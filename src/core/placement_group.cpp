#include "core/placement_group.hpp"

#include "core/executor.hpp"
#include "core/remote.hpp"
#include "util/log.hpp"

#include <manta/error.hpp>

namespace manta::core {

/// Reserves a bundle: runs once the bundle's resources are free on this rank, keeps them, and
/// turns them into the bundle's pool.
class PlacementGroups::BundleReservation final : public Runnable {
 public:
  BundleReservation(PlacementGroups& groups, int creator, std::int64_t key,
                    resources::Request bundle)
      : groups_(groups), creator_(creator), key_(key) {
    request = std::move(bundle);
    request.bundle = -1;  // from the rank's own pool
  }

  Units run() override {
    const bool made = groups_.executor_.add_bundle(key_, request, granted);
    report(made ? "" : "the group was removed before its bundle was reserved");
    delete this;
    return Units::keep;  // add_bundle owns them now (or gave them back)
  }

  void abandon(const std::string& reason) override {
    report(reason);
    delete this;
  }

  std::string describe() const override {
    return "the reservation of placement-group bundle " + std::to_string(key_);
  }

 private:
  void report(const std::string& error) {
    if (creator_ == groups_.rank_) {
      groups_.bundle_ready(key_, error);
    } else {
      groups_.sender_.send(creator_, transport::encode(transport::BundleReady{key_, error}));
    }
  }

  PlacementGroups& groups_;
  const int creator_;
  const std::int64_t key_;
};

PlacementGroups::PlacementGroups(int rank, Cluster& cluster, Executor& executor,
                                 transport::Sender& sender, MessageRouter& router)
    : rank_(rank), cluster_(cluster), executor_(executor), sender_(sender) {
  router.on<transport::ReserveBundle>([this](int source, transport::ReserveBundle reserve) {
    reserve_bundle(source, reserve.key, from_wire(reserve.resources));
  });
  router.on<transport::BundleReady>(
      [this](int, transport::BundleReady ready) { bundle_ready(ready.key, ready.error); });
  router.on<transport::ReleaseBundle>(
      [this](int, transport::ReleaseBundle release) { release_bundle(release.key); });
}

Object* PlacementGroups::create(ObjectId ready_id, const std::vector<resources::Request>& bundles,
                                PlacementStrategy strategy, std::vector<BundleAddress>& addresses) {
  if (bundles.empty()) throw InvalidOptionError("a placement group needs at least one bundle");
  if (bundles.size() >= (1U << 16)) {
    throw InvalidOptionError("a placement group has at most 65535 bundles");
  }
  auto reservations = cluster_.place_bundles(bundles, strategy);
  auto* ready = new Object(ready_id, "placement group");
  ready->retain();  // the caller's; the group keeps the first until it is set
  std::int64_t group_key = 0;
  {
    util::LockGuard lock(mutex_);
    group_key = (std::int64_t{rank_} << 32) | next_sequence_++;
    groups_[group_key] = Group{ready, bundles.size(), reservations, bundles};
  }
  addresses.clear();
  for (std::size_t i = 0; i < bundles.size(); ++i) {
    addresses.push_back({reservations[i].rank, (group_key << 16) | static_cast<std::int64_t>(i)});
  }
  for (std::size_t i = 0; i < bundles.size(); ++i) {
    const auto& address = addresses[i];
    if (address.rank == rank_) {
      reserve_bundle(rank_, address.key, bundles[i]);
    } else {
      sender_.send(address.rank,
                   transport::encode(transport::ReserveBundle{address.key, to_wire(bundles[i])}));
    }
  }
  return ready;
}

void PlacementGroups::bundle_ready(std::int64_t key, const std::string& error) {
  Object* ready = nullptr;
  {
    util::LockGuard lock(mutex_);
    const auto found = groups_.find(group_of(key));
    if (found == groups_.end() || found->second.ready == nullptr) return;
    Group& group = found->second;
    if (error.empty() && --group.pending > 0) return;
    ready = std::exchange(group.ready, nullptr);
  }
  if (error.empty()) {
    ready->seal(detail::make_box(true));
  } else {
    ready->fail(std::make_exception_ptr(InfeasibleError("bundle " + std::to_string(key & 0xffff) +
                                                        " of the placement group: " + error)));
  }
  ready->release();
}

PlacementGroups::~PlacementGroups() {
  for (auto& [key, group] : groups_) {
    if (group.ready == nullptr) continue;
    group.ready->fail(std::make_exception_ptr(
        Error("the runtime stopped before the placement group's bundles were reserved")));
    group.ready->release();
  }
}

void PlacementGroups::remove(const std::vector<BundleAddress>& addresses) {
  if (addresses.empty()) return;
  Group group;
  {
    util::LockGuard lock(mutex_);
    const auto found = groups_.find(group_of(addresses.front().key));
    if (found == groups_.end()) return;  // removed already
    group = std::move(found->second);
    groups_.erase(found);
  }
  for (const auto& reservation : group.reservations) cluster_.unreserve(reservation);
  for (const auto& address : addresses) {
    if (address.rank == rank_) {
      release_bundle(address.key);
    } else {
      sender_.send(address.rank, transport::encode(transport::ReleaseBundle{address.key}));
    }
  }
  if (group.ready != nullptr) {
    group.ready->fail(std::make_exception_ptr(
        Error("the placement group was removed before all its bundles were reserved")));
    group.ready->release();
  }
}

std::optional<resources::Request> PlacementGroups::bundle_request(std::int64_t key) const {
  util::LockGuard lock(mutex_);
  const auto found = groups_.find(group_of(key));
  if (found == groups_.end()) return std::nullopt;
  const auto index = static_cast<std::size_t>(key & 0xffff);
  if (index >= found->second.bundles.size()) return std::nullopt;
  return found->second.bundles[index];
}

int PlacementGroups::check_bundle(const BundleAddress& bundle, int rank,
                                  resources::Request& request, std::string_view owner,
                                  const std::string& name) const {
  const auto& cluster = cluster_;
  const auto subject = [&] { return std::string(owner) + " '" + name + "'"; };
  if (bundle.rank < 0 || bundle.rank >= cluster.size()) {
    throw InvalidOptionError(subject() + " names a placement-group bundle on rank " +
                             std::to_string(bundle.rank) + ", which the job does not have");
  }
  if (rank >= 0 && rank != bundle.rank) {
    throw InvalidOptionError(subject() + " asks for rank " + std::to_string(rank) +
                             " and for a bundle on rank " + std::to_string(bundle.rank));
  }
  request.bundle = bundle.key;
  if (creator_of(bundle.key) == rank_) {
    const std::optional<resources::Request> reserved = bundle_request(bundle.key);
    if (!reserved) {
      throw InvalidOptionError(subject() +
                               " names a bundle of a placement group that was "
                               "removed");
    }
    if (!resources::capacity_of(*reserved, cluster.catalog().size()).holds(request)) {
      throw InfeasibleError(
          subject() + " asks for " + resources::describe(request, cluster.catalog()) +
          ", but its bundle reserved " + resources::describe(*reserved, cluster.catalog()) +
          ": it could never run there");
    }
  }
  return bundle.rank;
}

void PlacementGroups::reserve_bundle(int creator, std::int64_t key, resources::Request request) {
  executor_.submit(new BundleReservation(*this, creator, key, std::move(request)));
}

void PlacementGroups::release_bundle(std::int64_t key) {
  util::log().debug("placement-group bundle {:#x} removed", key);
  executor_.remove_bundle(key);
}

}  // namespace manta::core
