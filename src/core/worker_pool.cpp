#include "core/worker_pool.hpp"

#include "core/actor_instance.hpp"
#include "core/registry.hpp"
#include "core/remote.hpp"
#include "core/runtime.hpp"
#include "core/wire_error.hpp"
#include "util/log.hpp"

#include <manta/error.hpp>

#include <signal.h>

#include <cstdio>
#include <cstring>

namespace manta::core {

void WorkerWatch::kill() {
  util::LockGuard lock(mutex_);
  killed_ = true;
  if (pid_ > 0) ::kill(pid_, SIGKILL);
}

WorkerPool::WorkerPool(int rank, process::WorkerSpawner* spawner, std::string why)
    : rank_(rank), spawner_(spawner), unavailable_(std::move(why)) {}

WorkerPool::~WorkerPool() = default;  // closing an idle worker's channel ends it

void WorkerPool::check_available(const std::string& what) const {
  if (spawner_ == nullptr) {
    throw InvalidOptionError(what + " asks for isolation = process, but rank " +
                             std::to_string(rank_) + " has no worker processes: " + unavailable_);
  }
}

process::WorkerSpawner::Worker WorkerPool::take(const std::string& what) {
  check_available(what);
  {
    util::LockGuard lock(mutex_);
    if (!idle_.empty()) {
      auto worker = std::move(idle_.back());
      idle_.pop_back();
      return worker;
    }
  }
  return spawner_->spawn();
}

std::string WorkerPool::reap(process::WorkerSpawner::Worker& worker) {
  worker.channel.close();
  const auto status = spawner_->wait_status(worker.pid, std::chrono::seconds(10));
  return status ? process::describe_wait_status(*status)
                : "ended (its helper process did not say how within 10 s)";
}

transport::TaskReply WorkerPool::run(transport::TaskRequest request, WorkerWatch& watch,
                                     util::SharedMemory& payload) {
  const std::string where = "task '" + request.name + "' on rank " + std::to_string(rank_);
  const double timeout_seconds = request.timeout_seconds;
  const std::string name = request.name;
  const auto outgoing = request_frame(std::move(request));
  // A worker that died while idle (killed from outside) fails its next send: that is not this
  // task's doing, so it gets another worker.
  for (int attempt = 0;; ++attempt) {
    auto worker = take(where);
    {
      util::LockGuard lock(watch.mutex_);
      if (watch.killed_) {
        util::LockGuard idle(mutex_);
        idle_.push_back(std::move(worker));
        throw WorkerCrashedError(name, rank_, where + " was cancelled with force");
      }
      watch.pid_ = worker.pid;
    }
    const bool sent = send_frame(worker.channel, outgoing);
    process::Deadline deadline;
    if (timeout_seconds > 0) {
      deadline = std::chrono::steady_clock::now() +
                 std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                     std::chrono::duration<double>(timeout_seconds));
    }
    WorkerFrame incoming;
    const auto received = sent ? receive_frame(worker.channel, incoming, deadline)
                               : process::Channel::Received::closed;
    bool killed = false;
    {
      util::LockGuard lock(watch.mutex_);
      watch.pid_ = 0;
      killed = watch.killed_;
    }
    if (received == process::Channel::Received::frame) {
      payload = std::move(incoming.payload);
      util::LockGuard lock(mutex_);
      idle_.push_back(std::move(worker));
      return std::get<transport::TaskReply>(std::move(incoming.message));
    }
    const pid_t pid = worker.pid;
    const std::string process = "its worker process (pid " + std::to_string(pid) + ")";
    if (received == process::Channel::Received::timed_out) {
      ::kill(pid, SIGKILL);
      reap(worker);
      const std::string what = where + " ran past its timeout of " +
                               std::to_string(timeout_seconds) + " s: " + process + " was killed";
      util::log().warn("{}", what);
      throw TaskTimeoutError(name, rank_, what);
    }
    const std::string how = reap(worker);
    if (!sent && !killed && attempt < 2) continue;
    const std::string what = where + ": " + process + " " + how +
                             (killed ? " (cancelled with force)" : " before it replied");
    util::log().warn("{}", what);  // the rank's log says what happened, whoever gets the error
    throw WorkerCrashedError(name, rank_, what);
  }
}

