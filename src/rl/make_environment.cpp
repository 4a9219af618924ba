#include <manta/rl/make_environment.hpp>

#include <manta/rl/cartpole.hpp>
#include <manta/rl/pendulum.hpp>

#include <stdexcept>

namespace manta::rl {

std::unique_ptr<Environment> make_environment(std::string_view name) {
  if (name == "CartPole-v1" || name == "cartpole") return std::make_unique<CartPole>();
  if (name == "Pendulum-v1" || name == "pendulum") return std::make_unique<Pendulum>();
  std::string known;
  for (const std::string& each : environment_names()) known += (known.empty() ? "" : ", ") + each;
  throw std::invalid_argument("make_environment: unknown environment '" + std::string(name) +
                              "'; known: " + known);
}

VectorEnv make_vector_env(std::string_view name, std::size_t count) {
  if (count == 0) throw std::invalid_argument("make_vector_env: a count of 0 environments");
  std::vector<std::unique_ptr<Environment>> environments;
  environments.reserve(count);
  for (std::size_t i = 0; i < count; ++i) environments.push_back(make_environment(name));
  return VectorEnv(std::move(environments));
}

std::vector<std::string> environment_names() {
  return {"CartPole-v1", "Pendulum-v1", "cartpole", "pendulum"};
}

}  // namespace manta::rl
