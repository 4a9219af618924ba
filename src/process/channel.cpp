#include "process/channel.hpp"

#include "util/failure.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace manta::process {
namespace {

/// Milliseconds poll() may wait before `deadline` (-1: for good).
int poll_timeout(const Deadline& deadline) {
  if (!deadline) return -1;
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 1 << 30));
}

/// The descriptor an SCM_RIGHTS message carried, or -1.
int passed_descriptor(msghdr& message) {
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
       header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
      int descriptor = -1;
      std::memcpy(&descriptor, CMSG_DATA(header), sizeof descriptor);
      return descriptor;
    }
  }
  return -1;
}

}  // namespace

Channel& Channel::operator=(Channel&& other) noexcept {
  if (this != &other) {
    close();
    socket_ = std::exchange(other.socket_, -1);
  }
  return *this;
}

std::pair<Channel, Channel> Channel::pair() {
  int ends[2] = {-1, -1};
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
    util::fail_call("socketpair", __FILE__, __LINE__, std::strerror(errno));
  }
  return {Channel(ends[0]), Channel(ends[1])};
}

void Channel::close() noexcept {
  if (socket_ >= 0) ::close(socket_);
  socket_ = -1;
}

bool Channel::send(std::span<const std::byte> frame, int passed) {
  const std::uint64_t length = frame.size();
  iovec parts[2] = {{const_cast<std::uint64_t*>(&length), sizeof length},
                    {const_cast<std::byte*>(frame.data()), frame.size()}};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = parts;
  message.msg_iovlen = 2;
  if (passed >= 0) {
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &passed, sizeof passed);
  }
  std::size_t left = sizeof length + frame.size();
  while (left > 0) {
    const ssize_t sent = sendmsg(socket_, &message, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return false;  // EPIPE, ECONNRESET: the other end is gone
    }
    left -= static_cast<std::size_t>(sent);
    message.msg_control = nullptr;  // the descriptor went with the first bytes
    message.msg_controllen = 0;
    // Skip what was sent in the parts.
    auto done = static_cast<std::size_t>(sent);
    while (message.msg_iovlen > 0 && done >= message.msg_iov->iov_len) {
      done -= message.msg_iov->iov_len;
      ++message.msg_iov;
      --message.msg_iovlen;
    }
    if (message.msg_iovlen > 0) {
      message.msg_iov->iov_base = static_cast<char*>(message.msg_iov->iov_base) + done;
      message.msg_iov->iov_len -= done;
    }
  }
  return true;
}

Channel::Received Channel::read_fully(std::span<std::byte> bytes, const Deadline& deadline,
                                      int* passed) {
  std::size_t got = 0;
  while (got < bytes.size()) {
    pollfd ready{socket_, POLLIN, 0};
    const int polled = poll(&ready, 1, poll_timeout(deadline));
    if (polled < 0 && errno == EINTR) continue;
    if (polled == 0) return Received::timed_out;
    iovec part{bytes.data() + got, bytes.size() - got};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_iov = &part;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    const ssize_t read = recvmsg(socket_, &message, MSG_CMSG_CLOEXEC);
    if (read < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (read <= 0) return Received::closed;  // end of stream, ECONNRESET
    if (const int descriptor = passed_descriptor(message); descriptor >= 0) {
      if (passed != nullptr) {
        *passed = descriptor;
      } else {
        ::close(descriptor);
      }
    }
    got += static_cast<std::size_t>(read);
  }
  return Received::frame;
}

Channel::Received Channel::receive(std::vector<std::byte>& frame, const Deadline& deadline,
                                   int* passed) {
  if (passed != nullptr) *passed = -1;
  std::uint64_t length = 0;
  const auto header = read_fully(std::as_writable_bytes(std::span(&length, 1)), deadline, passed);
  if (header != Received::frame) return header;
  frame.resize(length);
  return read_fully(frame, deadline, nullptr);
}

}  // namespace manta::process
