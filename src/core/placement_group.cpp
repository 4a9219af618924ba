#include "core/placement_group.hpp"

#include "core/runtime.hpp"
#include "util/log.hpp"

#include <manta/error.hpp>

namespace manta::core {
namespace {

/// Reserves a bundle: runs once the bundle's resources are free on this rank, keeps them, and
/// turns them into the bundle's pool.
class BundleReservation final : public Runnable {
 public:
  BundleReservation(Runtime& runtime, int creator, std::int64_t key, resources::Request bundle)
      : runtime_(runtime), creator_(creator), key_(key) {
    request = std::move(bundle);
    request.bundle = -1;  // from the rank's own pool
  }

  Units run() override {
    const bool made = runtime_.executor().add_bundle(key_, request, granted);
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
    if (creator_ == runtime_.rank()) {
      runtime_.placement_groups().bundle_ready(key_, error);
    } else {
      runtime_.messenger().send(creator_, transport::encode(transport::BundleReady{key_, error}));
    }
  }

  Runtime& runtime_;
  const int creator_;
  const std::int64_t key_;
};

}  // namespace

Object* PlacementGroups::create(Runtime& runtime, const std::vector<resources::Request>& bundles,
                                PlacementStrategy strategy, std::vector<BundleAddress>& addresses) {
  if (bundles.empty()) throw InvalidOptionError("a placement group needs at least one bundle");
  if (bundles.size() >= (1U << 16)) {
    throw InvalidOptionError("a placement group has at most 65535 bundles");
  }
  auto reservations = runtime.cluster().place_bundles(bundles, strategy);
  auto* ready = new Object(runtime.next_object_id(), "placement group");
  ready->retain();  // the caller's; the group keeps the first until it is set
  std::int64_t group_key = 0;
  {
    util::LockGuard lock(mutex_);
    group_key = (std::int64_t{runtime.rank()} << 32) | next_sequence_++;
    groups_[group_key] = Group{ready, bundles.size(), reservations, bundles};
  }
  addresses.clear();
  for (std::size_t i = 0; i < bundles.size(); ++i) {
    addresses.push_back({reservations[i].rank, (group_key << 16) | static_cast<std::int64_t>(i)});
  }
  for (std::size_t i = 0; i < bundles.size(); ++i) {
    const auto& address = addresses[i];
    if (address.rank == runtime.rank()) {
      reserve_bundle(runtime, runtime.rank(), address.key, bundles[i]);
    } else {
      runtime.messenger().send(address.rank, transport::encode(transport::ReserveBundle{
                                                 address.key, to_wire(bundles[i])}));
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

void PlacementGroups::remove(Runtime& runtime, const std::vector<BundleAddress>& addresses) {
  if (addresses.empty()) return;
  Group group;
  {
    util::LockGuard lock(mutex_);
    const auto found = groups_.find(group_of(addresses.front().key));
    if (found == groups_.end()) return;  // removed already
    group = std::move(found->second);
    groups_.erase(found);
  }
  for (const auto& reservation : group.reservations) runtime.cluster().unreserve(reservation);
  for (const auto& address : addresses) {
    if (address.rank == runtime.rank()) {
      release_bundle(runtime, address.key);
    } else {
      runtime.messenger().send(address.rank,
                               transport::encode(transport::ReleaseBundle{address.key}));
    }
  }
  if (group.ready != nullptr) {
    group.ready->fail(std::make_exception_ptr(
        Error("the placement group was removed before all its bundles were reserved")));
    group.ready->release();
  }
}

const resources::Request* PlacementGroups::bundle_request(std::int64_t key) const {
  util::LockGuard lock(mutex_);
  const auto found = groups_.find(group_of(key));
  if (found == groups_.end()) return nullptr;
  const auto index = static_cast<std::size_t>(key & 0xffff);
  return index < found->second.bundles.size() ? &found->second.bundles[index] : nullptr;
}

int check_bundle(Runtime& runtime, const BundleAddress& bundle, int rank,
                 resources::Request& request, std::string_view owner, const std::string& name) {
  const auto& cluster = runtime.cluster();
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
  if (PlacementGroups::creator_of(bundle.key) == runtime.rank()) {
    const resources::Request* reserved = runtime.placement_groups().bundle_request(bundle.key);
    if (reserved == nullptr) {
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

void reserve_bundle(Runtime& runtime, int creator, std::int64_t key, resources::Request request) {
  runtime.executor().submit(new BundleReservation(runtime, creator, key, std::move(request)));
}

void release_bundle(Runtime& runtime, std::int64_t key) {
  util::log().debug("placement-group bundle {:#x} removed", key);
  runtime.executor().remove_bundle(key);
}

void handle_placement_group_messages(Runtime& runtime, MessageRouter& router) {
  router.on<transport::ReserveBundle>([&runtime](int source, transport::ReserveBundle reserve) {
    reserve_bundle(runtime, source, reserve.key, from_wire(reserve.resources));
  });
  router.on<transport::BundleReady>([&runtime](int, transport::BundleReady ready) {
    runtime.placement_groups().bundle_ready(ready.key, ready.error);
  });
  router.on<transport::ReleaseBundle>(
      [&runtime](int, transport::ReleaseBundle release) { release_bundle(runtime, release.key); });
}

}  // namespace manta::core
