#include "core/remote.hpp"

#include "core/runtime.hpp"
#include "core/task.hpp"
#include "core/task_error.hpp"
#include "core/wire_error.hpp"
#include "util/log.hpp"

#include <manta/error.hpp>

#include <atomic>
#include <optional>
#include <random>

namespace manta::core {

transport::WireResources to_wire(const resources::Request& request) {
  return {request.cpu, request.gpu, request.memory, request.custom, request.bundle};
}

resources::Request from_wire(const transport::WireResources& resources) {
  return {resources.cpu, resources.gpu, resources.memory, resources.custom, resources.bundle};
}

transport::WireActorAddress to_wire(const detail::ActorAddress& address) {
  return {address.host, address.creator, address.sequence};
}

detail::ActorAddress from_wire(const transport::WireActorAddress& address) {
  return {address.host, address.creator, address.sequence};
}

void receive_reply(Runtime& runtime, Object& result, const detail::CallBody& body,
                   const std::string& name, transport::TaskReply reply,
                   std::function<void()> done) {
  if (auto* error = std::get_if<transport::WireError>(&reply.outcome)) {
    result.fail(exception_from_wire(*error, runtime.rank()));
    done();
    return;
  }
  const auto seal = [&runtime, &result, &body, name](detail::StoreBlock bytes) {
    try {
      result.seal(body.read_result(std::move(bytes)));
    } catch (...) {
      result.fail(current_task_error(name, runtime.rank()));
    }
  };
  if (auto* bytes = std::get_if<std::vector<std::byte>>(&reply.outcome)) {
    auto block = detail::StoreBlock::heap(bytes->size());
    std::copy(bytes->begin(), bytes->end(), block.bytes().begin());
    seal(std::move(block));
    done();
    return;
  }
  // A large result stays with the rank that produced it until read here.
  fetch_located(runtime, {std::get<transport::StoreLocation>(reply.outcome)}, reply.result,
                [&result, name, seal, done = std::move(done)](
                    std::vector<detail::StoreBlock> blocks, const std::string& error) {
                  if (error.empty()) {
                    seal(std::move(blocks.front()));
                  } else {
                    result.fail(std::make_exception_ptr(
                        Error("reading the result of '" + name + "' failed: " + error)));
                  }
                  done();
                });
}

void fetch_located(
    Runtime& runtime, const std::vector<transport::StoreLocation>& locations,
    const std::optional<transport::WireObjectId>& held,
    std::function<void(std::vector<detail::StoreBlock> blocks, const std::string& error)> then) {
  struct Fetch {
    std::vector<detail::StoreBlock> blocks;
    std::atomic<std::size_t> remaining;
    util::Mutex mutex;
    std::string error;
    std::function<void(std::vector<detail::StoreBlock>, const std::string&)> then;
  };
  auto fetch = std::make_shared<Fetch>();
  fetch->blocks.resize(locations.size());
  fetch->remaining = locations.size() + 1;  // one for this function, until all are issued
  fetch->then = std::move(then);
  const auto one_done = [fetch](const std::string& error) {
    if (!error.empty()) {
      util::LockGuard lock(fetch->mutex);
      if (fetch->error.empty()) fetch->error = error;
    }
    if (fetch->remaining.fetch_sub(1) == 1) fetch->then(std::move(fetch->blocks), fetch->error);
  };
  for (std::size_t i = 0; i < locations.size(); ++i) {
    const auto& location = locations[i];
    if (auto problem =
            runtime.messenger().outside_store(location.rank, location.offset, location.size);
        !problem.empty()) {
      one_done("a message named an object outside its store: " + problem);
      continue;
    }
    const std::byte* mapped = runtime.options().map_peer_stores
                                  ? runtime.messenger().map_peer_store(location.rank)
                                  : nullptr;
    if (mapped != nullptr) {
      // Same node: read the holder's store in place. A result held for this rank is released
      // when its block goes; an argument belongs to its owner, who keeps it meanwhile.
      runtime.messenger().count_mapped_read(location.size);
      const std::span<std::byte> bytes{const_cast<std::byte*>(mapped) + location.offset,
                                       location.size};
      fetch->blocks[i] = held ? detail::StoreBlock::peer(bytes, location.rank, held->sequence)
                              : detail::StoreBlock::borrowed(bytes);
      one_done({});
      continue;
    }
    // Into this rank's store, or, when it is full, a spill file (StoreBlock says so once).
    fetch->blocks[i] = detail::StoreBlock::allocate(location.size);
    runtime.messenger().get(
        location.rank, location.offset, fetch->blocks[i].bytes(),
        [&runtime, location, held, one_done, fetch, i](const std::string& error) {
          fetch->blocks[i].written();
          if (held) runtime.remote().release_held(location.rank, *held);
          one_done(error.empty()
                       ? error
                       : "a get from rank " + std::to_string(location.rank) + " failed: " + error);
        });
  }
  one_done({});
}

void reply_when_ready(Runtime& runtime, int owner, transport::WireObjectId id, Object* result,
                      std::string name) {
  result->on_ready([&runtime, owner, id, result, name = std::move(name)] {
    transport::TaskReply reply{id, {}};
    if (result->has_failed()) {
      reply.outcome = wire_error(result->error(), name, runtime.rank());
    } else {
      try {
        const auto& value = result->value();
        const std::size_t size = value.serialized_size();
        if (size < runtime.options().inline_object_limit) {
          std::vector<std::byte> bytes(size);
          value.serialize_into(bytes);
          reply.outcome = std::move(bytes);
        } else {
          auto block = detail::StoreBlock::allocate(size);
          value.serialize_into(block.bytes());
          if (block.in_store()) {
            reply.outcome = runtime.remote().hold(id, std::move(block));
          } else {
            reply.outcome = std::vector<std::byte>(block.bytes().begin(), block.bytes().end());
          }
        }
      } catch (...) {
        reply.outcome = wire_error(std::current_exception(), name, runtime.rank());
      }
    }
    runtime.remote().reply(owner, std::move(reply));
    result->release();
  });
}

void Remote::send(int target, const transport::Message& request, transport::WireObjectId result,
                  RemoteCompletion* waiting) {
  {
    util::LockGuard lock(mutex_);
    waiting_.emplace(result.sequence, waiting);
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
  util::LockGuard lock(mutex_);
  held_.insert_or_assign(Key{id.owner, id.sequence}, std::move(block));
  return location;
}

void Remote::maybe_steal() {
  const int ranks = runtime_.cluster().size();
  if (ranks < 2 || steal_failures_.load(std::memory_order_relaxed) >= fruitless_steals) return;
  const resources::Amount free_units = runtime_.executor().free_cpu();
  if (free_units <= 0 || !runtime_.executor().can_start_now(1)) return;
  if (stealing_.exchange(true)) return;
  thread_local std::minstd_rand random(std::random_device{}());
  int victim = std::uniform_int_distribution<int>(0, ranks - 2)(random);
  if (victim >= runtime_.rank()) ++victim;
  runtime_.messenger().send(victim, transport::encode(transport::StealRequest{free_units}));
}

std::optional<CancelMode> Remote::track_requested(transport::WireObjectId id, Object* result) {
  util::LockGuard lock(mutex_);
  auto& requested = requested_[Key{id.owner, id.sequence}];
  requested.result = result;
  return result != nullptr ? std::exchange(requested.cancel, std::nullopt) : std::nullopt;
}

void Remote::untrack_requested(transport::WireObjectId id) {
  util::LockGuard lock(mutex_);
  requested_.erase(Key{id.owner, id.sequence});
}

void Remote::release_held(int holder, transport::WireObjectId id) {
  runtime_.messenger().send(holder, transport::encode(transport::ReleaseObject{id}));
}

Remote::Remote(Runtime& runtime, MessageRouter& router) : runtime_(runtime) {
  router.on<transport::TaskReply>(
      [this](int source, transport::TaskReply reply) { on_reply(source, std::move(reply)); });
  router.on<transport::CancelTask>(
      [this](int, transport::CancelTask cancel) { on_cancel(cancel); });
  router.on<transport::ReleaseObject>([this](int, transport::ReleaseObject release) {
    util::LockGuard lock(mutex_);
    held_.erase(Key{release.id.owner, release.id.sequence});
  });
  router.on<transport::StealReply>([this](int, transport::StealReply stolen) {
    stealing_.store(false);
    if (stolen.given > 0) {
      steal_failures_.store(0, std::memory_order_relaxed);
    } else if (steal_failures_.fetch_add(1) + 1 < fruitless_steals) {
      maybe_steal();
    }
  });
}

void Remote::on_reply(int source, transport::TaskReply reply) {
  RemoteCompletion* waiting = nullptr;
  {
    util::LockGuard lock(mutex_);
    const auto found = waiting_.find(reply.result.sequence);
    if (found != waiting_.end()) {
      waiting = found->second;
      waiting_.erase(found);
    }
  }
  if (waiting == nullptr) {
    util::log().error("a reply from rank {} names task result {}:{}, which nobody waits for",
                      source, reply.result.owner, reply.result.sequence);
    return;
  }
  runtime_.cluster().returned(source);
  waiting->complete(std::move(reply));
}

void Remote::on_cancel(const transport::CancelTask& cancel) {
  Object* result = nullptr;
  {
    util::LockGuard lock(mutex_);
    const auto found = requested_.find(Key{cancel.result.owner, cancel.result.sequence});
    if (found == requested_.end()) return;  // it has replied already
    result = found->second.result;
    if (result == nullptr) {
      found->second.cancel = CancelMode{cancel.recursive, cancel.force};  // once it starts
      return;
    }
    result->retain();
  }
  result->cancel({cancel.recursive, cancel.force});
  result->release();
}

}  // namespace manta::core
