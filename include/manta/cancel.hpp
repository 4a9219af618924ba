/// @file cancel.hpp
/// @brief cancel(ref): stop the task that would produce a ref (Ray's `ray.cancel`), and
/// cancelled(): how a running task learns it was asked to stop.
#pragma once
#include "detail/public_header.hpp"

#include "object_ref.hpp"

namespace manta {

/// @brief How manta::cancel stops a task.
struct CancelOptions {
  /// Kill the worker process of a running process-isolated task (TaskOptions::isolation) at
  /// once. A thread task cannot be killed: for it, force changes nothing.
  bool force = false;
  /// Cancel the tasks it submitted too, and theirs (Ray's default).
  bool recursive = true;
};

/// @brief Stops the task that produces `ref` (Ray's `ray.cancel`), wherever it runs.
///
/// A task waiting for its arguments or queued is dropped; a running task keeps running until it
/// returns, and sees cancelled() return true meanwhile (threads cannot be stopped from outside),
/// unless it runs in a worker process and `force` is given: then that process is killed.
/// Either way `get(ref)` throws TaskCancelledError from now on, and tasks depending on `ref`
/// fail with it. A task that has returned, a `put` object and an actor call are left as they
/// are. Returns at once; thread-safe.
/// @code
/// auto ref = manta::task(simulate).remote(config);
/// if (manta::wait({ref}, {.timeout = 60s}).ready.empty()) manta::cancel(ref);
/// @endcode
template <class T>
void cancel(const ObjectRef<T>& ref, CancelOptions options = {}) {
  detail::cancel_object(ref.impl_object(), options.force, options.recursive);
}

/// @brief Inside a task: whether manta::cancel asked it to stop. Long loops check it and return
/// early (what they return is dropped). False outside tasks.
bool cancelled() noexcept;

}  // namespace manta
