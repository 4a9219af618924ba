// A farm of simulators training a policy with Evolution Strategies (Salimans et al. 2017, Ray's
// ES example), on Manta::rl.
//
//   rl_farm --env cartpole --algo es --csv curve.csv              # one rank
//   mpirun -np 4 rl_farm --env cartpole --algo es                 # runners on every rank
//
// Env-runner actors spread over the ranks, each holding a VectorEnv of several simulators. The
// noise table is one `put`, copied once by each runner; each iteration the learner `put`s the
// weights once, every runner reads them to play its antithetic pairs and to evaluate the
// unperturbed policy, and the learner collects the returns with `wait` as they come in, ranks
// them and takes an Adam step. It stops when the evaluation's mean return reaches the target.
//
// With --checkpoint DIR the learner's state (weights, Adam moments, observation statistics,
// iteration) is checkpointed to DIR every --checkpoint-every iterations, in a named actor that
// Manta writes to HDF5; a rerun with --checkpoint DIR --resume carries on from there. SIGUSR1
// (Slurm's warning before the time limit) checkpoints the latest iteration and exits with 75.
#include <manta/checkpoint.hpp>
#include <manta/rl/cartpole.hpp>
#include <manta/rl/es_learner.hpp>
#include <manta/rl/es_runner.hpp>
#include <manta/rl/make_environment.hpp>

#include <fmt/core.h>
#include <fmt/os.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

/// An ES runner over `num_envs` copies of `env`, its policy sized by the environment.
manta::rl::EsRunner make_runner(const std::string& env, std::size_t num_envs,
                                const std::vector<std::size_t>& hidden, std::uint64_t seed) {
  manta::rl::VectorEnv envs = manta::rl::make_vector_env(env, num_envs);
  manta::rl::MlpPolicy policy(envs.observation_size(), envs.action_space(), hidden);
  return manta::rl::EsRunner(std::move(envs), std::move(policy), seed);
}

/// One actor: a VectorEnv of `num_envs` simulators and the policy that acts in them.
class EnvRunner {
 public:
  EnvRunner(std::string env, std::size_t num_envs, std::vector<std::size_t> hidden,
            std::uint64_t seed)
      : runner_(make_runner(env, num_envs, hidden, seed)) {}

  /// Keeps a copy of the job's noise table (read in place from the store, copied once).
  void load_noise(std::span<const float> table) { noise_.assign(table.begin(), table.end()); }

  manta::rl::EsSamples sample(const manta::rl::PolicyBroadcast& policy, float noise_stdev,
                              std::size_t pairs) {
    return runner_.sample(manta::rl::NoiseTable(noise_), policy, noise_stdev, pairs);
  }

  std::vector<float> evaluate(const manta::rl::PolicyBroadcast& policy, std::size_t episodes) {
    return runner_.evaluate(policy, episodes);
  }

 private:
  manta::rl::EsRunner runner_;
  std::vector<float> noise_;
};
MANTA_ACTOR(EnvRunner, load_noise, sample, evaluate);

/// The learner's state as a named, checkpointable actor: the driver hands it the learner every
/// few iterations and Manta writes it with every other actor's state; a restarted job gets it
/// back from the checkpoint when it creates the actor again.
class LearnerState {
 public:
  void keep(manta::rl::EsLearner learner) { learner_ = std::move(learner); }
  manta::rl::EsLearner latest() const { return learner_; }

  template <class Archive>
  void serialize(Archive& archive, unsigned /*version*/) {
    archive& learner_;
  }

 private:
  manta::rl::EsLearner learner_;
};
MANTA_ACTOR(LearnerState, keep, latest);

struct FarmOptions {
  std::string env = "cartpole";
  std::string algo = "es";
  int runners = 0;
  std::size_t envs_per_runner = 8;
  std::size_t pairs = 48;
  std::size_t hidden = 16;
  float noise_stdev = 0.1F;
  float stepsize = 0.03F;
  float l2_coeff = 0.005F;
  std::size_t noise_size = 4'000'000;
  std::size_t eval_episodes = 100;
  int max_iterations = 200;
  std::optional<float> target_return;
  std::uint64_t seed = 0;
  std::string csv;
  std::string checkpoint;
  int checkpoint_every = 10;
  bool resume = false;
};

/// Splits `total` into `parts` shares differing by at most one.
std::vector<std::size_t> shares(std::size_t total, std::size_t parts) {
  std::vector<std::size_t> result(parts, total / parts);
  for (std::size_t i = 0; i < total % parts; ++i) ++result[i];
  return result;
}

