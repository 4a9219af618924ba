/// @file transport/wire.hpp
/// @brief The control messages ranks exchange, as plain structs, and their encoding. Only this
/// file knows the byte layout; the core sees the structs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace manta::transport {

/// Names an object: the rank that owns it and that rank's sequence number.
struct WireObjectId {
  std::int32_t owner = -1;
  std::uint64_t sequence = 0;
};

/// Where bytes are: in `rank`'s store, at `offset`.
struct StoreLocation {
  std::int32_t rank = -1;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

/// What a task or actor holds while it runs (resources::Request, which this layer does not see).
struct WireResources {
  std::int64_t cpu = 0;
  std::int64_t gpu = 0;
  std::int64_t memory = 0;
  std::vector<std::pair<std::uint32_t, std::int64_t>> custom;  ///< (catalog index, amount)
  std::int64_t bundle = -1;
};

/// "Run this task and tell me the result": from the task's owner to the rank that runs it.
struct TaskRequest {
  WireObjectId result;
  std::string function;  ///< registered name
  std::string name;      ///< shown in errors (the function name or the `name` option)
  WireResources resources;
  std::vector<std::byte> arguments;    ///< as written by CallBody::write_arguments
  std::vector<StoreLocation> located;  ///< large arguments, left in the owner's store
  /// Tasks queued at the sender when it sent this one: with two or more, an idle receiver may
  /// find some to steal there. A pinned task alone says nothing of the sender's backlog.
  std::uint32_t sender_queued = 0;
  bool isolated = false;       ///< run it in a worker process (Isolation::process)
  double timeout_seconds = 0;  ///< a process-isolated task's time limit; 0: none
};

/// Which exception a WireError stands for, so the receiver throws the same type again.
enum class ErrorKind : std::uint8_t {
  task,            ///< TaskError: whatever the task threw, named by exception_type
  actor_died,      ///< ActorDiedError
  cancelled,       ///< TaskCancelledError
  worker_crashed,  ///< WorkerCrashedError
  timed_out,       ///< TaskTimeoutError
  actor_fatal,     ///< ActorFatalError (from an actor's worker process to its host)
  actor_exit,      ///< manta::exit_actor() (from an actor's worker process to its host)
  checkpoint,      ///< CheckpointError: task_name is the actor's key, `file` the checkpoint
  last = checkpoint
};

/// What a failed task or call carries across ranks (and from a worker process to its rank).
struct WireError {
  std::string task_name;
  std::int32_t rank = -1;  ///< -1: from a worker process, which knows no rank
  std::string exception_type;
  std::string message;
  ErrorKind kind = ErrorKind::task;
  std::string file;  ///< the checkpoint file, for ErrorKind::checkpoint
};

/// The outcome of a TaskRequest: the serialized value inline, its location, or the error.
struct TaskReply {
  WireObjectId result;
  std::variant<std::vector<std::byte>, StoreLocation, WireError> outcome;
};

/// The owner has fetched (or dropped) a result held in the receiver's store: free it.
struct ReleaseObject {
  WireObjectId id;
};

/// Names an actor: the rank hosting it, and the rank and sequence that created it.
struct WireActorAddress {
  std::int32_t host = -1;
  std::int32_t creator = -1;
  std::uint64_t sequence = 0;
  bool operator==(const WireActorAddress&) const = default;
};

/// "Host this actor": from its creator to the rank chosen for it. Calls follow in order.
struct ActorCreate {
  WireActorAddress actor;
  std::string class_name;
  std::string constructor;  ///< key of the constructor's remote factory
  std::string name;
  WireResources resources;
  std::vector<std::byte> arguments;
  std::string failure;  ///< non-empty: the constructor's inputs failed; the actor starts dead
  std::uint64_t checkpoint_every_calls = 0;  ///< the actor's checkpoint policy (ActorOptions)
  double checkpoint_every_seconds = 0;       ///< 0: none
  std::int32_t max_restarts = 0;
  std::int32_t max_task_retries = 0;
  std::int32_t max_concurrency = 1;
  bool isolated = false;  ///< host it in a worker process (Isolation::process)
};

/// What an ActorCall asks of the actor: a method, or one of manta's own requests.
enum class ActorCallKind : std::uint8_t {
  method,            ///< run `method` with `arguments`
  checkpoint,        ///< handle.checkpoint(): reply with the checkpoint file's path
  kill,              ///< manta::kill(handle)
  kill_and_restart,  ///< manta::kill(handle, true)
  last = kill_and_restart
};

/// A call for an actor hosted by the receiver; answered with a TaskReply.
struct ActorCall {
  WireActorAddress actor;
  WireObjectId result;
  std::string method;  ///< "Class.method", for a method
  std::vector<std::byte> arguments;
  ActorCallKind kind = ActorCallKind::method;
};

/// "I am idle": asks the receiver for queued tasks needing at most `free_units` in all.
struct StealRequest {
  std::int64_t free_units = 0;
};

/// How many tasks the receiver of a StealRequest sent back (as TaskRequests, before this).
struct StealReply {
  std::int32_t given = 0;
};

/// "Reserve this placement-group bundle": from the group's creator to the bundle's rank.
struct ReserveBundle {
  std::int64_t key = -1;
  WireResources resources;
};

/// The bundle `key` is reserved (or, with `error`, never will be): back to the group's creator.
struct BundleReady {
  std::int64_t key = -1;
  std::string error;
};

/// The group was removed: give the bundle's resources back once nothing uses them.
struct ReleaseBundle {
  std::int64_t key = -1;
};

/// To the rank that keeps the actor name `name`: look it up, or claim it for `actor` (a new
/// actor of `class_name`) unless it is taken. Answered with a NameReply.
struct NameRequest {
  std::uint64_t request = 0;
  std::string name;
  bool claim = false;
  std::string class_name;
  WireActorAddress actor;
  bool release = false;  ///< the actor at `actor` died: free its name (if it still has it)
};

/// `found`: the name belongs to the actor of `class_name` at `actor` (after a claim: another
/// actor had it, unless `claimed`).
struct NameReply {
  std::uint64_t request = 0;
  bool found = false;
  bool claimed = false;
  std::string class_name;
  WireActorAddress actor;
};

/// To rank 0, which orders the job's checkpoints: "write a checkpoint into `directory` that holds
/// every actor's state as of now", then, with `exit_after`, end the job with exit code 75.
struct CheckpointRequest {
  std::uint64_t token = 0;  ///< the sender's, to know which of its requests a round satisfies
  std::string directory;
  bool exit_after = false;
};

/// From rank 0 to every rank, in the order of the rounds: snapshot the actors hosted here and
/// write them with the other ranks into checkpoint `epoch` of `directory` (collective).
struct CheckpointRound {
  /// The epoch of rank 0's last message of this kind: no round follows, and it names no
  /// directory.
  static constexpr std::uint64_t last = 0;

