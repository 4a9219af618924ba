#include "transport/wire.hpp"

#include <manta/detail/serialization.hpp>
#include <manta/error.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>

namespace boost::serialization {

template <class Archive>
void serialize(Archive& archive, manta::transport::WireObjectId& id, unsigned) {
  archive& id.owner& id.sequence;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::WireResources& resources, unsigned) {
  archive& resources.cpu& resources.gpu& resources.memory& resources.custom& resources.bundle;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::TaskRequest& request, unsigned) {
  archive& request.result& request.function& request.name& request.resources& request
      .arguments& request.located& request.sender_queued& request.isolated& request.timeout_seconds;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::StoreLocation& location, unsigned) {
  archive& location.rank& location.offset& location.size;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::WireError& error, unsigned) {
  archive& error.task_name& error.rank& error.exception_type& error.message& error.kind& error.file;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::TaskReply& reply, unsigned) {
  archive& reply.result& reply.outcome;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::ReleaseObject& release, unsigned) {
  archive& release.id;
}

template <class Archive>
void serialize(Archive& archive, manta::transport::CancelTask& cancel, unsigned) {
  archive& cancel.result& cancel.recursive& cancel.force;
}

template <class Archive>
void serialize(Archive& archive, manta::transport::WireActorAddress& address, unsigned) {
  archive& address.host& address.creator& address.sequence;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::ActorCreate& create, unsigned) {
  archive& create.actor& create.class_name& create.constructor& create.name& create
      .resources& create.arguments& create.failure& create.checkpoint_every_calls& create
      .checkpoint_every_seconds& create.max_restarts& create.max_task_retries& create
      .max_concurrency& create.isolated;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::ActorCall& call, unsigned) {
  archive& call.actor& call.result& call.method& call.arguments& call.kind;
}

template <class Archive>
void serialize(Archive& archive, manta::transport::StealRequest& request, unsigned) {
  archive& request.free_units;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::StealReply& reply, unsigned) {
  archive& reply.given;
}

template <class Archive>
void serialize(Archive& archive, manta::transport::ReserveBundle& reserve, unsigned) {
  archive& reserve.key& reserve.resources;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::BundleReady& ready, unsigned) {
  archive& ready.key& ready.error;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::ReleaseBundle& release, unsigned) {
  archive& release.key;
}

template <class Archive>
void serialize(Archive& archive, manta::transport::NameRequest& request, unsigned) {
  archive& request.request& request.name& request.claim& request.class_name& request.actor& request
      .release;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::NameReply& reply, unsigned) {
  archive& reply.request& reply.found& reply.claimed& reply.class_name& reply.actor;
}

template <class Archive>
void serialize(Archive& archive, manta::transport::CheckpointRequest& request, unsigned) {
  archive& request.token& request.directory& request.exit_after;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::CheckpointRound& round, unsigned) {
  archive& round.epoch& round.directory& round.exit_after& round.satisfies;
}

template <class Archive>
void serialize(Archive& archive, manta::transport::StateRequest& request, unsigned) {
  archive& request.request;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::StateReply& reply, unsigned) {
  archive& reply.request& reply.state;
}

template <class Archive>
void serialize(Archive& archive, manta::transport::WorkerConstruct& construct, unsigned) {
  archive& construct.class_name& construct.constructor& construct.arguments& construct.restarted;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::WorkerCall& call, unsigned) {
  archive& call.method& call.arguments;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::WorkerSave& save, unsigned) {
  archive& save.key;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::WireArray& array, unsigned) {
  archive& array.name& array.element_type& array.dims& array.bytes;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::WorkerState& state, unsigned) {
  archive& state.key& state.archive& state.arrays;
}

}  // namespace boost::serialization

