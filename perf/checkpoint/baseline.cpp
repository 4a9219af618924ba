// The same bytes without Manta: copied into fresh vectors (the least a capture does), written by
// every rank into one file at its own offset with pwrite and fsync (the least a durable
// checkpoint does), read back with pread from a cold page cache; and memcpy.
#include "bench.hpp"

#include "../common/results.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace bench::checkpoint {
namespace {

/// Calls `transfer(descriptor, address, bytes, offset)` (pread or pwrite) until all bytes have
/// moved.
template <class Byte, class Transfer>
void transfer_all(int descriptor, Byte* address, std::size_t bytes, off_t offset, Transfer transfer,
                  const char* what) {
  while (bytes > 0) {
    const ssize_t moved = transfer(descriptor, address, bytes, offset);
    if (moved <= 0)
      throw std::runtime_error(std::string(what) + " failed: " + std::strerror(errno));
    address += moved;
    bytes -= static_cast<std::size_t>(moved);
    offset += moved;
  }
}

}  // namespace

BaselineFigures measure_baseline(const Job& job, const std::vector<Weights>& state) {
  BaselineFigures figures;
  const auto file = job.directory / "posix-baseline.bin";
  const auto offset_of = [&](int actor) { return static_cast<off_t>(job.actor_bytes) * actor; };

  MPI_Barrier(MPI_COMM_WORLD);
  auto start = Clock::now();
  std::vector<Weights> copies;
  for (const Weights& weights : state) copies.push_back(weights);
  figures.copy = slowest(seconds_since(start));
  copies.clear();

  if (job.rank == 0) ::close(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644));
  settle();
  start = Clock::now();
  const int output = ::open(file.c_str(), O_WRONLY);
  for (std::size_t i = 0; i < state.size(); ++i) {
    transfer_all(output, reinterpret_cast<const char*>(state[i].data()), job.actor_bytes,
                 offset_of(job.actors[i]), ::pwrite, "pwrite");
  }
  if (::fsync(output) != 0 || ::close(output) != 0) throw std::runtime_error("fsync failed");
  figures.write = slowest(seconds_since(start));

  drop_cached_pages(file);
  MPI_Barrier(MPI_COMM_WORLD);
  start = Clock::now();
  const int input = ::open(file.c_str(), O_RDONLY);
  std::vector<Weights> read_back;
  for (std::size_t i = 0; i < state.size(); ++i) {
    Weights& weights = read_back.emplace_back(job.actor_bytes / sizeof(double));
    transfer_all(input, reinterpret_cast<char*>(weights.data()), job.actor_bytes,
                 offset_of(job.actors[i]), ::pread, "pread");
  }
  ::close(input);
  figures.read = slowest(seconds_since(start));
  check_answer(read_back == state, "the POSIX read returned other bytes");
  figures.erase = erase(job, file);
  return figures;
}

double memcpy_gbps(const std::vector<Weights>& state) {
  std::size_t largest = 0, bytes = 0;
  for (const Weights& weights : state) largest = std::max(largest, weights.size());
  static Weights target;
  target.assign(largest, 1.0);  // touched, as a copy into reused memory
  const auto start = Clock::now();
  for (const Weights& weights : state) {
    std::memcpy(target.data(), weights.data(), weights.size() * sizeof(double));
    bytes += weights.size() * sizeof(double);
  }
  const double seconds = seconds_since(start);
  check_answer(state.empty() || target.front() == state.back().front(), "memcpy copied nothing");
  return static_cast<double>(bytes) / seconds / 1e9;
}

}  // namespace bench::checkpoint
