#include "core/remote.hpp"

#include "core/runtime.hpp"
#include "core/task.hpp"
#include "util/failure.hpp"
#include "util/log.hpp"

#include <manta/error.hpp>

#include <typeinfo>

namespace manta::core {

transport::WireError wire_error(const std::exception_ptr& error, const std::string& task_name,
                                int rank) {
  try {
    std::rethrow_exception(error);
  } catch (const TaskError& task_error) {
    return {task_error.task_name(), task_error.rank(), task_error.exception_type(),
            task_error.message()};
  } catch (const std::exception& other) {
    return {task_name, rank, util::demangle(typeid(other).name()), other.what()};
  } catch (...) {
    return {task_name, rank, "unknown", "an exception not derived from std::exception"};
  }
}

void Remote::send_task(int target, transport::TaskRequest request, RemoteCompletion* waiting) {
  {
    std::lock_guard lock(mutex_);
    waiting_.emplace(request.result.sequence, waiting);
  }
  runtime_.cluster().sent(target);
  runtime_.messenger().send(target, transport::encode(request));
}

void Remote::reply(int owner, transport::TaskReply reply) {
  runtime_.messenger().send(owner, transport::encode(reply));
}

transport::StoreLocation Remote::hold(transport::WireObjectId id, detail::StoreBlock block) {
  const auto bytes = block.bytes();
  const transport::StoreLocation location{runtime_.rank(), runtime_.store().offset_of(bytes.data()),
                                          bytes.size()};
  std::lock_guard lock(mutex_);
  held_.insert_or_assign(Key{id.owner, id.sequence}, std::move(block));
  return location;
}

void Remote::release_held(int holder, transport::WireObjectId id) {
  runtime_.messenger().send(holder, transport::encode(transport::ReleaseObject{id}));
}

void Remote::on_message(int source, std::span<const std::byte> bytes) {
  transport::Message message;
  try {
    message = transport::decode(bytes);
  } catch (const std::exception& error) {
    util::log().error("dropping a message from rank {}: {}", source, error.what());
    return;
  }
  if (auto* request = std::get_if<transport::TaskRequest>(&message)) {
    run_task_request(runtime_, source, std::move(*request));
  } else if (auto* reply = std::get_if<transport::TaskReply>(&message)) {
    RemoteCompletion* waiting = nullptr;
    {
      std::lock_guard lock(mutex_);
      const auto found = waiting_.find(reply->result.sequence);
      if (found != waiting_.end()) {
        waiting = found->second;
        waiting_.erase(found);
      }
    }
    if (waiting == nullptr) {
      util::log().error("a reply from rank {} names task result {}:{}, which nobody waits for",
                        source, reply->result.owner, reply->result.sequence);
      return;
    }
    runtime_.cluster().returned(source);
    waiting->complete(std::move(*reply));
  } else if (auto* release = std::get_if<transport::ReleaseObject>(&message)) {
    std::lock_guard lock(mutex_);
    held_.erase(Key{release->id.owner, release->id.sequence});
  }
}

}  // namespace manta::core