namespace {

/// A new shared-memory payload of `size` bytes, written and read whole: faulted in at once.
util::SharedMemory new_payload(std::size_t size) {
  return util::SharedMemory::create("manta-payload", size, util::SharedMemory::Pages::at_once);
}

}  // namespace

WorkerFrame request_frame(transport::WorkerMessage message) {
  WorkerFrame frame;
  std::visit(
      [&frame](auto& request) {
        if constexpr (requires { request.arguments; }) {
          if (request.arguments.size() >= shared_payload_bytes) {
            frame.payload = new_payload(request.arguments.size());
            std::memcpy(frame.payload.bytes().data(), request.arguments.data(),
                        request.arguments.size());
            request.arguments = {};
          }
        }
      },
      message);
  frame.message = std::move(message);
  return frame;
}

bool send_frame(process::Channel& channel, const WorkerFrame& frame) {
  return channel.send(transport::encode_for_worker(frame.message), frame.payload.descriptor());
}

process::Channel::Received receive_frame(process::Channel& channel, WorkerFrame& frame,
                                         const process::Deadline& deadline) {
  std::vector<std::byte> bytes;
  int passed = -1;
  const auto received = channel.receive(bytes, deadline, &passed);
  if (received != process::Channel::Received::frame) return received;
  frame.payload = passed >= 0 ? util::SharedMemory::open(passed, util::SharedMemory::Pages::at_once)
                              : util::SharedMemory();
  frame.message = transport::decode_from_worker(bytes);
  return received;
}

std::span<const std::byte> payload_bytes(const util::SharedMemory& payload,
                                         const std::vector<std::byte>& inline_bytes) {
  return payload ? std::span<const std::byte>(payload.bytes()) : inline_bytes;
}

std::vector<std::byte> serialized_value(const detail::ValueBox& value,
                                        util::SharedMemory& payload) {
  const std::size_t size = value.serialized_size();
  if (size >= shared_payload_bytes) {
    payload = new_payload(size);
    value.serialize_into(payload.bytes());
    return {};
  }
  std::vector<std::byte> bytes(size);
  value.serialize_into(bytes);
  return bytes;
}

std::unique_ptr<detail::ValueBox> read_worker_value(const detail::CallBody& body,
                                                    const transport::TaskReply& reply,
                                                    const util::SharedMemory& payload, int rank) {
  if (const auto* error = std::get_if<transport::WireError>(&reply.outcome)) {
    std::rethrow_exception(exception_from_wire(*error, rank));
  }
  const auto bytes = payload_bytes(payload, std::get<std::vector<std::byte>>(reply.outcome));
  auto block =
      payload ? detail::StoreBlock::allocate(bytes.size()) : detail::StoreBlock::heap(bytes.size());
  if (!bytes.empty()) std::memcpy(block.bytes().data(), bytes.data(), bytes.size());
  block.written();
  return body.read_result(std::move(block));
}

namespace {

WorkerFrame run_task(const transport::TaskRequest& request, const util::SharedMemory& arguments) {
  WorkerFrame reply{transport::TaskReply{request.result, {}}, {}};
  auto& outcome = std::get<transport::TaskReply>(reply.message).outcome;
  try {
    const auto function = Registry::instance().remote_function(request.function);
    if (function.factory == nullptr) {
      throw NotRegisteredError("function '" + request.function + "' cannot run remotely");
    }
    const auto body =
        function.factory(function.address, payload_bytes(arguments, request.arguments), {});
    outcome = serialized_value(*body->run(nullptr), reply.payload);
  } catch (...) {
    reply.payload = {};
    outcome = wire_error(std::current_exception(), request.name, -1);
  }
  return reply;
}

}  // namespace

void serve_worker(process::Channel& channel) {
  Runtime::enter_worker_process();
  ServedActor actor;  // the actor this worker hosts, if it is given one
  WorkerFrame request;
  while (receive_frame(channel, request, std::nullopt) == process::Channel::Received::frame) {
    auto reply = std::holds_alternative<transport::TaskRequest>(request.message)
                     ? run_task(std::get<transport::TaskRequest>(request.message), request.payload)
                     : actor.handle(std::move(request.message), request.payload);
    request.payload = {};
    std::fflush(nullptr);  // the call's output reaches the job's before its result
    if (!send_frame(channel, reply)) return;
  }
}

}  // namespace manta::core
