#include "core/checkpointer.hpp"

#include "core/runtime.hpp"
#include "core/timeline_file.hpp"
#include "util/log.hpp"
#include "util/timeline.hpp"

#include <manta/detail/serialization.hpp>
#include <manta/error.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace manta::core {
namespace fs = std::filesystem;
namespace {

/// How often the round thread looks at SIGUSR1 and at time-based checkpoint policies.
constexpr auto poll_interval = std::chrono::milliseconds(100);
/// The epoch of the message by which rank 0 says it orders no more rounds (at shutdown).
constexpr std::uint64_t last_round_marker = transport::CheckpointRound::last;
/// How often a round waiting for busy actors says so.
constexpr auto progress_interval = std::chrono::seconds(10);

fs::path absolute_or_empty(const std::string& path) {
  return path.empty() ? fs::path() : fs::absolute(path).lexically_normal();
}

/// The newest valid checkpoint older than the damaged `file`, in its directory.
std::optional<fs::path> previous_valid(const fs::path& file) {
  const auto files = checkpoint::list_checkpoints(file.parent_path());
  bool older = false;
  for (auto candidate = files.rbegin(); candidate != files.rend(); ++candidate) {
    if (!older) {
      older = candidate->filename() == file.filename();
      continue;
    }
    try {
      checkpoint::verify_checkpoint(*candidate);
      return *candidate;
    } catch (const CheckpointError& error) {
      util::log().warn("skipping {}", error.what());
    }
  }
  return std::nullopt;
}

/// The checkpoint a job restores from: `restore` (a file, or the newest valid file of a
/// directory), else the newest valid file of `directory` if it has any. A damaged file gives way
/// to the previous one.
std::optional<fs::path> choose_restore(const std::string& restore, const fs::path& directory) {
  if (!restore.empty()) {
    const fs::path asked = fs::absolute(restore).lexically_normal();
    if (fs::is_directory(asked)) {
      if (auto latest = checkpoint::latest_valid_checkpoint(asked)) return latest;
      throw CheckpointError(asked, "", "--restore names a directory with no valid checkpoint");
    }
    try {
      checkpoint::verify_checkpoint(asked);
      return asked;
    } catch (const CheckpointError& error) {
      util::log().error("{}; restoring from the previous checkpoint instead", error.what());
      if (auto previous = previous_valid(asked)) return previous;
      throw CheckpointError(asked, error.actor(),
                            error.problem() + "; and no older valid checkpoint is beside it");
    }
  }
  if (directory.empty() || checkpoint::list_checkpoints(directory).empty()) return std::nullopt;
  if (auto latest = checkpoint::latest_valid_checkpoint(directory)) return latest;
  throw CheckpointError(directory, "",
                        "no checkpoint in this directory is valid (see the warnings above); move "
                        "them away to start afresh, or name one with --restore");
}

std::string seconds_between(std::chrono::steady_clock::time_point start,
                            std::chrono::steady_clock::time_point end) {
  const std::chrono::duration<double> elapsed = end - start;
  return std::to_string(elapsed.count()).substr(0, 6) + " s";
}

std::string seconds_since(std::chrono::steady_clock::time_point start) {
  return seconds_between(start, std::chrono::steady_clock::now());
}

}  // namespace

Checkpointer::Checkpointer(Runtime& runtime, MessageRouter& router)
    : runtime_(runtime),
      comm_(transport::Communicator::world()),
      directory_(absolute_or_empty(runtime.options().checkpoint_directory)),
      job_id_(std::getenv("SLURM_JOB_ID") != nullptr ? std::getenv("SLURM_JOB_ID") : "") {
  router.on<transport::CheckpointRequest>([this](int source, transport::CheckpointRequest request) {
    on_request(source, std::move(request));
  });
  router.on<transport::CheckpointRound>(
      [this](int, transport::CheckpointRound round) { on_round(std::move(round)); });
  // Rank 0 alone chooses and reads the file, and tells the others what it holds: a job of
  // thousands of ranks must not open it thousands of times at start-up.
  std::string chosen;
  std::string problem;
  std::string actors;  ///< serialized Actors
  using Actors = std::map<std::string, std::pair<std::string, std::uint64_t>>;
  if (runtime.rank() == 0) {
    try {
      if (auto file = choose_restore(runtime.options().restore, directory_)) {
        chosen = file->string();
        const checkpoint::CheckpointIndex index = checkpoint::read_index(chosen);
        Actors saved;
        for (const auto& actor : index.actors) {
          // Only named actors find their state again after a restart (by name).
          if (!actor.name.empty()) {
            saved.emplace(actor.key, std::pair(actor.class_name, actor.sequence));
          }
        }
        actors.resize(detail::serialized_size(saved));
        detail::serialize_into(saved, std::as_writable_bytes(std::span(actors)));
        util::log().info("restoring from {}: {} actors, written by {} ranks at {}", chosen,
                         index.actors.size(), index.ranks, index.info.time);
      }
    } catch (const std::exception& error) {
      problem = error.what();
    }
  }
  comm_.broadcast(chosen);
  comm_.broadcast(problem);
  if (!problem.empty()) throw Error(problem);
  if (chosen.empty()) return;
  comm_.broadcast(actors);
  restored_from_ = chosen;
  for (auto& [key, saved] : detail::deserialize<Actors>(std::as_bytes(std::span(actors)))) {
    restored_.emplace(key, SavedState{chosen, std::move(saved.first), saved.second});
  }
}