namespace manta::transport {
namespace {

/// The alternatives of Message, in order, for errors.
constexpr const char* message_names[] = {
    "TaskRequest",  "TaskReply",  "ReleaseObject",     "ActorCreate",     "ActorCall",
    "StealRequest", "StealReply", "ReserveBundle",     "BundleReady",     "ReleaseBundle",
    "NameRequest",  "NameReply",  "CheckpointRequest", "CheckpointRound", "CancelTask",
    "StateRequest", "StateReply"};
static_assert(std::size(message_names) == std::variant_size_v<Message>);

/// Checks every rank, index, amount and path in a decoded message against the job's limits;
/// throws manta::Error naming the first field that is out of them.
class MessageCheck {
 public:
  explicit MessageCheck(const WireLimits& limits) : limits_(limits) {}

  void operator()(const TaskRequest& request) const {
    id(request.result, "task result");
    resources(request.resources);
    for (const auto& location : request.located) this->location(location);
    if (!(request.timeout_seconds >= 0) || !std::isfinite(request.timeout_seconds)) {
      fail("task timeout " + std::to_string(request.timeout_seconds) +
           " s is not a finite number >= 0");
    }
  }
  void operator()(const TaskReply& reply) const {
    id(reply.result, "task result");
    if (const auto* location = std::get_if<StoreLocation>(&reply.outcome))
      this->location(*location);
    if (const auto* error = std::get_if<WireError>(&reply.outcome)) {
      rank(error->rank, "rank of a task error", true);
      at_most(static_cast<int>(error->kind), static_cast<int>(ErrorKind::last), "error kind");
    }
  }
  void operator()(const ReleaseObject& release) const { id(release.id, "released object"); }
  void operator()(const CancelTask& cancel) const { id(cancel.result, "cancelled task result"); }
  void operator()(const ActorCreate& create) const {
    actor(create.actor);
    resources(create.resources);
    at_least(create.max_restarts, -1, "max_restarts");
    at_least(create.max_task_retries, -1, "max_task_retries");
    at_least(create.max_concurrency, 1, "max_concurrency");
    if (!(create.checkpoint_every_seconds >= 0) ||
        !std::isfinite(create.checkpoint_every_seconds)) {
      fail("checkpoint_every_seconds " + std::to_string(create.checkpoint_every_seconds) +
           " is not a finite number >= 0");
    }
  }
  void operator()(const ActorCall& call) const {
    actor(call.actor);
    id(call.result, "call result");
    at_most(static_cast<int>(call.kind), static_cast<int>(ActorCallKind::last), "call kind");
  }
  void operator()(const StealRequest& request) const {
    at_least(request.free_units, 0, "free units");
  }
  void operator()(const StealReply& reply) const { at_least(reply.given, 0, "stolen tasks"); }
  void operator()(const ReserveBundle& reserve) const { resources(reserve.resources); }
  void operator()(const BundleReady&) const {}
  void operator()(const ReleaseBundle&) const {}
  void operator()(const NameRequest& request) const {
    if (request.claim && request.release) throw Error("a name request both claims and releases");
    if (request.claim || request.release) actor(request.actor);
  }
  void operator()(const NameReply& reply) const {
    if (reply.found && !reply.claimed) actor(reply.actor);  // a claim granted names no actor
  }
  void operator()(const StateRequest&) const {}
  void operator()(const StateReply&) const {}  // the core decodes and checks the state
  void operator()(const CheckpointRequest& request) const { directory(request.directory); }
  void operator()(const CheckpointRound& round) const {
    if (round.epoch != CheckpointRound::last) directory(round.directory);
    for (const auto& [rank, token] : round.satisfies) this->rank(rank, "requesting rank", false);
  }

 private:
  [[noreturn]] static void fail(const std::string& problem) { throw Error(problem); }

