/// @file process/channel.hpp
/// @brief Frames over a connected Unix stream socket between two processes of one node, with a
/// file descriptor passed beside a frame when needed.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace manta::process {

/// A point in time to give up at; none waits for good.
using Deadline = std::optional<std::chrono::steady_clock::time_point>;

/// @brief One end of a socket pair carrying frames (a 64-bit length, then the bytes). Move-only;
/// closes its socket. Not thread-safe: one sender and one receiver at a time.
class Channel {
 public:
  Channel() = default;
  /// Takes over `socket`.
  explicit Channel(int socket) noexcept : socket_(socket) {}
  ~Channel() { close(); }
  Channel(Channel&& other) noexcept : socket_(std::exchange(other.socket_, -1)) {}
  Channel& operator=(Channel&& other) noexcept;
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  /// Two connected ends (close-on-exec). @throws manta::Error naming the system's error
  static std::pair<Channel, Channel> pair();

  /// Sends one frame, and `passed` (a descriptor, -1 for none) beside it. Returns false when the
  /// other end is gone; never raises SIGPIPE.
  bool send(std::span<const std::byte> frame, int passed = -1);

  enum class Received { frame, closed, timed_out };
  /// Receives one frame into `frame`, waiting until `deadline`; a descriptor passed beside it
  /// goes to `*passed` when given (else it is closed). `closed`: the other end is gone (it
  /// exited or was killed, also in the middle of a frame). After `timed_out` in the middle of a
  /// frame the stream is out of step: the caller drops the channel.
  Received receive(std::vector<std::byte>& frame, const Deadline& deadline, int* passed = nullptr);

  int socket() const noexcept { return socket_; }
  explicit operator bool() const noexcept { return socket_ >= 0; }
  void close() noexcept;

 private:
  /// Reads exactly `bytes` (the first read may take a passed descriptor). Received::frame when
  /// all arrived.
  Received read_fully(std::span<std::byte> bytes, const Deadline& deadline, int* passed);

  int socket_ = -1;
};

}  // namespace manta::process
