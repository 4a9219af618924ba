/// @file transport/wakeup.hpp
/// @brief How the messenger's progress thread sleeps without burning a core and is woken: epoll
/// over UCX's event descriptor (a message arrived) and an eventfd (work was queued).
#pragma once

#include <atomic>
#include <chrono>

namespace manta::transport {

/// @brief The progress thread's bed. sleep() is for that thread; wake() and sleeping() for any.
class Wakeup {
 public:
  /// `ucx_fd` is the UCX worker's event descriptor (ucp_worker_get_efd).
  explicit Wakeup(int ucx_fd);
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  /// Whether the progress thread is about to sleep or sleeps: work queued now needs a wake().
  bool sleeping() const noexcept { return sleeping_.load(); }
  /// Marks the progress thread as going to sleep, before its last look for work; false again
  /// once it is awake.
  void set_sleeping(bool sleeping) noexcept { sleeping_.store(sleeping); }
  /// Sleeps until UCX has an event (the worker must be armed), wake() is called, or `limit`.
  void sleep(std::chrono::milliseconds limit) const;
  /// Ends a sleep, or the next one if none is under way.
  void wake() const noexcept;

 private:
  int wake_fd_ = -1;
  int epoll_fd_ = -1;
  std::atomic<bool> sleeping_{false};
};

}  // namespace manta::transport
