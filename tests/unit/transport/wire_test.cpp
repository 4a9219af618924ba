// The control-message decoder against malformed input (issue 14, item 5): every size, rank,
// index and path a peer sends is checked before use, and each bad one is a clear manta::Error.
#include "transport/wire.hpp"
#include "patched_bytes.hpp"
#include "transport/peers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <manta/manta.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace manta::transport {
namespace {

using ::testing::HasSubstr;

const WireLimits two_ranks{.ranks = 2, .custom_resources = 1};

/// Offset of the first byte after the string `marker` in `bytes` (its 8-byte length precedes it).
std::size_t after(const std::vector<std::byte>& bytes, const std::string& marker) {
  const auto* first = reinterpret_cast<const char*>(bytes.data());
  const std::string_view all(first, bytes.size());
  const auto found = all.find(marker);
  EXPECT_NE(found, std::string_view::npos) << marker;
  return found + marker.size();
}

/// decode's error for `bytes`, or "" when it accepted them.
std::string decode_error(const std::vector<std::byte>& bytes, WireLimits limits = two_ranks) {
  try {
    decode(bytes, limits);
    return "";
  } catch (const Error& error) {
    return error.what();
  }
}

/// decode's errors for each of `variants`, joined: what a test looks for among them.
std::string decode_errors(const std::vector<std::vector<std::byte>>& variants) {
  std::string errors;
  for (const auto& bytes : variants) errors += decode_error(bytes) + "\n";
  return errors;
}

TaskRequest task_request() {
  TaskRequest request;
  request.result = {1, 7};
  request.function = "add";
  request.name = "MARKER";
  request.resources = {.cpu = 1, .gpu = 0, .memory = 0, .custom = {{0, 3}, {0, 4}}, .bundle = -1};
  request.arguments = {std::byte{1}, std::byte{2}};
  request.located = {{.rank = 1, .offset = 64, .size = 128}};
  return request;
}

ActorCreate actor_create(WireActorAddress actor, double checkpoint_every_seconds) {
  ActorCreate create;
  create.actor = actor;
  create.class_name = "Counter";
  create.checkpoint_every_seconds = checkpoint_every_seconds;
  return create;
}

NameRequest name_request(const std::string& name, bool claim) {
  NameRequest request;
  request.request = 1;
  request.name = name;
  request.claim = claim;
  return request;
}

TEST(WireDecode, EveryMessageOfTheJobRoundTrips) {
  const std::vector<Message> messages = {
      task_request(),
      TaskReply{{0, 3}, StoreLocation{1, 0, 10}},
      TaskReply{{0, 3}, WireError{"f", 1, "std::runtime_error", "boom", ErrorKind::task, {}}},
      ReleaseObject{{1, 2}},
      actor_create({1, 0, 4}, 2.5),
      ActorCall{{1, 0, 4}, {0, 9}, "Counter.add", {}, ActorCallKind::method},
      StealRequest{3},
      StealReply{2},
      name_request("n", false),
      NameReply{1, false, false, "", {}},
      CheckpointRequest{5, "/tmp/ckpt", true},
      CheckpointRound{2, "/tmp/ckpt", false, {{1, 5}}},
      CheckpointRound{CheckpointRound::last, "", false, {}},
      CancelTask{{0, 7}, true},
      StateRequest{4},
      StateReply{4, {std::byte{1}, std::byte{2}}}};
  for (const auto& message : messages) {
    const auto decoded = decode(encode(message), two_ranks);
    EXPECT_EQ(decoded.index(), message.index());
  }
  const auto request = std::get<TaskRequest>(decode(encode(task_request()), two_ranks));
  EXPECT_EQ(request.name, "MARKER");
  EXPECT_EQ(request.resources.custom.size(), 2U);
  EXPECT_EQ(request.located.front().size, 128U);
}

TEST(WireDecode, TruncatedMessageIsAnError) {
  const auto bytes = encode(task_request());
  for (std::size_t length : {std::size_t{0}, std::size_t{3}, bytes.size() / 2, bytes.size() - 1}) {
    const std::vector<std::byte> cut(bytes.begin(), bytes.begin() + static_cast<long>(length));
    EXPECT_THAT(decode_error(cut), HasSubstr("could not be decoded")) << length << " bytes";
  }
}

TEST(WireDecode, TrailingBytesAreAnError) {
  auto bytes = encode(StealRequest{1});
  bytes.push_back(std::byte{0});
  EXPECT_THAT(decode_error(bytes), HasSubstr("1 bytes follow the message"));
}

TEST(WireDecode, CollectionLongerThanTheMessageIsRefusedBeforeAllocating) {
  // The custom resource list holds 2 entries, the argument bytes 2: make either claim 2^32.
  const auto variants =
      manta_test::with_u64_replaced(encode(task_request()), 2, std::uint64_t{1} << 32);
  ASSERT_FALSE(variants.empty());
  const std::string errors = decode_errors(variants);
  EXPECT_THAT(errors, HasSubstr("claims 4294967296 elements in a collection, but only"));
}

TEST(WireDecode, StringLongerThanTheMessageIsRefusedBeforeAllocating) {
  // "MARKER" is the only 6-character string of the request.
  const auto variants = manta_test::with_u64_replaced(encode(task_request()), 6, ~std::uint64_t{0});
  EXPECT_THAT(decode_errors(variants),
              HasSubstr("claims 18446744073709551615 characters in a string, but only"));
}

TEST(WireDecode, BoolThatIsNeitherZeroNorOneIsAnError) {
  auto bytes = encode(name_request("MARKER", false));
  bytes[after(bytes, "MARKER")] = std::byte{2};
  EXPECT_THAT(decode_error(bytes), HasSubstr("bool of byte value 2"));
}

TEST(WireDecode, UnknownMessageTypeIsAnError) {
  auto bytes = encode(StealRequest{1});
  const std::uint32_t unknown = std::variant_size_v<Message>;
  std::memcpy(bytes.data(), &unknown, sizeof unknown);
  EXPECT_THAT(decode_error(bytes), HasSubstr("could not be decoded"));
}

TEST(WireDecode, ErrorAndCallKindsRoundTripAndUnknownOnesAreErrors) {
  const WireError died{"Counter.add",           1,
                       "manta::ActorDiedError", "MARKER",
                       ErrorKind::checkpoint,   "/tmp/ckpt/file.h5"};
  auto reply = encode(TaskReply{{0, 3}, died});
  const auto decoded = std::get<WireError>(std::get<TaskReply>(decode(reply, two_ranks)).outcome);
  EXPECT_EQ(decoded.kind, ErrorKind::checkpoint);
  EXPECT_EQ(decoded.file, "/tmp/ckpt/file.h5");
  // The kind follows the message, as a 4-byte integer.
  const std::uint32_t unknown = static_cast<std::uint32_t>(ErrorKind::last) + 1;
  std::memcpy(reply.data() + after(reply, "MARKER"), &unknown, sizeof unknown);
  EXPECT_THAT(decode_error(reply), HasSubstr("error kind is 8 (at most 7 expected)"));

  auto call = encode(ActorCall{{1, 0, 4}, {0, 9}, "MARKER", {}, ActorCallKind::kill_and_restart});
  EXPECT_EQ(std::get<ActorCall>(decode(call, two_ranks)).kind, ActorCallKind::kill_and_restart);
  const std::uint32_t unknown_call = static_cast<std::uint32_t>(ActorCallKind::last) + 1;
  std::memcpy(call.data() + call.size() - sizeof unknown_call, &unknown_call, sizeof unknown_call);
  EXPECT_THAT(decode_error(call), HasSubstr("call kind is 4 (at most 3 expected)"));
}

TEST(WireDecode, RanksOutsideTheJobAreErrors) {
  auto request = task_request();
  request.result.owner = 2;
  EXPECT_THAT(decode_error(encode(request)), HasSubstr("task result names rank 2, but the job "
                                                       "has 2 ranks"));
  request = task_request();
  request.located.front().rank = -1;
  EXPECT_THAT(decode_error(encode(request)), HasSubstr("object location names rank -1"));
  EXPECT_THAT(decode_error(encode(ActorCall{{7, 0, 4}, {0, 9}, "C.m", {}})),
              HasSubstr("actor host names rank 7"));
  EXPECT_THAT(decode_error(encode(CheckpointRound{2, "/tmp/c", false, {{9, 1}}})),
              HasSubstr("requesting rank names rank 9"));
  EXPECT_THAT(decode_error(encode(NameReply{1, true, false, "C", {-1, 0, 1}})),
              HasSubstr("actor host names rank -1"));
  // The same message is fine in a job large enough.
  EXPECT_EQ(decode_error(encode(ActorCall{{7, 0, 4}, {0, 9}, "C.m", {}}), {8, 0}), "");
}

TEST(WireDecode, LocationThatWrapsAroundIsAnError) {
  auto request = task_request();
  request.located.front() = {.rank = 1, .offset = ~std::uint64_t{0} - 4, .size = 10};
  EXPECT_THAT(decode_error(encode(request)), HasSubstr("overflow"));
}

TEST(WireDecode, CustomResourceIndexBeyondTheCatalogIsAnError) {
  auto request = task_request();
  request.resources.custom = {{1, 1}};
  EXPECT_THAT(decode_error(encode(request)),
              HasSubstr("custom resource index 1, but the job knows 1 custom resources"));
  EXPECT_EQ(decode_error(encode(request), {.ranks = 2, .custom_resources = 2}), "");
}

TEST(WireDecode, NegativeAmountsAreErrors) {
  auto request = task_request();
  request.resources.cpu = -1;
  EXPECT_THAT(decode_error(encode(request)), HasSubstr("cpu amount is -1"));
  request = task_request();
  request.resources.custom = {{0, -5}};
  EXPECT_THAT(decode_error(encode(request)), HasSubstr("custom resource amount is -5"));
  EXPECT_THAT(decode_error(encode(StealReply{-3})), HasSubstr("stolen tasks is -3"));
  EXPECT_THAT(decode_error(encode(actor_create({0, 0, 1}, -1.0))),
              HasSubstr("checkpoint_every_seconds"));
}

TEST(WireDecode, CheckpointDirectoryMustBeAnAbsoluteNormalPath) {
  for (const std::string directory : {"relative/dir", "/tmp/../etc", "/tmp/./x", ""}) {
    EXPECT_THAT(decode_error(encode(CheckpointRequest{1, directory, false})),
                HasSubstr("is not an absolute, normal path"))
        << directory;
  }
  EXPECT_THAT(decode_error(encode(CheckpointRound{1, std::string("/tmp/a\0b", 8), false, {}})),
              HasSubstr("checkpoint directory holds a NUL byte"));
  EXPECT_EQ(decode_error(encode(CheckpointRequest{1, "/scratch/job/ckpt", false})), "");
}

TEST(StoreLocationCheck, RangesOutsideAPeersStoreAreNamed) {
  std::vector<PeerInfo> peers(2);
  peers[1].store_size = 1000;
  EXPECT_EQ(outside_store(peers, 1, 0, 1000), "");
  EXPECT_EQ(outside_store(peers, 1, 1000, 0), "");
  EXPECT_THAT(outside_store(peers, 1, 1, 1000), HasSubstr("outside rank 1's store of 1000"));
  EXPECT_THAT(outside_store(peers, 1, 1001, 0), HasSubstr("outside rank 1's store"));
  EXPECT_THAT(outside_store(peers, 1, 8, ~std::uint64_t{0}), HasSubstr("outside"));
  EXPECT_THAT(outside_store(peers, 2, 0, 1), HasSubstr("rank 2 is not a rank of this job"));
  EXPECT_THAT(outside_store(peers, -1, 0, 1), HasSubstr("rank -1 is not a rank of this job"));
}

}  // namespace
}  // namespace manta::transport
