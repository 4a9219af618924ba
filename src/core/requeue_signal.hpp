/// @file core/requeue_signal.hpp
/// @brief SIGUSR1, Slurm's warning before a job's time limit, caught as a flag for the whole life
/// of a runtime that has a checkpoint directory: from before MPI starts until the process ends.
/// A signal that comes while the runtime starts is served as soon as the checkpointer runs (a
/// checkpoint, then exit 75); one that comes while it shuts down, after the last round, is
/// ignored (the job ends normally, exit 0). Either way a rank never dies of the signal, which a
/// requeue script would read as a failure.
#pragma once

namespace manta::core {

class RequeueSignal {
 public:
  /// Installs the handler when `install`; otherwise SIGUSR1 keeps its disposition.
  explicit RequeueSignal(bool install);
  /// Gives a handler the program had before back to it; over the default action (death) the
  /// flag-setting handler stays, so a signal in the last moments of the process is harmless.
  ~RequeueSignal();
  RequeueSignal(const RequeueSignal&) = delete;
  RequeueSignal& operator=(const RequeueSignal&) = delete;

  bool installed() const noexcept { return installed_; }
  /// Whether SIGUSR1 came since the last call (or since installation); clears the flag.
  bool take() noexcept;

 private:
  bool installed_ = false;
  bool restore_previous_ = false;
};

}  // namespace manta::core
