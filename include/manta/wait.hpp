/// @file wait.hpp
/// @brief wait: split refs into ready and not ready (Ray's `ray.wait`).
#pragma once
#include "detail/public_header.hpp"

#include "error.hpp"
#include "object_ref.hpp"

#include <string>
#include <utility>
#include <vector>

namespace manta {

/// @brief The two lists `wait` returns, each in the order the refs were given.
template <class T>
struct WaitResult {
  std::vector<ObjectRef<T>> ready;
  std::vector<ObjectRef<T>> not_ready;
};

/// @brief Returns once `options.num_returns` of `refs` are ready or `options.timeout` passes.
///
/// `ready` holds at most num_returns refs, the first ready ones in the order given; `not_ready`
/// holds all the others. A failed task's ref counts as ready (its `get` throws). Never throws on
/// timeout: it returns what is ready. Thread-safe. Passing the refs by std::move hands them on
/// without copying, which pays in a loop that waits on what the last wait left:
/// @throws InvalidOptionError if num_returns exceeds refs.size() or a ref is empty
/// @code
/// auto [ready, rest] = manta::wait(refs, {.num_returns = 2, .timeout = std::chrono::seconds(7)});
/// while (!rest.empty()) rest = manta::wait(std::move(rest)).not_ready;
/// @endcode
template <class T>
WaitResult<T> wait(std::vector<ObjectRef<T>> refs, const WaitOptions& options = {}) {
  if (options.num_returns > refs.size()) {
    throw InvalidOptionError("wait: num_returns = " + std::to_string(options.num_returns) +
                             " exceeds the " + std::to_string(refs.size()) + " refs given");
  }
  std::vector<core::Object*> objects;
  objects.reserve(refs.size());
  for (const auto& ref : refs) {
    if (!ref.valid()) throw InvalidOptionError("wait: an ObjectRef in the list is empty");
    objects.push_back(ref.impl_object());
  }
  const auto flags =
      detail::wait_objects(objects, options.num_returns, detail::deadline_after(options.timeout));
  WaitResult<T> result;
  result.ready.reserve(options.num_returns);
  result.not_ready.reserve(refs.size() - options.num_returns);
  for (std::size_t i = 0; i < refs.size(); ++i) {
    if (flags[i] && result.ready.size() < options.num_returns) {
      result.ready.push_back(std::move(refs[i]));
    } else {
      result.not_ready.push_back(std::move(refs[i]));
    }
  }
  return result;
}

}  // namespace manta
