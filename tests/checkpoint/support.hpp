// What the checkpoint tests share: this rank and the job's size, a directory every rank sees, and
// records made the same way on every rank, so any rank can check any other rank's actors.
#pragma once

#include "checkpoint/checkpoint.hpp"

#include <mpi.h>

#include <filesystem>
#include <string>
#include <vector>

namespace checkpoint_test {

int rank();
int ranks();
void barrier();

/// A fresh directory under /tmp, the same on every rank; rank 0 deletes it at the end. Collective.
class SharedDirectory {
 public:
  SharedDirectory();
  ~SharedDirectory();
  SharedDirectory(const SharedDirectory&) = delete;
  SharedDirectory& operator=(const SharedDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A record of `rank`'s actor `index` with a small archive and a 2 x 3 float64 array "weights",
/// both derived from (rank, index).
manta::checkpoint::ActorRecord sample_record(int rank, int index);

/// Writes sample_record(rank(), i) for i < count on every rank. Collective.
std::filesystem::path write_samples(const std::filesystem::path& directory, std::uint64_t epoch,
                                    int count = 1, int keep_last = 10);

/// The file's size in bytes.
std::uintmax_t file_size(const std::filesystem::path& file);

}  // namespace checkpoint_test
