#include "core/actor_instance.hpp"

#include "checkpoint/checkpoint.hpp"
#include "core/remote.hpp"
#include "core/wire_error.hpp"
#include "util/log.hpp"

#include <optional>
#include <utility>
#include <variant>

namespace manta::core {
namespace {

/// The arrays of a record (taken, or copied when borrowed) as a worker message carries them.
std::vector<transport::WireArray> wire_arrays(std::vector<checkpoint::NativeArray>& arrays) {
  std::vector<transport::WireArray> wire;
  for (auto& array : arrays) {
    auto bytes = array.borrowed.data() != nullptr
                     ? std::vector<std::byte>(array.borrowed.begin(), array.borrowed.end())
                     : std::move(array.bytes);
    wire.push_back({std::move(array.name), static_cast<std::uint8_t>(array.type),
                    std::move(array.dims), std::move(bytes)});
  }
  return wire;
}

/// The arrays of a worker message, taken, as a record holds them.
std::vector<checkpoint::NativeArray> native_arrays(std::vector<transport::WireArray>& wire) {
  std::vector<checkpoint::NativeArray> arrays;
  for (auto& array : wire) {
    arrays.push_back({std::move(array.name),
                      static_cast<checkpoint::ElementType>(array.element_type),
                      std::move(array.dims), std::move(array.bytes)});
  }
  return arrays;
}

/// An instance in this process: the object itself.
class ThreadInstance final : public ActorInstance {
 public:
  ThreadInstance(std::unique_ptr<detail::ValueBox> object, Registry::StateHooks state)
      : object_(std::move(object)), state_(state) {}

  std::unique_ptr<detail::ValueBox> call(const char*, detail::CallBody& body) override {
    return body.run(object_.get());
  }

  void save(checkpoint::ActorRecord& record, checkpoint::ArrayCapture capture) override {
    checkpoint::save_archive(
        [&](boost::archive::binary_oarchive& archive) { state_.save(*object_, archive); }, record,
        capture);
  }

  void load(const std::filesystem::path& file, const std::string& key) override {
    checkpoint::restore_archive(
        file, key, [&](detail::InputArchive& archive) { state_.load(*object_, archive); });
  }

 private:
  std::unique_ptr<detail::ValueBox> object_;
  const Registry::StateHooks state_;
};

/// An instance in a worker process of the rank, dedicated to it; every call is a round trip.
class ProcessInstance final : public ActorInstance {
 public:
  ProcessInstance(const InstanceRecipe& recipe, detail::CallBody& constructor, bool restarted)
      : workers_(*recipe.workers), shown_(recipe.shown), worker_(workers_.take(recipe.shown)) {
    transport::WorkerConstruct construct{recipe.class_name, recipe.constructor_key, {}, restarted};
    constructor.write_arguments(construct.arguments, nullptr);
    throw_if_error(std::get<transport::TaskReply>(exchange(construct, "its constructor").message));
  }

  /// Closing the channel ends the worker: it is between calls.
  ~ProcessInstance() override = default;

  std::unique_ptr<detail::ValueBox> call(const char* name, detail::CallBody& body) override {
    if (!body.remotable()) {
      throw InvalidOptionError(std::string("'") + name + "' cannot be called on " + shown_ +
                               ", which runs in a worker process (isolation = process): its " +
                               "arguments or result cannot be serialized");
    }
    transport::WorkerCall call{name, {}};
    body.write_arguments(call.arguments, nullptr);
    auto reply = exchange(call, name);
    const auto& outcome = std::get<transport::TaskReply>(reply.message);
    throw_if_error(outcome);
    return read_worker_value(body, outcome, reply.payload, workers_.rank());
  }

  void save(checkpoint::ActorRecord& record, checkpoint::ArrayCapture) override {
    auto reply = exchange(transport::WorkerSave{record.key}, "its checkpoint");
    if (auto* error = std::get_if<transport::TaskReply>(&reply.message)) throw_if_error(*error);
    auto& state = std::get<transport::WorkerState>(reply.message);
    record.archive = std::move(state.archive);
    record.arrays = native_arrays(state.arrays);
  }

  void load(const std::filesystem::path& file, const std::string& key) override {
    auto record = checkpoint::read_actor(file, key);
    transport::WorkerState state{key, std::move(record.archive), wire_arrays(record.arrays)};
    const auto reply = exchange(std::move(state), "loading its checkpoint");
    try {
      throw_if_error(std::get<transport::TaskReply>(reply.message));
    } catch (const CheckpointError& error) {
      // The worker read the state from memory: the file is the one it came from.
      if (!error.file().empty()) throw;
      throw CheckpointError(file, error.actor(), error.problem());
    }
  }

