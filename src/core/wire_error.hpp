/// @file core/wire_error.hpp
/// @brief A failure's wire form, both ways: what a task, an actor call or a worker process threw,
/// as a transport::WireError, and the same exception type again where it arrives. The one place
/// that classifies exceptions for the wire.
#pragma once

#include "transport/wire.hpp"

#include <exception>
#include <string>

namespace manta::core {

/// The wire form of `error`, thrown by `task_name` on `rank` (-1 in a worker process): a TaskError
/// as it is, Manta's own errors by kind, anything else as a TaskError naming its type.
transport::WireError wire_error(const std::exception_ptr& error, const std::string& task_name,
                                int rank);

/// The exception `error` stands for, of the type it was thrown as. `rank`: where it happened,
/// for an error from a worker process (which sends rank -1).
std::exception_ptr exception_from_wire(const transport::WireError& error, int rank);

}  // namespace manta::core
