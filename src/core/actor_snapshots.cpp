#include "core/actor_snapshots.hpp"

#include "core/object.hpp"
#include "core/runtime.hpp"

#include <manta/detail/value_box.hpp>
#include <manta/error.hpp>

#include <algorithm>
#include <filesystem>

namespace manta::core {
namespace {

/// A checkpoint copies an actor's native arrays when they are smaller than this in all, so the
/// actor runs on while the file is written; larger ones it borrows (no second copy of a large
/// state in memory, and no time spent copying), and the actor waits for the write.
constexpr std::size_t copy_arrays_below = std::size_t{64} << 20;

}  // namespace

ActorSnapshots::ActorSnapshots(Runtime& runtime, const ActorIdentity& identity,
                               const ActorPolicy& policy, Registry::StateHooks hooks)
    : runtime_(runtime),
      identity_(identity),
      policy_(policy),
      hooks_(hooks),
      last_snapshot_(std::chrono::steady_clock::now().time_since_epoch().count()) {}

std::optional<checkpoint::ActorRecord> ActorSnapshots::take_marked() {
  util::LockGuard lock(mutex_);
  return std::exchange(marked_, std::nullopt);
}

void ActorSnapshots::serve(std::vector<SnapshotRequest>& waiters, ActorSupervisor& supervisor,
                           const std::function<void(bool)>& pause) {
  auto [record, error] = capture(supervisor, checkpoint::ArrayCapture::borrow);
  std::size_t borrowed = 0;
  if (record) {
    for (const auto& array : record->arrays) borrowed += array.borrowed.size();
  }
  if (borrowed > 0 && borrowed < copy_arrays_below) {
    for (auto& array : record->arrays) {
      array.bytes.assign(array.borrowed.begin(), array.borrowed.end());
      array.borrowed = {};
    }
    borrowed = 0;
  }
  pause(borrowed > 0 || std::ranges::any_of(waiters, &SnapshotRequest::exiting));
  for (std::size_t i = 0; i + 1 < waiters.size(); ++i) waiters[i].done(record, error);
  waiters.back().done(std::move(record), error);
}

std::pair<std::optional<checkpoint::ActorRecord>, std::exception_ptr> ActorSnapshots::capture(
    ActorSupervisor& supervisor, checkpoint::ArrayCapture capture) {
  std::optional<checkpoint::ActorRecord> record;
  std::exception_ptr error;
  if (!supervisor.dead()) {
    try {
      record = checkpoint::ActorRecord{.key = identity_.key,
                                       .class_name = identity_.class_name,
                                       .name = identity_.name,
                                       .sequence = supervisor.calls(),
                                       .resources = identity_.resources};
      supervisor.instance().save(*record, capture);
    } catch (...) {
      record.reset();
      error = std::current_exception();
    }
  }
  calls_since_snapshot_.store(0, std::memory_order_relaxed);
  last_snapshot_.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                       std::memory_order_relaxed);
  policy_requested_.store(false);
  return {std::move(record), error};
}

std::chrono::steady_clock::time_point ActorSnapshots::last_snapshot() const {
  return std::chrono::steady_clock::time_point(
      std::chrono::steady_clock::duration(last_snapshot_.load(std::memory_order_relaxed)));
}

void ActorSnapshots::call_done() {
  const auto since = calls_since_snapshot_.fetch_add(1, std::memory_order_relaxed) + 1;
  const bool by_calls = policy_.every_calls > 0 && since >= policy_.every_calls;
  const bool by_time = policy_.every != std::chrono::steady_clock::duration{} &&
                       std::chrono::steady_clock::now() - last_snapshot() >= policy_.every;
  if ((by_calls || by_time) && !policy_requested_.exchange(true)) {
    runtime_.checkpointer().request({}, false, [](const auto&, std::exception_ptr) {});
  }
}

bool ActorSnapshots::due(std::chrono::steady_clock::time_point now) {
  if (policy_.every == std::chrono::steady_clock::duration{} ||
      calls_since_snapshot_.load(std::memory_order_relaxed) == 0 ||
      now - last_snapshot() < policy_.every) {
    return false;
  }
  return !policy_requested_.exchange(true);
}

void ActorSnapshots::checkpoint_on_demand(Object& result, ActorSupervisor& supervisor) {
  if (!checkpointable()) {
    result.fail(std::make_exception_ptr(
        InvalidOptionError("actor '" + identity_.shown_name + "' cannot be checkpointed: class " +
                           identity_.class_name + " has no serialize member")));
    return;
  }
  // Right after the calls before this one; a copy, as the actor goes on meanwhile.
  auto [state, failure] = capture(supervisor, checkpoint::ArrayCapture::copy);
  if (failure) {
    result.fail(failure);
    return;
  }
  {
    util::LockGuard lock(mutex_);
    marked_ = std::move(state);
  }
  result.retain();
  try {
    runtime_.checkpointer().request(
        {}, false, [&result](const std::filesystem::path& file, std::exception_ptr error) {
          if (error) {
            result.fail(std::move(error));
          } else {
            result.seal(std::make_unique<detail::SerializableBox<std::string>>(std::in_place,
                                                                               file.string()));
          }
          result.release();
        });
  } catch (...) {
    result.fail(std::current_exception());
    result.release();
  }
}

}  // namespace manta::core