void train(const FarmOptions& options) {
  using namespace manta::rl;
  const auto started = std::chrono::steady_clock::now();
  const auto probe = make_environment(options.env);
  const std::vector<std::size_t> hidden = {options.hidden, options.hidden};
  const MlpPolicy policy(probe->observation_size(), probe->action_space(), hidden);
  const float target = options.target_return.value_or(
      options.env == "pendulum" || options.env == "Pendulum-v1" ? -300.0F
                                                                : CartPole::solved_return);

  const auto noise_ref = manta::put(NoiseTable::generate(options.seed, options.noise_size));
  const NoiseTable noise(manta::get_view(noise_ref));
  const std::size_t runner_count = options.runners > 0
                                       ? static_cast<std::size_t>(options.runners)
                                       : 2 * static_cast<std::size_t>(manta::world_size());
  std::vector<manta::ActorHandle<EnvRunner>> runners;
  std::vector<manta::ObjectRef<void>> loaded;
  for (std::size_t i = 0; i < runner_count; ++i) {
    runners.push_back(
        manta::actor<EnvRunner>()
            .options({.rank = static_cast<int>(i) % manta::world_size()})
            .remote(options.env, options.envs_per_runner, hidden, options.seed + 1000 * (i + 1)));
    loaded.push_back(runners.back().call(&EnvRunner::load_noise).remote(noise_ref));
  }
  manta::wait(std::move(loaded), {.num_returns = runner_count});

  EsLearner learner(policy.initial_parameters(options.seed), probe->observation_size(),
                    {.noise_stdev = options.noise_stdev,
                     .adam = {.stepsize = options.stepsize},
                     .l2_coeff = options.l2_coeff});
  manta::ActorHandle<LearnerState> saved;
  if (!options.checkpoint.empty()) {
    saved = manta::actor<LearnerState>()
                .options({.name = "es-learner", .get_if_exists = true})
                .remote();
  }
  if (options.resume) {
    const auto file = manta::restored_checkpoint();
    if (!file) {
      throw std::runtime_error("--resume: no checkpoint in '" + options.checkpoint + "'");
    }
    EsLearner restored = manta::get(saved.call(&LearnerState::latest).remote());
    if (restored.parameters().size() != learner.parameters().size()) {
      throw std::runtime_error(
          "--resume: the checkpoint's policy has " + std::to_string(restored.parameters().size()) +
          " parameters, this run's " + std::to_string(learner.parameters().size()));
    }
    learner = std::move(restored);
    fmt::print("resumed from {} at iteration {}\n", file->string(), learner.iteration());
  }
  std::optional<fmt::ostream> csv;
  if (!options.csv.empty()) {
    csv.emplace(fmt::output_file(options.csv));
    csv->print(
        "iteration,episodes,mean_return,min_return,max_return,eval_mean_return,"
        "env_steps,env_steps_per_s,seconds\n");
  }
  fmt::print("rl_farm: {} with ES, {} runners x {} envs on {} ranks, {} parameters, target {}\n",
             options.env, runner_count, options.envs_per_runner, manta::world_size(),
             policy.parameter_count(), target);

  const auto pair_shares = shares(options.pairs, runner_count);
  const auto eval_shares = shares(options.eval_episodes, runner_count);
  std::uint64_t total_steps = 0;
  for (int iteration = static_cast<int>(learner.iteration()) + 1;
       iteration <= options.max_iterations; ++iteration) {
    const auto iteration_start = std::chrono::steady_clock::now();
    const auto weights = manta::put(learner.broadcast());  // one put; every runner reads it
    std::vector<manta::ObjectRef<EsSamples>> pending;
    std::vector<manta::ObjectRef<std::vector<float>>> evaluations;
    for (std::size_t i = 0; i < runner_count; ++i) {
      if (pair_shares[i] > 0) {
        pending.push_back(runners[i]
                              .call(&EnvRunner::sample)
                              .remote(weights, options.noise_stdev, pair_shares[i]));
      }
      if (eval_shares[i] > 0) {
        evaluations.push_back(
            runners[i].call(&EnvRunner::evaluate).remote(weights, eval_shares[i]));
      }
    }
    std::vector<std::uint64_t> indices;
    std::vector<float> positive;
    std::vector<float> negative;
    std::uint64_t steps = 0;
    while (!pending.empty()) {  // fold in each runner's samples as it finishes
      auto [ready, rest] = manta::wait(std::move(pending));
      const EsSamples samples = manta::get(ready.front());
      indices.insert(indices.end(), samples.noise_indices.begin(), samples.noise_indices.end());
      positive.insert(positive.end(), samples.positive_returns.begin(),
                      samples.positive_returns.end());
      negative.insert(negative.end(), samples.negative_returns.begin(),
                      samples.negative_returns.end());
      learner.observation_stats().merge(samples.observation_stats);
      steps += samples.env_steps;
      pending = std::move(rest);
    }
    learner.update(noise, indices, positive, negative);

    std::vector<float> evaluated;
    for (const auto& returns : manta::get(evaluations)) {
      evaluated.insert(evaluated.end(), returns.begin(), returns.end());
    }
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - started).count();
    const double iteration_seconds = std::chrono::duration<double>(now - iteration_start).count();
    std::vector<float> returns = positive;
    returns.insert(returns.end(), negative.begin(), negative.end());
    const auto [lowest, highest] = std::minmax_element(returns.begin(), returns.end());
    const double mean = std::accumulate(returns.begin(), returns.end(), 0.0) / returns.size();
    const double eval_mean =
        evaluated.empty()
            ? mean
            : std::accumulate(evaluated.begin(), evaluated.end(), 0.0) / evaluated.size();
    total_steps += steps;
    const double rate = static_cast<double>(steps) / iteration_seconds;
    fmt::print(
        "iter {:4d} | episodes {:4d} | return mean {:8.2f} min {:8.2f} max {:8.2f} | eval {:8.2f}"
        " | {:9.0f} env steps/s | {:7.2f} s\n",
        iteration, returns.size(), mean, *lowest, *highest, eval_mean, rate, seconds);
    std::fflush(stdout);
    if (csv) {
      csv->print("{},{},{},{},{},{},{},{:.0f},{:.3f}\n", iteration, returns.size(), mean, *lowest,
                 *highest, eval_mean, total_steps, rate, seconds);
    }
    if (saved.valid()) {
      // Kept every iteration (a few KB), so that the checkpoint SIGUSR1 takes loses none.
      saved.call(&LearnerState::keep).remote(learner);
      if (iteration % options.checkpoint_every == 0) {
        fmt::print("checkpoint {}\n", manta::get(saved.checkpoint()));
      }
    }
    if (eval_mean >= target) {
      fmt::print(
          "solved: mean return {:.2f} over {} episodes >= {} after {} iterations, {:.2f} s\n",
          eval_mean, evaluated.size(), target, iteration, seconds);
      return;
    }
  }
  fmt::print("not solved in {} iterations\n", options.max_iterations);
}

