#include "process/worker_spawner.hpp"

#include "util/failure.hpp"

#include <manta/error.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

namespace manta::process {
namespace {

/// What the rank asks of the helper: one byte, for now always a spawn.
constexpr std::byte spawn_request{'S'};

/// What the helper tells the rank: a worker it started (its channel passed beside), or one that
/// ended.
struct Report {
  enum Kind : std::int32_t { spawned = 1, ended = 2 };
  Kind kind = spawned;
  std::int32_t pid = -1;  ///< -1 with `spawned`: fork failed, `status` is its errno
  std::int32_t status = 0;
};

bool send_report(Channel& channel, const Report& report, int passed = -1) {
  return channel.send(std::as_bytes(std::span(&report, 1)), passed);
}

/// Makes this process die with its parent, and gives up if the parent is gone already.
void die_with_parent(pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(0);
}

/// The helper: forks a worker per request until the rank's end closes, and reports each
/// worker's end. Never returns; runs no destructor of the rank's (it was forked from it).
[[noreturn]] void run_helper(Channel channel, pid_t rank, WorkerMain main) {
  die_with_parent(rank);
  prctl(PR_SET_NAME, "manta-helper");  // in ps and top; the command line stays the rank's
  // The requeue signal (SIGUSR1) and terminal interrupts are the rank's to handle: Slurm signals
  // every process of a step, and a worker must not end a task because its rank checkpoints.
  signal(SIGUSR1, SIG_IGN);
  // A crash kills the worker the plain way (a core file where the limits allow one): handlers
  // that libraries installed when they were loaded (UCX prints a backtrace, sanitizers a
  // report) belong to the rank, and run in a process where those libraries never started.
  for (const int crash : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS}) {
    signal(crash, SIG_DFL);
  }
  sigset_t child_signal;
  sigemptyset(&child_signal);
  sigaddset(&child_signal, SIGCHLD);
  sigprocmask(SIG_BLOCK, &child_signal, nullptr);
  const int child_ended = signalfd(-1, &child_signal, SFD_CLOEXEC);
  const pid_t helper = getpid();
  std::vector<std::byte> request;
  while (true) {
    pollfd watched[2] = {{channel.socket(), POLLIN, 0}, {child_ended, POLLIN, 0}};
    if (poll(watched, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if ((watched[1].revents & POLLIN) != 0) {
      signalfd_siginfo info{};
      [[maybe_unused]] const auto drained = read(child_ended, &info, sizeof info);
      int status = 0;
      for (pid_t ended; (ended = waitpid(-1, &status, WNOHANG)) > 0;) {
        if (!send_report(channel, {Report::ended, ended, status})) _exit(0);
      }
    }
    if (watched[0].revents == 0) continue;
    if (channel.receive(request, std::nullopt) != Channel::Received::frame) break;
    auto [rank_end, worker_end] = Channel::pair();
    const pid_t worker = fork();
    if (worker == 0) {
      close(child_ended);
      channel.close();
      rank_end.close();
      sigprocmask(SIG_UNBLOCK, &child_signal, nullptr);
      die_with_parent(helper);
      prctl(PR_SET_NAME, "manta-worker");
      main(worker_end);
      std::fflush(nullptr);
      _exit(0);
    }
    const Report report{Report::spawned, worker, worker < 0 ? errno : 0};
    if (!send_report(channel, report, worker > 0 ? rank_end.socket() : -1)) break;
  }
  _exit(0);  // the workers die with this process (PR_SET_PDEATHSIG)
}

}  // namespace

WorkerSpawner* WorkerSpawner::started() {
  util::LockGuard lock(process_mutex());
  return process_spawner().get();
}

WorkerSpawner& WorkerSpawner::start(WorkerMain main) {
  util::LockGuard lock(process_mutex());
  auto& spawner = process_spawner();
  if (spawner) return *spawner;
  std::fflush(nullptr);  // output buffered now would be written again by every fork
  auto [rank_end, helper_end] = Channel::pair();
  const pid_t rank = getpid();
  const pid_t helper = fork();
  if (helper < 0) util::fail_call("fork", __FILE__, __LINE__, std::strerror(errno));
  if (helper == 0) {
    rank_end.close();
    run_helper(std::move(helper_end), rank, main);
  }
  spawner.reset(new WorkerSpawner(helper, std::move(rank_end)));
  return *spawner;
}

util::Mutex& WorkerSpawner::process_mutex() {
  static util::Mutex mutex;
  return mutex;
}

std::unique_ptr<WorkerSpawner>& WorkerSpawner::process_spawner() {
  static std::unique_ptr<WorkerSpawner> spawner;
  return spawner;
}

WorkerSpawner::Worker WorkerSpawner::spawn() {
  util::LockGuard lock(mutex_);
  const auto gone = [&](const std::string& what) {
    return Error("the worker helper process (pid " + std::to_string(helper_) + ") " + what);
  };
  if (!channel_.send(std::span(&spawn_request, 1))) throw gone("is gone");
  Worker worker;
  const Deadline deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (worker.pid < 0) {
    if (!read_report_locked(deadline, &worker)) throw gone("did not start a worker in 30 s");
  }
  return worker;
}

std::optional<int> WorkerSpawner::wait_status(pid_t pid, std::chrono::milliseconds timeout) {
  util::LockGuard lock(mutex_);
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (const auto found = exit_statuses_.find(pid); found != exit_statuses_.end()) {
      const int status = found->second;
      exit_statuses_.erase(found);
      return status;
    }
    if (!read_report_locked(deadline, nullptr)) return std::nullopt;
  }
}

bool WorkerSpawner::read_report_locked(const Deadline& deadline, Worker* spawned) {
  std::vector<std::byte> frame;
  int passed = -1;
  if (channel_.receive(frame, deadline, &passed) != Channel::Received::frame) return false;
  Channel worker_channel(passed);
  Report report;
  if (frame.size() != sizeof report) {
    throw Error("the worker helper process sent a report of " + std::to_string(frame.size()) +
                " bytes, not " + std::to_string(sizeof report));
  }
  std::memcpy(&report, frame.data(), sizeof report);
  if (report.kind == Report::ended) {
    exit_statuses_[report.pid] = report.status;
  } else if (spawned != nullptr) {
    if (report.pid < 0) {
      throw Error("the worker helper process could not fork a worker: " +
                  std::string(std::strerror(report.status)));
    }
    spawned->pid = report.pid;
    spawned->channel = std::move(worker_channel);
  }
  return true;
}

std::string describe_wait_status(int status) {
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    const char* name = sigabbrev_np(signal);
    return "killed by signal " + std::to_string(signal) +
           (name != nullptr ? " (SIG" + std::string(name) + ")" : std::string());
  }
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  return "ended with wait status " + std::to_string(status);
}

}  // namespace manta::process
