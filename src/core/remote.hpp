/// @file core/remote.hpp
/// @brief The core's side of the traffic between ranks: tasks sent away and waiting for their
/// replies, tasks received to run here, and large results kept here until their owner has
/// fetched them.
#pragma once

#include "core/message_router.hpp"
#include "core/object.hpp"
#include "resources/request.hpp"
#include "transport/wire.hpp"
#include "util/mutex.hpp"

#include <manta/detail/store_block.hpp>

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>

namespace manta::core {

class Runtime;

/// @brief A task sent to another rank; complete() runs on the progress thread with its reply.
class RemoteCompletion {
 public:
  virtual void complete(transport::TaskReply reply) = 0;

 protected:
  ~RemoteCompletion() = default;
};

/// Conversions between the core's types and their wire forms.
transport::WireResources to_wire(const resources::Request& request);
resources::Request from_wire(const transport::WireResources& resources);
transport::WireActorAddress to_wire(const detail::ActorAddress& address);
detail::ActorAddress from_wire(const transport::WireActorAddress& address);

/// Sets `result` from the reply to a call sent to another rank: the value inline, or fetched by
/// one RMA get from the store of the rank that holds it (then released there), or the error (of
/// the type it was thrown as). `body` reads the bytes back (it knows the type). `done` runs
/// afterwards, on the progress thread.
void receive_reply(Runtime& runtime, Object& result, const detail::CallBody& body,
                   const std::string& name, transport::TaskReply reply, std::function<void()> done);

/// Brings the bytes at `locations` here: read in place from the mapped store of a rank on this
/// node (with --map-peer-stores), else fetched by one RMA get each into this rank's store (into
/// a spill file when the store is full). Then calls `then` with the blocks in order, or with
/// an error naming what failed, on whichever thread finished last. Arguments (`held` empty) are
/// kept by their owner meanwhile; a result `held` for this rank is released by its holder once
/// fetched, or once its mapped block goes.
void fetch_located(
    Runtime& runtime, const std::vector<transport::StoreLocation>& locations,
    const std::optional<transport::WireObjectId>& held,
    std::function<void(std::vector<detail::StoreBlock> blocks, const std::string& error)> then);

/// Once `result` (a call run here for `owner`) is ready, replies to `owner` with its value (inline
/// when small, else kept in this rank's store and sent as a location) or its error. Takes over one
/// reference to `result`.
void reply_when_ready(Runtime& runtime, int owner, transport::WireObjectId id, Object* result,
                      std::string name);

class Remote {
 public:
  /// Handles TaskReply, CancelTask, ReleaseObject and StealReply from `router`.
  Remote(Runtime& runtime, MessageRouter& router);

  /// Sends `request` (a task or an actor call producing `result`) to `target`; `waiting` gets
  /// the reply. Thread-safe.
  void send(int target, const transport::Message& request, transport::WireObjectId result,
            RemoteCompletion* waiting);
  /// Sends a reply to the owner of the task. Thread-safe.
  void reply(int owner, transport::TaskReply reply);
  /// Keeps `block` (a result in this rank's store) until its owner releases `id`; returns
  /// where it is.
  transport::StoreLocation hold(transport::WireObjectId id, detail::StoreBlock block);
  /// Tells `holder` that the owner of `id` no longer needs the bytes it keeps.
  void release_held(int holder, transport::WireObjectId id);

  /// A task `id` another rank sent here: runs to set `result` (nullptr while its arguments are
  /// fetched), until that is ready (then untrack_requested). Returns the mode of a
  /// cancel that came for it meanwhile, if one did: the caller cancels `result` with it.
  std::optional<CancelMode> track_requested(transport::WireObjectId id, Object* result);
  void untrack_requested(transport::WireObjectId id);

  /// This rank ran out of work: ask a random other rank for some of its queued tasks, unless a
  /// request is out already or the last few came back empty. Thread-safe, cheap.
  void maybe_steal();
  /// Another rank has shown a backlog (a task it sent while it had more queued): stealing may
  /// pay again after fruitless attempts. Work submitted here says nothing of the others: with it
  /// as the signal, an idle driver rank sending tasks elsewhere asked for work after each one.
  void backlog_seen() noexcept {
    if (steal_failures_.load(std::memory_order_relaxed) != 0) {
      steal_failures_.store(0, std::memory_order_relaxed);
    }
  }

 private:
  using Key = std::pair<std::int32_t, std::uint64_t>;

  /// Steal requests in a row that found nothing, after which an idle rank waits for new work.
  static constexpr int fruitless_steals = 3;

  void on_reply(int source, transport::TaskReply reply);
  void on_cancel(const transport::CancelTask& cancel);

  Runtime& runtime_;
  std::atomic<bool> stealing_{false};  ///< a steal request is out
  std::atomic<int> steal_failures_{0};
  util::Mutex mutex_;
  /// By result sequence.
  std::unordered_map<std::uint64_t, RemoteCompletion*> waiting_ MANTA_GUARDED_BY(mutex_);
  /// Results kept for their owners, by (owner, sequence).
  std::map<Key, detail::StoreBlock> held_ MANTA_GUARDED_BY(mutex_);
  /// @brief A task another rank sent here, as a CancelTask from it names it.
  struct Requested {
    Object* result = nullptr;          ///< nullptr while its arguments are fetched
    std::optional<CancelMode> cancel;  ///< a cancel came before `result` was known
  };
  std::map<Key, Requested> requested_ MANTA_GUARDED_BY(mutex_);  ///< by the sender's result id
};

}  // namespace manta::core
