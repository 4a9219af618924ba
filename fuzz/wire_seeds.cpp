// Writes one encoded message of every type into the directory given: the wire_decode fuzzer's
// starting corpus, so that it mutates real messages from its first second.
#include "transport/wire.hpp"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  using namespace manta::transport;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
    return 2;
  }
  TaskRequest request{.result = {1, 7},
                      .function = "add",
                      .name = "add",
                      .resources = {.cpu = 1000, .custom = {{1, 500}}},
                      .arguments = {std::byte{1}, std::byte{2}, std::byte{3}},
                      .located = {{.rank = 2, .offset = 4096, .size = 1 << 20}},
                      .sender_queued = 3};
  const std::vector<Message> messages = {
      request,
      TaskReply{{0, 3}, std::vector<std::byte>{std::byte{9}}},
      TaskReply{{0, 3}, StoreLocation{1, 0, 10}},
      TaskReply{{0, 3}, WireError{"f", 1, "std::runtime_error", "boom", ErrorKind::task, {}}},
      TaskReply{{0, 4},
                WireError{"Counter", 1, "manta::CheckpointError", "torn", ErrorKind::checkpoint,
                          "/tmp/ckpt/manta-0001.h5"}},
      ReleaseObject{{1, 2}},
      ActorCreate{.actor = {1, 0, 4},
                  .class_name = "Counter",
                  .constructor = "Counter(int)",
                  .name = "counter",
                  .resources = {.cpu = 1000},
                  .arguments = {std::byte{5}},
                  .checkpoint_every_calls = 10,
                  .checkpoint_every_seconds = 2.5,
                  .max_restarts = -1},
      ActorCall{{1, 0, 4}, {0, 9}, "Counter.add", {std::byte{1}}, ActorCallKind::method},
      ActorCall{{1, 0, 4}, {0, 10}, "manta.kill", {}, ActorCallKind::kill_and_restart},
      StealRequest{3000},
      StealReply{2},
      ReserveBundle{5, {.cpu = 2000, .gpu = 500, .bundle = 0}},
      BundleReady{5, ""},
      ReleaseBundle{5},
      NameRequest{1, "counter", true, "Counter", {1, 0, 4}, false},
      NameReply{1, true, false, "Counter", {1, 0, 4}},
      CheckpointRequest{5, "/tmp/checkpoints", true},
      CheckpointRound{2, "/tmp/checkpoints", false, {{1, 5}, {3, 6}}},
      CancelTask{{0, 7}, true},
      StateRequest{4},
      StateReply{4, {std::byte{1}, std::byte{2}}}};
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto bytes = encode(messages[i]);
    std::ofstream(std::string(argv[1]) + "/seed-" + std::to_string(i), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
  }
  return 0;
}
