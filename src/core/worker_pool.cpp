#include "core/worker_pool.hpp"

#include "core/actor_instance.hpp"
#include "core/registry.hpp"
#include "core/remote.hpp"
#include "core/runtime.hpp"
#include "util/log.hpp"

#include <manta/error.hpp>

#include <signal.h>

#include <cstdio>

namespace manta::core {

void WorkerWatch::kill() {
  std::lock_guard lock(mutex_);
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
    std::lock_guard lock(mutex_);
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

transport::TaskReply WorkerPool::run(const transport::TaskRequest& request, WorkerWatch& watch) {
  const auto bytes = transport::encode_for_worker(request);
  const std::string where = "task '" + request.name + "' on rank " + std::to_string(rank_);
  // A worker that died while idle (killed from outside) fails its next send: that is not this
  // task's doing, so it gets another worker.
  for (int attempt = 0;; ++attempt) {
    auto worker = take(where);
    {
      std::lock_guard lock(watch.mutex_);
      if (watch.killed_) {
        std::lock_guard idle(mutex_);
        idle_.push_back(std::move(worker));
        throw WorkerCrashedError(request.name, rank_, where + " was cancelled with force");
      }
      watch.pid_ = worker.pid;
    }
    const bool sent = worker.channel.send(bytes);
    process::Deadline deadline;
    if (request.timeout_seconds > 0) {
      deadline = std::chrono::steady_clock::now() +
                 std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                     std::chrono::duration<double>(request.timeout_seconds));
    }
    std::vector<std::byte> frame;
    const auto received =
        sent ? worker.channel.receive(frame, deadline) : process::Channel::Received::closed;
    bool killed = false;
    {
      std::lock_guard lock(watch.mutex_);
      watch.pid_ = 0;
      killed = watch.killed_;
    }
    if (received == process::Channel::Received::frame) {
      auto reply = std::get<transport::TaskReply>(transport::decode_from_worker(frame));
      std::lock_guard lock(mutex_);
      idle_.push_back(std::move(worker));
      return reply;
    }
    const pid_t pid = worker.pid;
    const std::string process = "its worker process (pid " + std::to_string(pid) + ")";
    if (received == process::Channel::Received::timed_out) {
      ::kill(pid, SIGKILL);
      reap(worker);
      const std::string what = where + " ran past its timeout of " +
                               std::to_string(request.timeout_seconds) + " s: " + process +
                               " was killed";
      util::log().warn("{}", what);
      throw TaskTimeoutError(request.name, rank_, what);
    }
    const std::string how = reap(worker);
    if (!sent && !killed && attempt < 2) continue;
    const std::string what = where + ": " + process + " " + how +
                             (killed ? " (cancelled with force)" : " before it replied");
    util::log().warn("{}", what);  // the rank's log says what happened, whoever gets the error
    throw WorkerCrashedError(request.name, rank_, what);
  }
}

std::vector<std::byte> serialized_value(const detail::ValueBox& value) {
  std::vector<std::byte> bytes(value.serialized_size());
  value.serialize_into(bytes);
  return bytes;
}

std::unique_ptr<detail::ValueBox> read_worker_value(const detail::CallBody& body,
                                                    const transport::TaskReply& reply, int rank) {
  if (const auto* error = std::get_if<transport::WireError>(&reply.outcome)) {
    throw TaskError(error->task_name, rank, error->exception_type, error->message);
  }
  const auto& bytes = std::get<std::vector<std::byte>>(reply.outcome);
  auto block = detail::StoreBlock::heap(bytes.size());
  std::copy(bytes.begin(), bytes.end(), block.bytes().begin());
  return body.read_result(std::move(block));
}

namespace {

transport::TaskReply run_task(const transport::TaskRequest& request) {
  transport::TaskReply reply{request.result, {}};
  try {
    const auto function = Registry::instance().remote_function(request.function);
    if (function.factory == nullptr) {
      throw NotRegisteredError("function '" + request.function + "' cannot run remotely");
    }
    const auto body = function.factory(function.address, request.arguments, {});
    reply.outcome = serialized_value(*body->run(nullptr));
  } catch (...) {
    reply.outcome = wire_error(std::current_exception(), request.name, -1);
  }
  return reply;
}

}  // namespace

void serve_worker(process::Channel& channel) {
  Runtime::enter_worker_process();
  ServedActor actor;  // the actor this worker hosts, if it is given one
  std::vector<std::byte> frame;
  while (channel.receive(frame, std::nullopt) == process::Channel::Received::frame) {
    auto message = transport::decode_from_worker(frame);
    auto reply = std::holds_alternative<transport::TaskRequest>(message)
                     ? transport::WorkerMessage(run_task(std::get<transport::TaskRequest>(message)))
                     : actor.handle(std::move(message));
    std::fflush(nullptr);  // the call's output reaches the job's before its result
    if (!channel.send(transport::encode_for_worker(reply))) return;
  }
}

}  // namespace manta::core
