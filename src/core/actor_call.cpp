#include "core/actor_call.hpp"

#include <manta/detail/value_box.hpp>

#include <stdexcept>
#include <string>

namespace manta::core {
namespace {

/// A request's place in the queue; its result, read back from the host's reply, is a `Result`.
template <class Result>
class RequestBody final : public detail::CallBody {
 public:
  std::unique_ptr<detail::ValueBox> run(detail::ValueBox*) override {
    throw std::logic_error("manta: an actor request (checkpoint, kill) is not a call");
  }
  std::span<core::Object* const> dependencies() const noexcept override { return {}; }
  std::unique_ptr<detail::ValueBox> read_result(detail::StoreBlock bytes) const override {
    return std::make_unique<detail::StoredBox<Result>>(std::move(bytes));
  }
};

class FailedBody final : public detail::CallBody {
 public:
  explicit FailedBody(std::exception_ptr error) : error_(std::move(error)) {}
  std::unique_ptr<detail::ValueBox> run(detail::ValueBox*) override {
    std::rethrow_exception(error_);
  }
  std::span<core::Object* const> dependencies() const noexcept override { return {}; }

 private:
  std::exception_ptr error_;
};

}  // namespace

transport::ActorCallKind to_wire(CallKind kind) {
  switch (kind) {
    case CallKind::checkpoint:
      return transport::ActorCallKind::checkpoint;
    case CallKind::kill:
      return transport::ActorCallKind::kill;
    case CallKind::kill_and_restart:
      return transport::ActorCallKind::kill_and_restart;
    case CallKind::constructor:
    case CallKind::method:
      break;
  }
  return transport::ActorCallKind::method;
}

CallKind from_wire(transport::ActorCallKind kind) {
  switch (kind) {
    case transport::ActorCallKind::checkpoint:
      return CallKind::checkpoint;
    case transport::ActorCallKind::kill:
      return CallKind::kill;
    case transport::ActorCallKind::kill_and_restart:
      return CallKind::kill_and_restart;
    case transport::ActorCallKind::method:
      break;
  }
  return CallKind::method;
}

const char* request_name(CallKind kind) {
  switch (kind) {
    case CallKind::checkpoint:
      return "manta.checkpoint";
    case CallKind::kill:
      return "manta.kill";
    case CallKind::kill_and_restart:
      return "manta.kill_and_restart";
    case CallKind::constructor:
    case CallKind::method:
      break;
  }
  return "manta.call";
}

std::unique_ptr<detail::CallBody> request_body(CallKind kind) {
  if (kind == CallKind::checkpoint) return std::make_unique<RequestBody<std::string>>();
  return std::make_unique<RequestBody<detail::Unit>>();
}

std::unique_ptr<detail::CallBody> failed_body(std::exception_ptr error) {
  return std::make_unique<FailedBody>(std::move(error));
}

}  // namespace manta::core