  void rank(std::int64_t value, const char* what, bool may_be_none) const {
    if ((may_be_none && value == -1) || (value >= 0 && value < limits_.ranks)) return;
    fail(std::string(what) + " names rank " + std::to_string(value) + ", but the job has " +
         std::to_string(limits_.ranks) + " ranks");
  }
  static void at_least(std::int64_t value, std::int64_t least, const char* what) {
    if (value < least) {
      fail(std::string(what) + " is " + std::to_string(value) + " (at least " +
           std::to_string(least) + " expected)");
    }
  }
  static void at_most(std::int64_t value, std::int64_t most, const char* what) {
    if (value > most) {
      fail(std::string(what) + " is " + std::to_string(value) + " (at most " +
           std::to_string(most) + " expected)");
    }
  }
  void id(const WireObjectId& id, const char* what) const { rank(id.owner, what, false); }
  void actor(const WireActorAddress& actor) const {
    rank(actor.host, "actor host", false);
    rank(actor.creator, "actor creator", false);
  }
  void location(const StoreLocation& location) const {
    rank(location.rank, "object location", false);
    if (location.offset > UINT64_MAX - location.size) {
      fail("object location: " + std::to_string(location.size) + " bytes at offset " +
           std::to_string(location.offset) + " overflow");
    }
  }
  void resources(const WireResources& resources) const {
    at_least(resources.cpu, 0, "cpu amount");
    at_least(resources.gpu, 0, "gpu amount");
    at_least(resources.memory, 0, "memory amount");
    at_least(resources.bundle, -1, "bundle index");
    for (const auto& [index, amount] : resources.custom) {
      if (index >= limits_.custom_resources) {
        fail("custom resource index " + std::to_string(index) + ", but the job knows " +
             std::to_string(limits_.custom_resources) + " custom resources");
      }
      at_least(amount, 0, "custom resource amount");
    }
  }
  static void directory(const std::string& path) {
    if (path.find('\0') != std::string::npos) fail("checkpoint directory holds a NUL byte");
    const std::filesystem::path directory(path);
    if (!directory.is_absolute() || directory != directory.lexically_normal()) {
      fail("checkpoint directory '" + path + "' is not an absolute, normal path");
    }
  }

  const WireLimits& limits_;
};

}  // namespace

namespace {

template <class Variant>
std::vector<std::byte> encode_variant(const Variant& message) {
  std::vector<std::byte> bytes;
  detail::VectorBuffer buffer(bytes);
  boost::archive::binary_oarchive archive(buffer, detail::archive_flags);
  archive << message;
  return bytes;
}

/// The message in `bytes`, with nothing after it. @throws std::exception
template <class Variant>
Variant decode_variant(std::span<const std::byte> bytes) {
  detail::InputArchive archive(bytes, detail::archive_flags);
  Variant message;
  archive >> message;
  if (archive.remaining() != 0) {
    throw Error(std::to_string(archive.remaining()) + " bytes follow the message");
  }
  return message;
}

}  // namespace

std::vector<std::byte> encode(const Message& message) { return encode_variant(message); }

const char* message_name(std::size_t index) {
  return index < std::size(message_names) ? message_names[index] : "unknown message";
}

std::vector<std::byte> encode_for_worker(const WorkerMessage& message) {
  return encode_variant(message);
}

WorkerMessage decode_from_worker(std::span<const std::byte> bytes) {
  try {
    return decode_variant<WorkerMessage>(bytes);
  } catch (const std::exception& error) {
    throw Error(
        "a message of " + std::to_string(bytes.size()) +
        " bytes between a rank and its worker process could not be decoded: " + error.what());
  }
}

Message decode(std::span<const std::byte> bytes, const WireLimits& limits) {
  try {
    auto message = decode_variant<Message>(bytes);
    try {
      std::visit(MessageCheck(limits), message);
    } catch (const Error& error) {
      throw Error(std::string("a ") + message_names[message.index()] + ": " + error.what());
    }
    return message;
  } catch (const std::exception& error) {
    throw Error("a control message of " + std::to_string(bytes.size()) +
                " bytes could not be decoded: " + error.what());
  }
}

}  // namespace manta::transport
