#include "transport/wakeup.hpp"

#include "util/failure.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace manta::transport {

Wakeup::Wakeup(int ucx_fd)
    : wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)), epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {
  if (wake_fd_ < 0 || epoll_fd_ < 0) {
    const int error = errno;
    if (wake_fd_ >= 0) close(wake_fd_);
    if (epoll_fd_ >= 0) close(epoll_fd_);
    util::fail_call("eventfd/epoll_create1", __FILE__, __LINE__, std::strerror(error));
  }
  for (int fd : {ucx_fd, wake_fd_}) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
      const int error = errno;
      close(epoll_fd_);
      close(wake_fd_);
      util::fail_call("epoll_ctl", __FILE__, __LINE__, std::strerror(error));
    }
  }
}

Wakeup::~Wakeup() {
  close(epoll_fd_);
  close(wake_fd_);
}

void Wakeup::sleep(std::chrono::milliseconds limit) const {
  epoll_event events[2];
  epoll_wait(epoll_fd_, events, 2, static_cast<int>(limit.count()));
  std::uint64_t count = 0;
  [[maybe_unused]] const auto drained = read(wake_fd_, &count, sizeof count);
}

void Wakeup::wake() const noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = write(wake_fd_, &one, sizeof one);
}

}  // namespace manta::transport
