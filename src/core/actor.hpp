/// @file core/actor.hpp
/// @brief An actor: one instance of a registered class on this rank and its mailbox of calls,
/// run one at a time in the order they were made.
#pragma once

#include "core/executor.hpp"
#include "core/object.hpp"

#include <manta/detail/core_access.hpp>
#include <manta/options.hpp>

#include <atomic>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>

namespace manta::core {

class Runtime;

/// @brief An actor and its mailbox.
///
/// References: each ActorHandle holds one, each queued call holds one until it has run, and a
/// scheduled drain holds one while it is queued or running. The last release destroys the
/// instance and gives back the CPU units the actor was placed with.
class Actor {
 public:
  /// Queues the constructor as the first call. @throws InvalidOptionError, InfeasibleError
  Actor(Runtime& runtime, const char* class_name, const ActorOptions& options,
        std::unique_ptr<detail::CallBody> constructor);

  void retain() noexcept { references_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (references_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  /// Queues a call of `method_name` ("Class.method") behind every earlier call; returns its
  /// result object with one reference for the caller. Thread-safe.
  Object* submit(const char* method_name, std::unique_ptr<detail::CallBody> body);

 private:
  class Call;
  /// Runs queued calls on a worker thread, one at a time.
  class Drain final : public Runnable {
   public:
    explicit Drain(Actor& actor) : actor_(actor) {}
    Units run() override;

   private:
    Actor& actor_;
  };

  ~Actor();
  void enqueue(Call* call);
  /// `call`'s dependencies are ready: drain if it is first in line.
  void call_ready(Call& call);
  void schedule_drain_locked();
  void execute(Call& call);

  Runtime& runtime_;
  const std::uint64_t generation_;
  const std::string name_;
  std::atomic<int> references_{1};
  Drain drain_{*this};
  const std::int64_t units_;
  bool placed_ = false;  ///< set by the first drain, which acquired units_ (touched only by drains)
  std::unique_ptr<detail::ValueBox> instance_;  ///< touched only by the draining thread
  std::exception_ptr death_;                    ///< set if the constructor threw
  std::mutex mutex_;
  std::deque<Call*> mailbox_;  ///< guarded by mutex_; calls in submission order
  bool draining_ = false;      ///< guarded by mutex_; a drain is queued or running
};

}  // namespace manta::core
