/// @file map.hpp
/// @brief map(f, inputs): a parallel map over tasks, the analogue of multiprocessing's Pool.map.
#pragma once
#include "detail/public_header.hpp"

#include "get.hpp"
#include "task.hpp"

#include <iterator>
#include <type_traits>
#include <vector>

namespace manta {
namespace detail {

/// std::ranges::input_range, spelled with what <iterator> has: <ranges> would cost every file
/// that includes <manta/manta.hpp> (its views), and map needs only this.
template <class R>
concept input_range = requires(R& range) {
  { std::ranges::begin(range) } -> std::input_iterator;
  std::ranges::end(range);
};

/// std::ranges::sized_range, likewise.
template <class R>
concept sized_range = input_range<R> && requires(R& range) {
  std::ranges::size(range);
};

}  // namespace detail

/// @brief Runs `function` on every element of `inputs` as tasks and returns the results in
/// input order. Blocks until all are done; the first task error is rethrown (TaskError).
/// @code
/// std::vector<int> squares = manta::map(square, std::vector{0, 1, 2, 3});   // {0, 1, 4, 9}
/// @endcode
template <class R, class P, detail::input_range Inputs>
requires(!std::is_void_v<R>) std::vector<std::remove_cvref_t<R>> map(
    R (*function)(P), const Inputs& inputs, const TaskOptions& options = {}) {
  const auto caller = task(function).options(options);
  std::vector<ObjectRef<std::remove_cvref_t<R>>> refs;
  if constexpr (detail::sized_range<Inputs>) refs.reserve(std::ranges::size(inputs));
  for (const auto& input : inputs) refs.push_back(caller.remote(input));
  return get(refs);
}

}  // namespace manta
