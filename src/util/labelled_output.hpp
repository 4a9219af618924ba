/// @file util/labelled_output.hpp
/// @brief `--label-output`: each line a task or an actor call writes to std::cout, std::cerr or
/// std::clog goes out whole, starting with "(name rank R) ", as Ray starts its workers' lines
/// with "(f pid=…)". Lines of threads running no task (the driver's) go out unlabelled.
///
/// Why C++ streams and not the file descriptors: tasks are threads of one process, and which
/// thread wrote the bytes in a pipe cannot be known afterwards, while a stream buffer runs on
/// the writer's thread. Each thread gathers its own line (no lock, no interleaving of two
/// threads' halves of a line) and writes it with one write(2), after flushing C stdio's buffer
/// of the same descriptor so that printf's lines keep their place. printf itself is not labelled;
/// `srun -l` and `mpirun --tag-output` prefix every line of a rank with its number.
#pragma once

#include <memory>
#include <streambuf>
#include <string>

namespace manta::util {

/// @brief The calling thread's label, from construction to destruction; nested labels restore
/// the outer one. Cheap (a thread-local pointer) and harmless when no LabelledOutput is alive.
class OutputLabel {
 public:
  /// `name` outlives the label (a registered function's or method's name).
  explicit OutputLabel(const char* name) noexcept;
  /// Writes out a line the labelled work left unfinished, so it keeps its label.
  ~OutputLabel();
  OutputLabel(const OutputLabel&) = delete;
  OutputLabel& operator=(const OutputLabel&) = delete;

 private:
  const char* outer_;
};

/// @brief While alive, std::cout, std::cerr and std::clog write labelled whole lines (see the
/// file's comment). One per process at a time; made and destroyed on one thread, while no other
/// thread writes to these streams.
class LabelledOutput {
 public:
  /// `rank` goes into every label.
  explicit LabelledOutput(int rank);
  /// Writes out the calling thread's unfinished lines and gives the streams their buffers back.
  ~LabelledOutput();
  LabelledOutput(const LabelledOutput&) = delete;
  LabelledOutput& operator=(const LabelledOutput&) = delete;

  /// The prefix of a line written under `label` on rank `rank`: "(label rank R) ".
  static std::string prefix(const char* label, int rank);

 private:
  class LineBuffer;
  std::unique_ptr<LineBuffer> out_;
  std::unique_ptr<LineBuffer> err_;
  std::streambuf* saved_out_;
  std::streambuf* saved_err_;
  std::streambuf* saved_log_;
};

}  // namespace manta::util
