/// @file core/checkpointer.hpp
/// @brief Job-wide checkpoints of actor state. Rank 0 orders them in rounds; in each round every
/// rank takes the state of the actors it hosts, each between two of its calls, and writes it with
/// the other ranks into one HDF5 file (checkpoint layer). At startup the job finds the checkpoint
/// to restore from; named actors created later start from their state in it. SIGUSR1 (Slurm's
/// warning before the time limit) makes every rank checkpoint and exit with code 75.
#pragma once

#include "core/message_router.hpp"

#include "checkpoint/checkpoint.hpp"
#include "transport/communicator.hpp"
#include "transport/wire.hpp"
#include "util/mutex.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace manta::core {

class Runtime;

/// The exit code of a job stopped to be requeued (EX_TEMPFAIL): its state is in a checkpoint.
inline constexpr int requeue_exit_code = 75;

/// @brief An actor hosted here whose state can be checkpointed (its class has `serialize`).
class CheckpointedActor {
 public:
  /// Takes one reference unless the actor is already being destroyed.
  virtual bool try_retain() noexcept = 0;
  virtual void release() noexcept = 0;
  /// Calls `done`, on the thread that took it, with the actor's state taken between two of its
  /// calls (at once when it is idle): a record, nothing when the actor has no state to keep (it
  /// is dead), or the error its `serialize` threw. Large arrays are borrowed, not copied: the
  /// actor then runs no call until resume(). With `exiting` (the job exits after this
  /// checkpoint) it runs none either way, so the job does no work the checkpoint misses.
  virtual void snapshot(
      std::function<void(std::optional<checkpoint::ActorRecord>, std::exception_ptr)> done,
      bool exiting) = 0;
  /// Lets the actor run calls again once its snapshot is written (or failed to be); called for
  /// every actor snapshotted, paused or not.
  virtual void resume() = 0;
  /// Whether the actor's checkpoint policy asks for a checkpoint by `now` (time-based policies of
  /// actors that have been idle since their last call).
  virtual bool checkpoint_due(std::chrono::steady_clock::time_point now) = 0;

 protected:
  ~CheckpointedActor() = default;
};

/// @brief One rank's part of the job's checkpoints.
class Checkpointer {
 public:
  /// What a request is told once its checkpoint is durable: the file, or why it failed.
  using Done = std::function<void(const std::filesystem::path& file, std::exception_ptr error)>;

  /// Collective: duplicates the world communicator for checkpoint I/O and, on rank 0, chooses
  /// the checkpoint to restore (RuntimeOptions::restore, else the newest valid one in
  /// checkpoint_directory), which every rank then indexes.
  /// @throws CheckpointError when a checkpoint to restore was asked for and none is valid
  /// Handles CheckpointRequest and CheckpointRound from `router`.
  Checkpointer(Runtime& runtime, MessageRouter& router);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  /// Starts the thread that runs rounds and serves SIGUSR1 (Runtime::requeue_signal()).
  void start();
  /// Stops it, on every rank at shutdown (after the runtime's quiet-job wait: requests count
  /// as work, so none is left). Rank 0 orders no more rounds and says so; every rank runs the
  /// rounds ordered before that first.
  void stop();

  /// An actor hosted here, under its checkpoint key; it claims the state the job restored for
  /// that key, which from then on is the actor's own to save. Returns true when the job is
  /// exiting after a checkpoint already snapshotted here: the actor must then run nothing (not
  /// even its constructor), since whatever it ran would be reported and missing after restart.
  [[nodiscard]] bool add(CheckpointedActor& actor, const std::string& key);
  void remove(CheckpointedActor& actor);

  /// Asks for a checkpoint of every actor of the job into `directory` ("" for the runtime's
  /// checkpoint directory) that holds each actor's state as of now or later; `done` is called
  /// once it is durable. With `exit_after`, the job then exits with code 75. Thread-safe.
  /// @throws InvalidOptionError when there is no directory to write to
  void request(const std::filesystem::path& directory, bool exit_after, Done done);

  /// Rank 0: a request from `source`.
  void on_request(int source, transport::CheckpointRequest request);
  /// A round rank 0 ordered.
  void on_round(transport::CheckpointRound round);

  /// The checkpoint the job restored from, if any.
  const std::optional<std::filesystem::path>& restored_from() const noexcept {
    return restored_from_;
  }
  /// Where an actor's state was last saved.
  struct SavedState {
    std::filesystem::path file;
    std::string class_name;
    std::uint64_t sequence = 0;  ///< calls the actor had completed
  };
  /// Actor `key`'s state in the newest checkpoint this job wrote that holds it, else (for a
  /// named actor) in the checkpoint the job restored from; nothing if neither has it.
  std::optional<SavedState> last_saved(const std::string& key, bool named) const;
  /// Whether a checkpoint directory is configured.
  bool has_directory() const noexcept { return !directory_.empty(); }

