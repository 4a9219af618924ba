// util::output_file_problem and util::replace_file: the files a job writes for its user (the
// timeline, the status file) are checked when it starts, and replaced whole, so a reader polling
// the file never sees half of one.
#include "util/output_file.hpp"

#include <manta/error.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using manta::util::output_file_problem;
using manta::util::replace_file;

std::string read_all(std::istream& in) {
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return read_all(in);
}

void write_file(const fs::path& file, const std::string& content) {
  std::ofstream(file, std::ios::binary) << content;
}

/// A directory of its own per test, removed after it.
class OutputFile : public ::testing::Test {
 protected:
  OutputFile() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/manta-output-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
    directory = pattern;
  }
  ~OutputFile() override {
    std::error_code ignored;
    fs::permissions(directory, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(directory, ignored);
  }

  /// The files a replace left beside its target ("status.json.partial.1234").
  std::vector<std::string> partial_files() const {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(directory)) {
      const auto name = entry.path().filename().string();
      if (name.find(".partial.") != std::string::npos) found.push_back(name);
    }
    return found;
  }

  fs::path directory;
};

TEST_F(OutputFile, AWritableDirectoryHasNoProblem) {
  EXPECT_EQ(output_file_problem(directory / "status.json", "--status-file"), "");
}

TEST_F(OutputFile, ARelativePathIsCheckedInTheWorkingDirectory) {
  // No parent path: the file goes to ".", the working directory.
  const auto working = fs::current_path();
  fs::current_path(directory);
  const auto writable = output_file_problem("status.json", "--status-file");
  fs::create_directory("sub");
  const auto in_sub = output_file_problem("sub/status.json", "--status-file");
  const auto missing = output_file_problem("nested/status.json", "--status-file");
  fs::current_path(working);
  EXPECT_EQ(writable, "");
  EXPECT_EQ(in_sub, "");
  EXPECT_EQ(missing, "--status-file nested/status.json: its directory nested does not exist");
}

TEST_F(OutputFile, AMissingDirectoryIsNamedWithTheOption) {
  const auto file = directory / "missing" / "timeline.json";
  const auto problem = output_file_problem(file, "--timeline");
  EXPECT_EQ(problem, "--timeline " + file.string() + ": its directory " +
                         (directory / "missing").string() + " does not exist");
}

TEST_F(OutputFile, APathUnderARegularFileIsAProblem) {
  // A regular file is no directory, even for root (who may write into any directory).
  const auto regular = directory / "hostname";
  write_file(regular, "node-a\n");
  const auto problem = output_file_problem(regular / "x.json", "--status-file");
  EXPECT_NE(problem, "");
  EXPECT_NE(problem.find("--status-file " + (regular / "x.json").string()), std::string::npos)
      << problem;
  EXPECT_NE(problem.find("its directory " + regular.string()), std::string::npos) << problem;
}

TEST_F(OutputFile, ADirectoryWithoutWritePermissionIsNamed) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root: access(W_OK) grants every directory whatever its mode, so "
                    "a directory without write permission cannot be made";
  }
  const auto locked = directory / "locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  const auto problem = output_file_problem(locked / "timeline.json", "--timeline");
  fs::permissions(locked, fs::perms::owner_all);
  EXPECT_EQ(problem, "--timeline " + (locked / "timeline.json").string() + ": its directory " +
                         locked.string() + " is not writable");
}

TEST_F(OutputFile, ADirectoryOnAReadOnlyFileSystemIsNamedEvenForRoot) {
  // Root may write into any directory, but not on a read-only mount: containers mount /proc/sys
  // read-only.
  if (::access("/proc/sys", W_OK) == 0) {
    GTEST_SKIP() << "/proc/sys is writable here: no read-only directory known to test with";
  }
  EXPECT_EQ(output_file_problem("/proc/sys/status.json", "--status-file"),
            "--status-file /proc/sys/status.json: its directory /proc/sys is not writable");
}