Checkpointer::~Checkpointer() { stop(); }

void Checkpointer::start() {
  thread_ = std::thread([this] {
    util::timeline::name_thread("checkpoint");
    loop();
  });
}

void Checkpointer::stop() {
  {
    util::LockGuard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Checkpointer::add(CheckpointedActor& actor, const std::string& key) {
  util::LockGuard lock(mutex_);
  actors_.insert(&actor);
  if (restored_.contains(key)) new_claims_.push_back(key);
  return exiting_;
}

void Checkpointer::remove(CheckpointedActor& actor) {
  util::LockGuard lock(mutex_);
  actors_.erase(&actor);
}

std::optional<Checkpointer::SavedState> Checkpointer::last_saved(const std::string& key,
                                                                 bool named) const {
  {
    util::LockGuard lock(mutex_);
    if (const auto found = saved_.find(key); found != saved_.end()) return found->second;
  }
  const auto restored = named ? restored_.find(key) : restored_.end();
  if (restored == restored_.end()) return std::nullopt;
  return restored->second;
}

void Checkpointer::request(const fs::path& directory, bool exit_after, Done done) {
  const fs::path target = directory.empty() ? directory_ : absolute_or_empty(directory.string());
  if (target.empty()) {
    throw InvalidOptionError(
        "no checkpoint directory: give one to checkpoint_all, or start the job with "
        "--checkpoint-dir DIR");
  }
  std::uint64_t token = 0;
  {
    util::LockGuard lock(mutex_);
    token = next_token_++;
    waiting_.emplace(token, std::move(done));
  }
  runtime_.work_started();  // so the job does not end before the checkpoint is durable
  transport::CheckpointRequest request{token, target.string(), exit_after};
  if (runtime_.rank() == 0) {
    on_request(0, std::move(request));
  } else {
    runtime_.messenger().send(0, transport::encode(request));
  }
}

std::vector<CheckpointedActor*> Checkpointer::live_actors(std::vector<std::string>* claims,
                                                          bool exiting) {
  std::vector<CheckpointedActor*> live;
  util::LockGuard lock(mutex_);
  exiting_ = exiting_ || exiting;
  for (CheckpointedActor* actor : actors_) {
    if (actor->try_retain()) live.push_back(actor);
  }
  if (claims != nullptr) claims->swap(new_claims_);
  return live;
}

std::vector<std::string> Checkpointer::carry_unclaimed(
    std::vector<std::string> claims, std::vector<checkpoint::ActorRecord>& records) {
  std::vector<std::string> carried;
  if (restored_.empty()) return carried;
  std::string mine(detail::serialized_size(claims), '\0');
  detail::serialize_into(claims, std::as_writable_bytes(std::span(mine)));
  const std::vector<std::string> all = comm_.gather(mine);
  if (runtime_.rank() != 0) return carried;
  for (const auto& part : all) {
    for (auto& key :
         detail::deserialize<std::vector<std::string>>(std::as_bytes(std::span(part)))) {
      claimed_.insert(std::move(key));
    }
  }
  for (const auto& [key, saved] : restored_) {
    if (claimed_.contains(key)) continue;
    // From the newest file that holds it: rotation may have deleted the one restored from.
    const auto [newest, _] = carried_.try_emplace(key, saved.file);
    records.push_back(checkpoint::read_actor(newest->second, key));
    carried.push_back(key);
  }
  return carried;
}

void Checkpointer::on_request(int source, transport::CheckpointRequest request) {
  {
    util::LockGuard lock(mutex_);
    pending_.push_back({source, request.token, std::move(request.directory), request.exit_after});
  }
  changed_.notify_all();
}

void Checkpointer::on_round(transport::CheckpointRound round) {
  {
    util::LockGuard lock(mutex_);
    if (round.epoch == last_round_marker) {
      last_round_received_ = true;
    } else {
      rounds_.push_back(std::move(round));
    }
  }
  changed_.notify_all();
}

void Checkpointer::loop() {
  const bool orders = runtime_.rank() == 0;
  util::UniqueLock lock(mutex_);
  while (true) {
    if (!stopping_) {
      // First in every turn: a steady stream of requests (a checkpoint every few calls) must
      // not keep Slurm's warning waiting until the time limit kills the job.
      lock.unlock();
      serve_signal();
      lock.lock();
    }
    if (!pending_.empty() && !stopping_) {
      const transport::CheckpointRound round = next_round_locked();
      lock.unlock();
      send_to_others(round);
      lock.lock();
    }
    if (!rounds_.empty()) {
      const transport::CheckpointRound round = std::move(rounds_.front());
      rounds_.pop_front();
      lock.unlock();
      run_round(round);
      lock.lock();
      continue;
    }
    if (stopping_ && orders) {
      // Rank 0 orders no round after this marker, and every rank runs the rounds before it: a
      // SIGUSR1 during shutdown cannot leave a collective write half joined.
      lock.unlock();
      transport::CheckpointRound last;
      last.epoch = last_round_marker;
      send_to_others(last);
      return;
    }
    if (stopping_ && last_round_received_) return;
    changed_.wait_for(lock.native(), poll_interval);
    if (stopping_) continue;
    lock.unlock();
    check_policies();
    lock.lock();
  }
}

transport::CheckpointRound Checkpointer::next_round_locked() {
  transport::CheckpointRound round;
  round.directory = pending_.front().directory;
  for (auto next = pending_.begin(); next != pending_.end();) {
    if (next->directory != round.directory) {
      ++next;
      continue;
    }
    round.satisfies.emplace_back(next->rank, next->token);
    round.exit_after = round.exit_after || next->exit_after;
    next = pending_.erase(next);
  }
  // The directory's files tell the epoch after a restart; the counter covers rounds whose files
  // rotation has already deleted.
  std::uint64_t& last = last_epoch_[round.directory];
  round.epoch = std::max(checkpoint::next_epoch(round.directory), last + 1);
  last = round.epoch;
  rounds_.push_back(round);
  return round;
}

void Checkpointer::send_to_others(const transport::CheckpointRound& round) {
  const auto message = transport::encode(round);
  for (int rank = 1; rank < runtime_.layout().size; ++rank) {
    runtime_.messenger().send(rank, message);
  }
}

std::vector<checkpoint::ActorRecord> Checkpointer::take_snapshots(
    std::vector<CheckpointedActor*>& actors, std::vector<std::string>& claims,
    std::optional<checkpoint::RankFailure>& failure, bool exiting) {
  actors = live_actors(&claims, exiting);
  struct Snapshots {
    util::Mutex mutex;
    std::condition_variable taken;
    std::size_t remaining = 0;
    std::vector<checkpoint::ActorRecord> records;
    std::exception_ptr error;
  };
  auto snapshots = std::make_shared<Snapshots>();
  snapshots->remaining = actors.size();
  for (CheckpointedActor* actor : actors) {
    actor->snapshot(
        [snapshots](std::optional<checkpoint::ActorRecord> record, std::exception_ptr error) {
          util::LockGuard lock(snapshots->mutex);
          if (record) snapshots->records.push_back(std::move(*record));
          if (error && !snapshots->error) snapshots->error = error;
          if (--snapshots->remaining == 0) snapshots->taken.notify_all();
        },
        exiting);
  }
  {
    util::UniqueLock lock(snapshots->mutex);
    while (!snapshots->taken.wait_for(lock.native(), progress_interval,
                                      [&] { return snapshots->remaining == 0; })) {
      util::log().warn("checkpoint: waiting for {} of {} actors to finish their current call",
                       snapshots->remaining, actors.size());
    }
  }
  if (snapshots->error) {
    try {
      std::rethrow_exception(snapshots->error);
    } catch (const CheckpointError& error) {
      failure = checkpoint::RankFailure{error.actor(), error.problem()};
    } catch (const std::exception& error) {
      failure = checkpoint::RankFailure{"", error.what()};
    }
  }
  return std::move(snapshots->records);
}

void Checkpointer::run_round(const transport::CheckpointRound& round) {
  const auto started = std::chrono::steady_clock::now();
  std::optional<util::timeline::Span> span(std::in_place, util::timeline::Kind::checkpoint,
                                           "checkpoint", round.epoch);
  std::optional<checkpoint::RankFailure> failure;
  std::vector<CheckpointedActor*> actors;
  std::vector<std::string> claims;
  std::vector<checkpoint::ActorRecord> records =
      take_snapshots(actors, claims, failure, round.exit_after);
  std::vector<std::string> carried;
  try {
    carried = carry_unclaimed(std::move(claims), records);
  } catch (const std::exception& error) {
    if (!failure) failure = checkpoint::RankFailure{"", error.what()};
  }
  const auto written = std::chrono::steady_clock::now();
  std::size_t bytes = 0;
  for (const auto& record : records) {
    bytes += record.archive.size();
    for (const auto& array : record.arrays) bytes += array.data().size();
  }
  span->set_transfer(-1, bytes);
  const int keep = runtime_.options().checkpoint_keep;
  fs::path file;
  std::exception_ptr error;
  try {
    file = checkpoint::write_checkpoint(comm_.native(), round.directory, records,
                                        {job_id_, round.epoch, {}}, keep, failure);
    util::log().info("checkpoint {}: {} actors ({} bytes) from this rank: snapshots {}, write {}",
                     file.string(), records.size(), bytes, seconds_between(started, written),
                     seconds_since(written));
    for (const auto& key : carried) carried_[key] = file;
    util::LockGuard lock(mutex_);
    for (const auto& record : records) {
      saved_[record.key] = {file, record.class_name, record.sequence};
    }
  } catch (const std::exception& exception) {
    error = std::current_exception();
    util::log().error("checkpoint {} in {} failed: {}", round.epoch, round.directory,
                      exception.what());
  }
  if (error) span->set_failed();
  span.reset();  // recorded before an exit writes the timeline
  // Exiting, the actors stay paused: no call runs whose work the checkpoint would miss.
  if (round.exit_after) exit_for_requeue(round, !error);
  for (CheckpointedActor* actor : actors) {
    actor->resume();
    actor->release();
  }
  complete(round, file, error);
}

void Checkpointer::complete(const transport::CheckpointRound& round, const fs::path& file,
                            std::exception_ptr error) {
  for (const auto& [rank, token] : round.satisfies) {
    if (rank != runtime_.rank()) continue;
    Done done;
    {
      util::LockGuard lock(mutex_);
      const auto found = waiting_.find(token);
      if (found == waiting_.end()) continue;
      done = std::move(found->second);
      waiting_.erase(found);
    }
    done(file, error);
    runtime_.work_finished();
  }
}

void Checkpointer::serve_signal() {
  if (!runtime_.requeue_signal().take() || exit_requested_) return;
  exit_requested_ = true;  // later signals change nothing: the job is on its way out
  util::log().warn("SIGUSR1: checkpointing every actor, then exiting with code {} to be requeued",
                   requeue_exit_code);
  request({}, true, [](const fs::path&, std::exception_ptr) {});
}

void Checkpointer::check_policies() {
  if (directory_.empty()) return;
  const std::vector<CheckpointedActor*> actors = live_actors();
  const auto now = std::chrono::steady_clock::now();
  bool due = false;
  for (CheckpointedActor* actor : actors) {
    due = actor->checkpoint_due(now) || due;
    actor->release();
  }
  if (due) request({}, false, [](const fs::path&, std::exception_ptr) {});
}

void Checkpointer::exit_for_requeue(const transport::CheckpointRound& round, bool written) {
  comm_.barrier();  // every rank is done with the file before any process goes
  if (const auto& timeline = runtime_.options().timeline; !timeline.empty()) {
    try {
      write_timeline(comm_, timeline, runtime_.layout().hostname);
    } catch (const std::exception& error) {
      util::log().error("{}", error.what());  // the requeue matters more than the timeline
    }
  }
  runtime_.end_status(
      "requeued", written
                      ? "exit " + std::to_string(requeue_exit_code) + " after checkpoint " +
                            std::to_string(round.epoch) + " of " + round.directory
                      : "exit " + std::to_string(requeue_exit_code) + " without a new checkpoint");
  if (written) {
    util::log().warn("checkpoint {} of {} holds the job's state; exiting with code {}", round.epoch,
                     round.directory, requeue_exit_code);
  } else {
    util::log().error(
        "exiting with code {} without a new checkpoint: a rerun restores the "
        "previous one",
        requeue_exit_code);
  }
  util::log().flush();
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  // The other threads are mid-work; running static destructors under them would crash.
  std::_Exit(requeue_exit_code);
}

}  // namespace manta::core