 private:
  /// Sends `message` for `what` (a method, or what the actor does) and returns the answer.
  /// @throws WorkerLostError when the worker was gone before, WorkerCrashedError when it died
  /// before it answered
  WorkerFrame exchange(transport::WorkerMessage message, const std::string& what) {
    const bool sent =
        worker_.channel && send_frame(worker_.channel, request_frame(std::move(message)));
    WorkerFrame reply;
    if (sent &&
        receive_frame(worker_.channel, reply, std::nullopt) == process::Channel::Received::frame) {
      return reply;
    }
    const std::string text = shown_ + ": its worker process (pid " + std::to_string(worker_.pid) +
                             ") " + workers_.reap(worker_) + (sent ? " in " : " before ") + what;
    util::log().warn("{}", text);  // the rank's log says what happened, whoever gets the error
    if (!sent) throw WorkerLostError(text);
    throw WorkerCrashedError(what, workers_.rank(), text);
  }

  /// Throws the error `reply` carries, as the worker threw it.
  void throw_if_error(const transport::TaskReply& reply) const {
    if (const auto* error = std::get_if<transport::WireError>(&reply.outcome)) {
      std::rethrow_exception(exception_from_wire(*error, workers_.rank()));
    }
  }

  WorkerPool& workers_;
  const std::string shown_;
  process::WorkerSpawner::Worker worker_;
};

/// What the worker answers for the exception being handled, thrown by `what` of its actor.
WorkerFrame worker_error(const std::string& what) {
  transport::TaskReply reply;
  reply.outcome = wire_error(std::current_exception(), what, -1);
  return {std::move(reply), {}};
}

/// What the worker answers for a request done without a value.
WorkerFrame worker_done() { return {transport::TaskReply{{}, std::vector<std::byte>{}}, {}}; }

}  // namespace

RunningActor& running_actor() noexcept {
  // One thread_local: in a shared library each is looked up through __tls_get_addr.
  thread_local RunningActor running;
  return running;
}

std::unique_ptr<ActorInstance> build_instance(const InstanceRecipe& recipe,
                                              detail::CallBody& constructor, bool restarted) {
  if (recipe.workers != nullptr) {
    return std::make_unique<ProcessInstance>(recipe, constructor, restarted);
  }
  const RunningActorScope running(restarted, nullptr);
  return std::make_unique<ThreadInstance>(constructor.run(nullptr), recipe.state);
}

WorkerFrame ServedActor::handle(transport::WorkerMessage message,
                                const util::SharedMemory& arguments) {
  if (auto* construct = std::get_if<transport::WorkerConstruct>(&message)) {
    return this->construct(*construct, arguments);
  }
  if (auto* call = std::get_if<transport::WorkerCall>(&message)) {
    return this->call(*call, arguments);
  }
  if (auto* save = std::get_if<transport::WorkerSave>(&message)) return this->save(*save);
  if (auto* state = std::get_if<transport::WorkerState>(&message)) return load(*state);
  throw Error("a worker process hosting an actor was sent a message it does not take");
}

WorkerFrame ServedActor::construct(const transport::WorkerConstruct& construct,
                                   const util::SharedMemory& arguments) {
  instance_.reset();
  class_name_ = construct.class_name;
  restarted_ = construct.restarted;
  try {
    state_ = Registry::instance().actor_state(class_name_);
    const auto body = Registry::instance().actor_constructor(construct.constructor)(
        payload_bytes(arguments, construct.arguments));
    const RunningActorScope running(restarted_, nullptr);
    instance_ = body->run(nullptr);
    return worker_done();
  } catch (...) {
    return worker_error(class_name_);
  }
}

WorkerFrame ServedActor::call(const transport::WorkerCall& call,
                              const util::SharedMemory& arguments) {
  try {
    if (!instance_) throw Error("the worker process hosts no actor");
    const auto method = Registry::instance().remote_method(call.method);
    if (method.factory == nullptr) {
      throw NotRegisteredError("method '" + call.method + "' cannot be called remotely");
    }
    const auto body =
        method.factory(method.member_pointer, payload_bytes(arguments, call.arguments));
    const RunningActorScope running(restarted_, method.name);
    WorkerFrame reply;
    reply.message =
        transport::TaskReply{{}, serialized_value(*body->run(instance_.get()), reply.payload)};
    return reply;
  } catch (...) {
    return worker_error(call.method);
  }
}

WorkerFrame ServedActor::save(const transport::WorkerSave& save) {
  try {
    if (!instance_) throw Error("the worker process hosts no actor");
    checkpoint::ActorRecord record{.key = save.key, .class_name = class_name_};
    checkpoint::save_archive(
        [&](boost::archive::binary_oarchive& archive) { state_.save(*instance_, archive); }, record,
        checkpoint::ArrayCapture::borrow);
    return {transport::WorkerState{save.key, std::move(record.archive), wire_arrays(record.arrays)},
            {}};
  } catch (...) {
    return worker_error(class_name_);
  }
}

WorkerFrame ServedActor::load(transport::WorkerState& state) {
  try {
    if (!instance_) throw Error("the worker process hosts no actor");
    const checkpoint::ActorRecord record{.key = state.key,
                                         .class_name = class_name_,
                                         .archive = std::move(state.archive),
                                         .arrays = native_arrays(state.arrays)};
    checkpoint::load_archive(
        [&](detail::InputArchive& archive) { state_.load(*instance_, archive); }, record);
    return worker_done();
  } catch (...) {
    return worker_error(class_name_);
  }
}

}  // namespace manta::core
