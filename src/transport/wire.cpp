#include "transport/wire.hpp"

#include <manta/detail/serialization.hpp>
#include <manta/error.hpp>

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
      .arguments& request.located& request.sender_queued;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::StoreLocation& location, unsigned) {
  archive& location.rank& location.offset& location.size;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::WireError& error, unsigned) {
  archive& error.task_name& error.rank& error.exception_type& error.message;
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
void serialize(Archive& archive, manta::transport::WireActorAddress& address, unsigned) {
  archive& address.host& address.creator& address.sequence;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::ActorCreate& create, unsigned) {
  archive& create.actor& create.class_name& create.constructor& create.name& create
      .resources& create.arguments& create.failure& create.checkpoint_every_calls& create
      .checkpoint_every_seconds& create.max_restarts& create.max_task_retries;
}
template <class Archive>
void serialize(Archive& archive, manta::transport::ActorCall& call, unsigned) {
  archive& call.actor& call.result& call.method& call.arguments;
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
  archive& request.request& request.name& request.claim& request.class_name& request.actor;
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

}  // namespace boost::serialization

namespace manta::transport {

std::vector<std::byte> encode(const Message& message) {
  std::vector<std::byte> bytes;
  detail::VectorBuffer buffer(bytes);
  boost::archive::binary_oarchive archive(buffer, detail::archive_flags);
  archive << message;
  return bytes;
}

Message decode(std::span<const std::byte> bytes) {
  try {
    detail::SpanBuffer buffer({const_cast<std::byte*>(bytes.data()), bytes.size()});
    boost::archive::binary_iarchive archive(buffer, detail::archive_flags);
    Message message;
    archive >> message;
    return message;
  } catch (const std::exception& error) {
    throw Error("a control message of " + std::to_string(bytes.size()) +
                " bytes could not be decoded: " + error.what());
  }
}

}  // namespace manta::transport
