#include "support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

namespace checkpoint_test {

namespace fs = std::filesystem;
using manta::checkpoint::ActorRecord;
using manta::checkpoint::ElementType;

int rank() {
  int value = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &value);
  return value;
}

int ranks() {
  int value = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &value);
  return value;
}

void barrier() { MPI_Barrier(MPI_COMM_WORLD); }

SharedDirectory::SharedDirectory() {
  std::string name;
  if (rank() == 0) {
    std::string pattern = (fs::temp_directory_path() / "manta-checkpoint-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    name = pattern;
  }
  int length = static_cast<int>(name.size());
  MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
  name.resize(static_cast<std::size_t>(length));
  MPI_Bcast(name.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
  path_ = name;
}

SharedDirectory::~SharedDirectory() {
  barrier();
  std::error_code ignored;
  if (rank() == 0) fs::remove_all(path_, ignored);
}

ActorRecord sample_record(int writer, int index) {
  ActorRecord record{.key = "rank" + std::to_string(writer) + "-actor" + std::to_string(index),
                     .class_name = "Sample",
                     .name = index == 0 ? "first of rank " + std::to_string(writer) : "",
                     .sequence = static_cast<std::uint64_t>(100 * writer + index),
                     .resources = "num_cpus=1"};
  for (int i = 0; i < 40; ++i)
    record.archive.push_back(static_cast<std::byte>(writer * 31 + index + i));
  std::vector<double> weights(6);
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = writer + 0.25 * index + 0.5 * i;
  record.arrays.push_back({.name = "weights",
                           .type = ElementType::float64,
                           .dims = {2, 3},
                           .bytes = std::vector<std::byte>(sizeof(double) * weights.size())});
  std::memcpy(record.arrays.back().bytes.data(), weights.data(), record.arrays.back().bytes.size());
  return record;
}

fs::path write_samples(const fs::path& directory, std::uint64_t epoch, int count, int keep_last) {
  std::vector<ActorRecord> records;
  for (int i = 0; i < count; ++i) records.push_back(sample_record(rank(), i));
  return manta::checkpoint::write_checkpoint(MPI_COMM_WORLD, directory, records,
                                             {.job_id = "test", .epoch = epoch}, keep_last);
}

std::uintmax_t file_size(const fs::path& file) { return fs::file_size(file); }

}  // namespace checkpoint_test
