/// @file task.hpp
/// @brief task(f).remote(args...): run a registered function as a remote task (Ray's `f.remote`).
#pragma once
#include "detail/public_header.hpp"

#include "detail/call_body.hpp"
#include "object_ref.hpp"
#include "options.hpp"

#include <tuple>
#include <type_traits>
#include <utility>

namespace manta {

/// @brief Submits calls of one registered function. Made by `manta::task(f)`; cheap to copy.
template <class R, class... P>
class TaskCaller {
 public:
  using Function = R (*)(P...);

  explicit TaskCaller(Function function)
      : function_(function), name_(detail::remembered_name(function, [](Function key) {
          return detail::function_name(reinterpret_cast<detail::AnyFunction>(key));
        })) {}

  /// @brief A caller with these options (Ray's `f.options(...)`); this one is unchanged.
  TaskCaller options(TaskOptions options) const {
    TaskCaller copy = *this;
    copy.options_ = std::move(options);
    return copy;
  }

  /// @brief Submits one call and returns the ref of its result at once.
  ///
  /// Each argument is a value converted to the parameter's type, or an ObjectRef whose value the
  /// task receives once it is ready (the dependency is tracked by the runtime; the caller never
  /// fetches it). Thread-safe; tasks may call it too (nested submission).
  /// @throws InvalidOptionError for options that make no sense (negative num_cpus)
  /// @throws InfeasibleError when no rank can ever give the task its num_cpus
  template <class... A>
  ObjectRef<detail::result_t<R>> remote(A&&... args) const {
    auto body = detail::CallFactory<std::tuple<P...>>::make(function_, std::forward<A>(args)...);
    return ObjectRef<detail::result_t<R>>::impl_adopt(
        detail::submit_task(name_, options_, std::move(body)));
  }

  /// The name the function was registered with.
  const char* name() const noexcept { return name_; }

 private:
  Function function_;
  const char* name_;
  TaskOptions options_;
};

/// @brief The remote form of a function registered with MANTA_REMOTE.
/// @throws NotRegisteredError if `function` was not registered
/// @code
/// int square(int x) { return x * x; }
/// MANTA_REMOTE(square);
/// ...
/// manta::ObjectRef<int> ref = manta::task(square).remote(4);
/// @endcode
template <class R, class... P>
TaskCaller<R, P...> task(R (*function)(P...)) {
  return TaskCaller<R, P...>(function);
}

/// @brief The remote form of the overload of `function` whose function type is `Signature`, as
/// registered with MANTA_REMOTE(function, Signature).
/// @code
/// MANTA_REMOTE(scale, double(double));
/// ...
/// manta::ObjectRef<double> ref = manta::task<double(double)>(scale).remote(1.5);
/// @endcode
template <class Signature>
requires std::is_function_v<Signature>
auto task(std::type_identity_t<Signature>* function) {  // Signature is given, never deduced
  return task(static_cast<Signature*>(function));
}

}  // namespace manta
