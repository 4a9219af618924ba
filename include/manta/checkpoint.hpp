/// @file checkpoint.hpp
/// @brief Checkpoints of every actor of the job, into HDF5 files, where a restarted job restored
/// from, and manta::h5_array. Include it (it includes <manta/manta.hpp>) in the files that use
/// them: <manta/manta.hpp> alone leaves them out, and with them <filesystem>, so that files
/// without checkpoints compile faster.
///
/// An actor whose class has a Boost.Serialization `serialize` member is checkpointable. A
/// checkpoint takes each actor's state between two of its calls, never in the middle of one, and
/// all ranks write one file together: `<directory>/checkpoint-<epoch>.h5`, with one group per
/// actor. Vectors named with manta::h5_array become native datasets that h5py reads directly.
/// Handles checkpoint one actor (ActorHandle::checkpoint) without this header.
///
/// @code
/// #include <manta/checkpoint.hpp>
/// // mpirun -np 4 ./app --checkpoint-dir ckpt     (restores from ckpt/ when it holds one)
/// auto counter =
///     manta::actor<Counter>().options({.name = "counter", .get_if_exists = true}).remote();
/// counter.call(&Counter::increment).remote();
/// std::string file = manta::get(counter.checkpoint());   // after the increment
/// manta::checkpoint_all();                               // every actor, now
/// @endcode
#pragma once
#include "manta.hpp"

#define MANTA_UMBRELLA_INCLUDE
#include "h5_array.hpp"
#undef MANTA_UMBRELLA_INCLUDE

#include <filesystem>
#include <optional>

namespace manta {

/// @brief Checkpoints every actor of the job into `directory` (empty: the runtime's checkpoint
/// directory, `--checkpoint-dir`) and returns the file once it is durable. Callable from any
/// rank, the driver included; rank 0 orders checkpoints, so concurrent requests share one file.
/// Actors busy in a call are waited for until that call returns.
/// @throws InvalidOptionError when there is no directory; CheckpointError when the write failed
std::filesystem::path checkpoint_all(const std::filesystem::path& directory = {});

/// @brief The checkpoint this job restored from (`--restore`, or the newest one in
/// `--checkpoint-dir` at startup), or nothing for a fresh start. Named actors found in it start
/// from their saved state when the driver creates them again.
std::optional<std::filesystem::path> restored_checkpoint();

}  // namespace manta
