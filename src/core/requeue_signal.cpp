#include "core/requeue_signal.hpp"

#include <atomic>
#include <csignal>

namespace manta::core {
namespace {

std::atomic<bool> received{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the SIGUSR1 handler needs a lock-free flag");
struct sigaction previous {};

extern "C" void on_usr1(int) { received.store(true); }

}  // namespace

RequeueSignal::RequeueSignal(bool install) {
  if (!install) return;
  struct sigaction action {};
  action.sa_handler = &on_usr1;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  struct sigaction before {};
  installed_ = sigaction(SIGUSR1, &action, &before) == 0;
  if (!installed_ || before.sa_handler == &on_usr1) return;  // an earlier runtime's, left in place
  // A signal meant for an earlier program phase is not this runtime's to serve.
  received.store(false);
  previous = before;
  restore_previous_ = before.sa_handler != SIG_DFL;
}

RequeueSignal::~RequeueSignal() {
  if (restore_previous_) sigaction(SIGUSR1, &previous, nullptr);
}

bool RequeueSignal::take() noexcept { return installed_ && received.exchange(false); }

}  // namespace manta::core
