// util::LabelledOutput and util::OutputLabel: what reaches the descriptors behind std::cout and
// std::cerr, read back from files put in their place.
#include "util/labelled_output.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace manta::util {
namespace {

/// Points descriptor `fd` at a fresh file while alive; `text()` reads what was written.
class CapturedDescriptor {
 public:
  explicit CapturedDescriptor(int fd) : fd_(fd) {
    char name[] = "/tmp/manta-labelled-output-XXXXXX";
    const int file = mkstemp(name);
    if (file < 0) std::abort();
    path_ = name;
    std::fflush(nullptr);
    saved_ = dup(fd_);
    dup2(file, fd_);
    close(file);
  }
  ~CapturedDescriptor() {
    restore();
    std::remove(path_.c_str());
  }
  /// Gives the descriptor back; idempotent.
  void restore() {
    if (saved_ < 0) return;
    std::fflush(nullptr);
    dup2(saved_, fd_);
    close(saved_);
    saved_ = -1;
  }
  std::string text() {
    std::fflush(nullptr);
    std::ifstream file(path_);
    std::stringstream content;
    content << file.rdbuf();
    return content.str();
  }

 private:
  int fd_;
  int saved_ = -1;
  std::string path_;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

TEST(LabelledOutput, PrefixNamesTheWorkAndTheRank) {
  EXPECT_EQ(LabelledOutput::prefix("step", 3), "(step rank 3) ");
  EXPECT_EQ(LabelledOutput::prefix("Walker.step", 0), "(Walker.step rank 0) ");
}

TEST(LabelledOutput, LinesUnderALabelCarryItAndOthersDoNot) {
  CapturedDescriptor out(STDOUT_FILENO);
  {
    LabelledOutput labelled(2);
    std::cout << "driver line " << 1 << '\n';
    {
      OutputLabel label("simulate");
      std::cout << "step " << 7 << " reward " << 0.5 << std::endl;
    }
    std::cout << "driver again\n";
  }
  EXPECT_EQ(out.text(), "driver line 1\n(simulate rank 2) step 7 reward 0.5\ndriver again\n");
}

TEST(LabelledOutput, CerrAndClogGoToStandardErrorLabelled) {
  CapturedDescriptor err(STDERR_FILENO);
  {
    LabelledOutput labelled(1);
    OutputLabel label("Learner.update");
    std::cerr << "loss " << 2 << '\n';  // std::cerr flushes after each <<: still one line
    std::clog << "clogged\n";
  }
  EXPECT_EQ(err.text(), "(Learner.update rank 1) loss 2\n(Learner.update rank 1) clogged\n");
}

TEST(LabelledOutput, NestedLabelsRestoreTheOuterOne) {
  CapturedDescriptor out(STDOUT_FILENO);
  {
    LabelledOutput labelled(0);
    OutputLabel outer("outer");
    {
      OutputLabel inner("inner");
      std::cout << "from inner\n";
    }
    std::cout << "from outer\n";
  }
  EXPECT_EQ(out.text(), "(inner rank 0) from inner\n(outer rank 0) from outer\n");
}

TEST(LabelledOutput, AnUnfinishedLineGoesOutLabelledWhenTheWorkEnds) {
  CapturedDescriptor out(STDOUT_FILENO);
  {
    LabelledOutput labelled(4);
    {
      OutputLabel label("trail");
      std::cout << "no newline" << std::flush;
    }
    std::cout << "\n";
  }
  EXPECT_EQ(out.text(), "(trail rank 4) no newline\n");
}

TEST(LabelledOutput, ThreadsLinesNeverMix) {
  constexpr int threads = 8;
  constexpr int lines = 300;
  CapturedDescriptor out(STDOUT_FILENO);
  {
    LabelledOutput labelled(5);
    std::vector<std::thread> writers;
    const std::vector<std::string> names = {"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"};
    for (int thread = 0; thread < threads; ++thread) {
      writers.emplace_back([&names, thread] {
        OutputLabel label(names[static_cast<std::size_t>(thread)].c_str());
        for (int line = 0; line < lines; ++line) {
          std::cout << "thread " << thread << " line " << line << " end" << '\n';
        }
      });
    }
    for (auto& writer : writers) writer.join();
  }
  const auto written = lines_of(out.text());
  ASSERT_EQ(written.size(), static_cast<std::size_t>(threads * lines));
  const std::regex whole(R"(\(t(\d) rank 5\) thread (\d) line (\d+) end)");
  std::vector<int> next_line(threads, 0);
  for (const auto& line : written) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(line, match, whole)) << line;
    ASSERT_EQ(match[1], match[2]) << line;
    const int thread = std::stoi(match[2]);
    EXPECT_EQ(std::stoi(match[3]), next_line[static_cast<std::size_t>(thread)]++) << line;
  }
}

TEST(LabelledOutput, PrintfLinesKeepTheirPlace) {
  CapturedDescriptor out(STDOUT_FILENO);
  {
    LabelledOutput labelled(0);
    OutputLabel label("mixed");
    std::printf("printf first\n");
    std::cout << "stream second\n";
    std::printf("printf third\n");
    std::cout << "stream fourth\n";
  }
  EXPECT_EQ(out.text(),
            "printf first\n(mixed rank 0) stream second\nprintf third\n(mixed rank 0) stream "
            "fourth\n");
}

TEST(LabelledOutput, ALineLongerThanWhatIsHeldGoesOutWholeInPieces) {
  const std::string long_text(200 * 1024, 'x');
  CapturedDescriptor out(STDOUT_FILENO);
  {
    LabelledOutput labelled(0);
    OutputLabel label("long");
    std::cout << long_text << "\nshort\n";
  }
  EXPECT_EQ(out.text(), "(long rank 0) " + long_text + "\n(long rank 0) short\n");
}

TEST(LabelledOutput, TheStreamsGetTheirBuffersBack) {
  std::streambuf* const cout_buffer = std::cout.rdbuf();
  std::streambuf* const cerr_buffer = std::cerr.rdbuf();
  std::streambuf* const clog_buffer = std::clog.rdbuf();
  {
    LabelledOutput labelled(0);
    EXPECT_NE(std::cout.rdbuf(), cout_buffer);
  }
  EXPECT_EQ(std::cout.rdbuf(), cout_buffer);
  EXPECT_EQ(std::cerr.rdbuf(), cerr_buffer);
  EXPECT_EQ(std::clog.rdbuf(), clog_buffer);
}

TEST(LabelledOutput, LabelsWithoutLabelledOutputChangeNothing) {
  CapturedDescriptor out(STDOUT_FILENO);
  {
    OutputLabel label("unused");
    std::cout << "plain\n" << std::flush;
  }
  EXPECT_EQ(out.text(), "plain\n");
}

}  // namespace
}  // namespace manta::util