  std::uint64_t epoch = 0;
  std::string directory;
  bool exit_after = false;
  std::vector<std::pair<std::int32_t, std::uint64_t>> satisfies;  ///< (rank, token) requests
};

/// manta::cancel of a task the sender sent to the receiver (TaskRequest::result names it): drop
/// it if queued, else flag it for manta::cancelled(); with `recursive`, the tasks it submitted too.
/// The receiver still replies to the TaskRequest.
struct CancelTask {
  WireObjectId result;
  bool recursive = true;
  bool force = false;  ///< kill the worker process of a process-isolated task
};

/// manta::list_tasks() and its kin: send this rank's state (a StateReply for `request`).
struct StateRequest {
  std::uint64_t request = 0;
};

/// A rank's state, encoded by the core (its tasks, actors and counts), for `request`.
struct StateReply {
  std::uint64_t request = 0;
  std::vector<std::byte> state;
};

using Message =
    std::variant<TaskRequest, TaskReply, ReleaseObject, ActorCreate, ActorCall, StealRequest,
                 StealReply, ReserveBundle, BundleReady, ReleaseBundle, NameRequest, NameReply,
                 CheckpointRequest, CheckpointRound, CancelTask, StateRequest, StateReply>;

/// What a message of this job can name, from the job's own configuration: every rank, size and
/// index in a message is checked against these before anyone uses it.
struct WireLimits {
  int ranks = 1;                     ///< ranks of the job
  std::size_t custom_resources = 0;  ///< kinds of custom resource in the job's catalog
};

/// Between a rank and one of its worker processes (a Unix socket inside the node, never between
/// ranks). Rank to worker: a TaskRequest, or the hosted actor's WorkerConstruct, WorkerCall,
/// WorkerSave or WorkerState (to load). Worker to rank: a TaskReply, or a WorkerState (saved).

/// Build the actor this worker hosts (it has none yet, or a dead one).
struct WorkerConstruct {
  std::string class_name;   ///< registered name
  std::string constructor;  ///< key of the constructor's remote factory
  std::vector<std::byte> arguments;
  bool restarted = false;  ///< the instance replaces one that died (was_current_actor_restarted)
};

/// Run a method of the hosted actor; answered with a TaskReply.
struct WorkerCall {
  std::string method;  ///< "Class.method"
  std::vector<std::byte> arguments;
};

/// Send the hosted actor's state (a WorkerState, or a TaskReply with the error).
struct WorkerSave {
  std::string key;  ///< the actor's key in checkpoints, for errors
};

/// A vector an actor's `serialize` names with manta::h5_array (checkpoint::NativeArray).
struct WireArray {
  std::string name;
  std::uint8_t element_type = 0;
  std::vector<std::uint64_t> dims;
  std::vector<std::byte> bytes;
};

/// An actor's state: its Boost archive and native arrays. To the worker: load it (answered with
/// a TaskReply); from it: the state WorkerSave asked for.
struct WorkerState {
  std::string key;  ///< the actor's key in checkpoints, for errors
  std::vector<std::byte> archive;
  std::vector<WireArray> arrays;
};

using WorkerMessage =
    std::variant<TaskRequest, TaskReply, WorkerConstruct, WorkerCall, WorkerSave, WorkerState>;

std::vector<std::byte> encode(const Message& message);
/// @throws manta::Error naming the problem, for bytes that are not a message of this job: a
/// truncated or foreign buffer, a size beyond the bytes received, a bool that is not 0 or 1, a
/// rank, resource index or amount out of `limits`, a checkpoint directory that is not an
/// absolute, normal path
Message decode(std::span<const std::byte> bytes, const WireLimits& limits);
/// The name of Message's alternative number `index` ("TaskRequest"), for errors.
const char* message_name(std::size_t index);

std::vector<std::byte> encode_for_worker(const WorkerMessage& message);
/// Not checked against limits: the bytes come from the rank's own process or its worker.
/// @throws manta::Error for bytes that are not a message between a rank and its worker
WorkerMessage decode_from_worker(std::span<const std::byte> bytes);

}  // namespace manta::transport
