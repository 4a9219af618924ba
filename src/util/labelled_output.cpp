#include "util/labelled_output.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <string_view>

namespace manta::util {
namespace {

/// The rank of the live LabelledOutput, -1 when there is none.
std::atomic<int> labelling_rank{-1};

thread_local const char* current_label = nullptr;

/// A line too long to hold whole goes out in pieces of this size (the first one labelled).
constexpr std::size_t longest_held_line = 64 * 1024;

/// Writes all of `text` to `fd`, after what C stdio holds for it. A descriptor that fails
/// (closed, a broken pipe) drops the text, as a failed std::cout write would.
void write_out(int fd, std::string_view text) {
  std::fflush(fd == STDOUT_FILENO ? stdout : stderr);
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return;
    }
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

/// What one thread has written to one descriptor since its last whole line.
struct PendingLine {
  std::string text;
  const char* label = nullptr;  ///< the writer's label when the line began
  int rank = -1;                ///< the labelling rank when the line began
  bool continued = false;       ///< the line's start already went out (labelled then)

  /// Sends the text held, the label first if the line starts here; `ended` tells whether a line
  /// end closes it (the next text starts a new line).
  void send(int fd, bool ended) {
    if (!continued && label != nullptr && rank >= 0) {
      std::string line = LabelledOutput::prefix(label, rank);
      line += text;
      write_out(fd, line);
    } else {
      write_out(fd, text);
    }
    text.clear();
    continued = !ended;
  }

  void append(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
      if (text.empty() && !continued) {
        label = current_label;
        rank = labelling_rank.load(std::memory_order_relaxed);
      }
      const auto end = bytes.find_first_of("\n\r");
      if (end == std::string_view::npos) {
        text += bytes;
        if (text.size() >= longest_held_line) send(fd, /*ended=*/false);
        return;
      }
      text += bytes.substr(0, end + 1);
      send(fd, /*ended=*/true);
      bytes.remove_prefix(end + 1);
    }
  }

  void send_unfinished(int fd) {
    if (!text.empty()) send(fd, /*ended=*/false);
  }
};

/// The calling thread's unfinished lines, per descriptor; what a thread leaves unfinished goes
/// out when it ends.
struct ThreadLines {
  PendingLine out;
  PendingLine err;

  ~ThreadLines() { send_unfinished(); }
  void send_unfinished() {
    out.send_unfinished(STDOUT_FILENO);
    err.send_unfinished(STDERR_FILENO);
  }
};
thread_local ThreadLines thread_lines;

}  // namespace

OutputLabel::OutputLabel(const char* name) noexcept : outer_(current_label) {
  current_label = name;
}

OutputLabel::~OutputLabel() {
  if (labelling_rank.load(std::memory_order_relaxed) >= 0) thread_lines.send_unfinished();
  current_label = outer_;
}

/// @brief A stream buffer with no buffer of its own: every character reaches the writing
/// thread's PendingLine for one descriptor.
class LabelledOutput::LineBuffer : public std::streambuf {
 public:
  explicit LineBuffer(int fd) : fd_(fd) {}

 protected:
  int_type overflow(int_type character) override {
    if (traits_type::eq_int_type(character, traits_type::eof())) return traits_type::not_eof(0);
    const char byte = traits_type::to_char_type(character);
    line().append(fd_, std::string_view(&byte, 1));
    return character;
  }

  std::streamsize xsputn(const char* bytes, std::streamsize count) override {
    line().append(fd_, std::string_view(bytes, static_cast<std::size_t>(count)));
    return count;
  }

 private:
  PendingLine& line() const { return fd_ == STDOUT_FILENO ? thread_lines.out : thread_lines.err; }

  const int fd_;
};

LabelledOutput::LabelledOutput(int rank)
    : out_(std::make_unique<LineBuffer>(STDOUT_FILENO)),
      err_(std::make_unique<LineBuffer>(STDERR_FILENO)) {
  std::cout.flush();
  std::clog.flush();
  labelling_rank.store(rank, std::memory_order_relaxed);
  saved_out_ = std::cout.rdbuf(out_.get());
  saved_err_ = std::cerr.rdbuf(err_.get());
  saved_log_ = std::clog.rdbuf(err_.get());
}

LabelledOutput::~LabelledOutput() {
  thread_lines.send_unfinished();
  std::cout.rdbuf(saved_out_);
  std::cerr.rdbuf(saved_err_);
  std::clog.rdbuf(saved_log_);
  labelling_rank.store(-1, std::memory_order_relaxed);
}

std::string LabelledOutput::prefix(const char* label, int rank) {
  return "(" + std::string(label) + " rank " + std::to_string(rank) + ") ";
}

}  // namespace manta::util