TEST_F(OutputFile, ReplaceWritesTheContentAndLeavesNoPartialFile) {
  const auto file = directory / "status.json";
  replace_file(file, [](std::ostream& out) { out << "{\"first\": 1}\n"; });
  EXPECT_EQ(read_file(file), "{\"first\": 1}\n");
  replace_file(file, [](std::ostream& out) { out << "{}\n"; });
  // Truncated, not overwritten in place: nothing of the longer first content remains.
  EXPECT_EQ(read_file(file), "{}\n");
  EXPECT_TRUE(partial_files().empty()) << partial_files().front();
}

TEST_F(OutputFile, AReaderOfTheOldFileKeepsItsContentWhileItIsReplaced) {
  // `manta status` may hold the file open while rank 0 replaces it: it reads the old whole
  // document (the old inode), never a mix of the two.
  const auto file = directory / "status.json";
  write_file(file, "old document\n");
  std::ifstream reader(file, std::ios::binary);
  ASSERT_TRUE(reader);
  replace_file(file, [](std::ostream& out) { out << "the new, longer document\n"; });
  EXPECT_EQ(read_all(reader), "old document\n");
  EXPECT_EQ(read_file(file), "the new, longer document\n");
}

TEST_F(OutputFile, ReplacingIntoAMissingDirectoryThrowsNamingTheFile) {
  const auto file = directory / "missing" / "status.json";
  try {
    replace_file(file, [](std::ostream& out) { out << "x"; });
    FAIL() << "replaced " << file;
  } catch (const manta::Error& error) {
    EXPECT_NE(std::string(error.what()).find(file.string()), std::string::npos) << error.what();
  }
  EXPECT_FALSE(fs::exists(directory / "missing"));
}

TEST_F(OutputFile, AWriterThatFailsItsStreamThrowsAndKeepsTheOldFile) {
  const auto file = directory / "status.json";
  write_file(file, "old document\n");
  try {
    replace_file(file, [](std::ostream& out) {
      out << "half of a new";
      out.setstate(std::ios::badbit);  // as a full disk does
    });
    FAIL() << "replaced " << file << " through a failed stream";
  } catch (const manta::Error& error) {
    EXPECT_NE(std::string(error.what()).find(file.string()), std::string::npos) << error.what();
  }
  EXPECT_EQ(read_file(file), "old document\n");
  EXPECT_TRUE(partial_files().empty()) << partial_files().front();
}

TEST_F(OutputFile, AFileThatCannotBeMovedIntoPlaceThrowsAndLeavesNoPartialFile) {
  // The target is a non-empty directory: the rename fails after the write succeeded.
  const auto file = directory / "status.json";
  fs::create_directory(file);
  write_file(file / "inside", "kept");
  try {
    replace_file(file, [](std::ostream& out) { out << "new document\n"; });
    FAIL() << "replaced the directory " << file;
  } catch (const manta::Error& error) {
    EXPECT_NE(std::string(error.what()).find("into place at " + file.string()), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(read_file(file / "inside"), "kept");
  EXPECT_TRUE(partial_files().empty()) << partial_files().front();
}

TEST_F(OutputFile, AWriterThatThrowsKeepsTheOldFile) {
  const auto file = directory / "status.json";
  write_file(file, "old document\n");
  EXPECT_THROW(replace_file(file,
                            [](std::ostream& out) {
                              out << "half of a new";
                              throw std::logic_error("the writer gave up");
                            }),
               std::logic_error);
  EXPECT_EQ(read_file(file), "old document\n");
}

// replace_file does not remove its temporary file when `write` throws (only when the stream
// fails or the rename does): "status.json.partial.<pid>" stays beside the file. Enable once
// replace_file cleans up after a throwing writer.
TEST_F(OutputFile, AWriterThatThrowsLeavesNoPartialFile) {
  const auto file = directory / "status.json";
  write_file(file, "old document\n");
  EXPECT_THROW(replace_file(file,
                            [](std::ostream& out) {
                              out << "half of a new";
                              throw std::logic_error("the writer gave up");
                            }),
               std::logic_error);
  EXPECT_TRUE(partial_files().empty()) << partial_files().front();
}

}  // namespace
