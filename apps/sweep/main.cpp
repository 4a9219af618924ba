// A hyperparameter sweep: the seed chapter's Ray Tune example, a 5×5 grid over x and y.
//
//   def training_function(config):
//       x, y = config["x"], config["y"]
//       time.sleep(10)
//       score = objective(x, y)
//       tune.report(score=score)
//
//   def objective(x, y):
//       return math.sqrt((x**2 + y**2)/2)
//
//   result = tune.run(training_function,
//                     config={"x": tune.grid_search([-1, -.5, 0, .5, 1]),
//                             "y": tune.grid_search([-1, -.5, 0, .5, 1])})
//   print(result.get_best_config(metric="score", mode="min"))   # {'x': 0, 'y': 0}
//
// Here each trial reports over --steps iterations, sleeping --step-ms before each (the training),
// and the trials spread over every rank of the job:
//
//   sweep --results results.csv                                     # a singleton
//   mpirun -np 4 sweep --scheduler asha                             # 4 ranks, ASHA stopping
//   best config: {x: 0, y: 0}
//
// With --experiment-dir DIR every result and trial end is appended to DIR/experiment.jsonl as it
// happens; after a kill, the same command with --resume runs only the trials that had not ended.
#include <manta/tune.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

namespace tune = manta::tune;

int steps = 10;
int step_ms = 10;

void training_function(const tune::Config& config, tune::Reporter& reporter) {
  const double x = config.get<double>("x"), y = config.get<double>("y");
  for (int step = 0; step < steps; ++step) {
    std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
    reporter.report({{"score", std::sqrt((x * x + y * y) / 2)}});
  }
}
MANTA_TRAINABLE(training_function);

int main(int argc, char** argv) {
  CLI::App app("The seed's Ray Tune example: a 5x5 grid over x, y of sqrt((x^2 + y^2) / 2)");
  app.allow_extras();  // Manta's own flags
  std::string scheduler = "fifo";
  std::string results_file;
  std::string experiment_dir;
  bool resume = false;
  std::int64_t max_concurrent = 0;
  double cpus_per_trial = 1;
  int status_ms = 1000;
  app.add_option("--steps", steps, "iterations each trial reports")->check(CLI::PositiveNumber);
  app.add_option("--step-ms", step_ms, "milliseconds each iteration trains (sleeps)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--scheduler", scheduler, "fifo, or asha (grace 1, eta 3, max_t --steps)")
      ->check(CLI::IsMember({"fifo", "asha"}));
  app.add_option("--max-concurrent-trials", max_concurrent, "trials at once; 0: no limit")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--cpus-per-trial", cpus_per_trial, "CPUs each trial holds")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--status-ms", status_ms, "milliseconds between status lines; 0: final only");
  app.add_option("--results", results_file, "write every trial's config and last result (CSV)");
  app.add_option("--experiment-dir", experiment_dir,
                 "record the experiment here (experiment.jsonl), to resume it after a kill");
  app.add_flag("--resume", resume, "carry on the experiment recorded in --experiment-dir");
  CLI11_PARSE(app, argc, argv);

  return manta::run(argc, argv, [&] {
    const std::vector<tune::Value> points = {-1.0, -0.5, 0.0, 0.5, 1.0};
    std::shared_ptr<tune::Scheduler> stopper;
    if (scheduler == "asha") {
      stopper = std::make_shared<tune::AshaScheduler>(
          tune::AshaOptions{.grace_period = 1, .reduction_factor = 3, .max_t = steps});
    }
    tune::Tuner tuner(training_function, {{"x", tune::grid(points)}, {"y", tune::grid(points)}},
                      {.metric = "score",
                       .mode = tune::Mode::min,
                       .scheduler = stopper,
                       .resources_per_trial = {.num_cpus = cpus_per_trial},
                       .max_concurrent_trials = max_concurrent,
                       .status_interval = std::chrono::milliseconds(status_ms),
                       .status_stream = &std::cout,
                       .experiment_dir = experiment_dir,
                       .resume = resume});
    const auto start = std::chrono::steady_clock::now();
    const tune::ResultGrid results = tuner.fit();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::int64_t reported = 0;
    for (const auto& trial : results.trials()) reported += trial.iterations;
    std::printf("%zu trials on %d ranks in %.2f s: %.1f trials/s, %.0f results/s\n",
                results.trials().size(), manta::world_size(), seconds,
                double(results.trials().size()) / seconds, double(reported) / seconds);
    if (!results_file.empty()) {
      results.write_csv(results_file);
      std::cout << "results: " << results_file << "\n";
    }
    const auto& best = results.best();
    std::cout << "best score: " << tune::to_string(tune::Value{best.metrics.at("score")}) << "\n";
    std::cout << "best config: " << to_string(best.config) << std::endl;
  });
}