 private:
  struct Pending {
    int rank = 0;
    std::uint64_t token = 0;
    std::string directory;
    bool exit_after = false;
  };

  /// The actors added and not being destroyed, each with one more reference; `claims`, if
  /// given, receives the restored keys claimed since the last call that asked for them. With
  /// `exiting`, actors added from now on are told to stay paused (add()).
  std::vector<CheckpointedActor*> live_actors(std::vector<std::string>* claims = nullptr,
                                              bool exiting = false);
  /// COLLECTIVE, in a round: rank 0 learns every rank's new claims and adds to its `records` the
  /// restored actors no rank has claimed yet (read from the newest file holding them), so that a
  /// checkpoint taken before the driver re-creates them still holds them. Returns their keys.
  std::vector<std::string> carry_unclaimed(std::vector<std::string> claims,
                                           std::vector<checkpoint::ActorRecord>& records);
  void loop();
  /// Rank 0: turns the pending requests for one directory into the next round, queued to run
  /// here and returned to be sent to the others once mutex_ is released.
  transport::CheckpointRound next_round_locked() MANTA_REQUIRES(mutex_);
  /// Rank 0: sends `round` to every other rank. Never under mutex_ (lock order at mutex_).
  void send_to_others(const transport::CheckpointRound& round) MANTA_EXCLUDES(mutex_);
  void run_round(const transport::CheckpointRound& round);
  /// This rank's actors' records for a round, or the first failure taking them. `actors`
  /// receives the actors snapshotted (each with a reference, to resume after the write).
  std::vector<checkpoint::ActorRecord> take_snapshots(
      std::vector<CheckpointedActor*>& actors, std::vector<std::string>& claims,
      std::optional<checkpoint::RankFailure>& failure, bool exiting);
  void complete(const transport::CheckpointRound& round, const std::filesystem::path& file,
                std::exception_ptr error);
  /// Turns SIGUSR1 into a checkpoint round after which the job exits with code 75.
  void serve_signal();
  /// Asks for a checkpoint when an idle actor's time-based policy says one is due.
  void check_policies();
  [[noreturn]] void exit_for_requeue(const transport::CheckpointRound& round, bool written);

  Runtime& runtime_;
  transport::Communicator comm_;  ///< the checkpointer thread's own, for rounds and restores
  const std::filesystem::path directory_;
  const std::string job_id_;
  std::optional<std::filesystem::path> restored_from_;
  /// the restore file's named actors, by key; read-only
  std::map<std::string, SavedState> restored_;
  /// Restored keys added since a round.
  std::vector<std::string> new_claims_ MANTA_GUARDED_BY(mutex_);
  std::set<std::string> claimed_;  ///< round thread, rank 0: restored keys some rank holds
  std::map<std::string, std::filesystem::path> carried_;  ///< round thread, rank 0: newest file

  /// Lock order: innermost. The messenger's progress thread takes it (on_round, on_request)
  /// while holding its send mutex and UCX's worker lock, so nothing is sent and no other lock is
  /// taken while it is held: what to send is decided under it (next_round_locked), sent after.
  mutable util::Mutex mutex_;
  std::condition_variable changed_;
  std::set<CheckpointedActor*> actors_ MANTA_GUARDED_BY(mutex_);
  std::deque<transport::CheckpointRound> rounds_ MANTA_GUARDED_BY(mutex_);    ///< to run, in order
  std::deque<Pending> pending_ MANTA_GUARDED_BY(mutex_);                      ///< rank 0 only
  std::map<std::string, std::uint64_t> last_epoch_ MANTA_GUARDED_BY(mutex_);  ///< rank 0 only
  std::map<std::uint64_t, Done> waiting_ MANTA_GUARDED_BY(mutex_);            ///< by token
  /// This rank's actors, by key.
  std::map<std::string, SavedState> saved_ MANTA_GUARDED_BY(mutex_);
  std::uint64_t next_token_ MANTA_GUARDED_BY(mutex_) = 1;
  bool exit_requested_ = false;  ///< round thread only; SIGUSR1 served
  bool stopping_ MANTA_GUARDED_BY(mutex_) = false;
  bool exiting_ MANTA_GUARDED_BY(mutex_) = false;  ///< an exit round has taken this rank's actors
  bool last_round_received_ MANTA_GUARDED_BY(mutex_) = false;  ///< rank 0 orders no more rounds
  std::thread thread_;
};

}  // namespace manta::core
