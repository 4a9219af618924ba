/// @file rl/make_environment.hpp
/// @brief The built-in environments by name: "CartPole-v1" (or "cartpole") and "Pendulum-v1"
/// (or "pendulum").
#pragma once

#include <manta/rl/environment.hpp>
#include <manta/rl/vector_env.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace manta::rl {

/// @brief A new copy of the built-in environment `name`.
/// @throws std::invalid_argument naming the known environments when `name` is not one
std::unique_ptr<Environment> make_environment(std::string_view name);

/// @brief `count` copies of `name`, stepped together.
/// @throws std::invalid_argument for an unknown name or a count of 0
VectorEnv make_vector_env(std::string_view name, std::size_t count);

/// The names make_environment knows, Gymnasium's first.
std::vector<std::string> environment_names();

}  // namespace manta::rl