int main(int argc, char** argv) {
  CLI::App app("Evolution Strategies on a farm of env-runner actors (Manta::rl)");
  app.allow_extras();  // Manta's own flags
  FarmOptions options;
  app.add_option("--env", options.env,
                 "environment: cartpole (CartPole-v1), pendulum (Pendulum-v1)")
      ->check(CLI::IsMember(manta::rl::environment_names()));
  app.add_option("--algo", options.algo, "algorithm")->check(CLI::IsMember({"es"}));
  app.add_option("--runners", options.runners, "env-runner actors; 0: two per rank")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--envs-per-runner", options.envs_per_runner, "simulators in each runner")
      ->check(CLI::PositiveNumber);
  app.add_option("--pairs", options.pairs, "antithetic pairs per iteration")
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--hidden", options.hidden, "units in each of the policy's two hidden layers")
      ->check(CLI::PositiveNumber);
  app.add_option("--noise-stdev", options.noise_stdev, "ES perturbation scale sigma")
      ->check(CLI::PositiveNumber);
  app.add_option("--stepsize", options.stepsize, "Adam step size")->check(CLI::PositiveNumber);
  app.add_option("--l2", options.l2_coeff, "weight decay")->check(CLI::NonNegativeNumber);
  app.add_option("--noise-size", options.noise_size, "floats in the shared noise table")
      ->check(CLI::Range(std::size_t{1000}, std::size_t{1} << 31));
  app.add_option("--eval-episodes", options.eval_episodes,
                 "episodes of the unperturbed policy per iteration (0: judge by the training "
                 "episodes)");
  app.add_option("--max-iterations", options.max_iterations, "iterations before giving up")
      ->check(CLI::PositiveNumber);
  app.add_option("--target-return", options.target_return,
                 "stop at this evaluation mean return (default: 475 for CartPole, -300 for "
                 "Pendulum)");
  app.add_option("--seed", options.seed, "seed of the noise table, the policy and the envs");
  app.add_option("--csv", options.csv, "write the learning curve to this CSV file");
  app.add_option("--checkpoint", options.checkpoint,
                 "checkpoint the learner into this directory (as --checkpoint-dir)");
  app.add_option("--checkpoint-every", options.checkpoint_every, "iterations between checkpoints")
      ->check(CLI::PositiveNumber);
  app.add_flag("--resume", options.resume,
               "carry on from the newest checkpoint in --checkpoint's directory")
      ->needs("--checkpoint");
  CLI11_PARSE(app, argc, argv);

  manta::RuntimeOptions runtime;
  try {
    runtime = manta::parse_options(argc, argv);
  } catch (const manta::InvalidOptionError& error) {
    std::cerr << "rl_farm: " << error.what() << "\n";
    return 2;
  }
  if (!options.checkpoint.empty()) runtime.checkpoint_directory = options.checkpoint;
  return manta::run(runtime, [&] { train(options); });
}
