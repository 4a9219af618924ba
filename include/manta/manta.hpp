/// @file manta.hpp
/// @brief The one header users include: Ray's core API for C++ on HPC machines. Two others add
/// to it, each including this one: <manta/checkpoint.hpp> (checkpoint_all, restored_checkpoint,
/// h5_array) and <manta/kokkos.hpp> (Kokkos kernels in tasks).
///
/// @code
/// #include <manta/manta.hpp>
///
/// #include <iostream>
///
/// int square(int x) { return x * x; }
/// MANTA_REMOTE(square);
///
/// int main(int argc, char** argv) {
///   return manta::run(argc, argv, [] {
///     std::vector<manta::ObjectRef<int>> refs;
///     for (int i = 0; i < 4; ++i) refs.push_back(manta::task(square).remote(i));
///     for (int v : manta::get(refs)) std::cout << v << " ";   // 0 1 4 9
///   });
/// }
/// @endcode
#pragma once

#define MANTA_UMBRELLA_INCLUDE
#include "actor.hpp"
#include "cancel.hpp"
#include "cluster.hpp"
#include "error.hpp"
#include "get.hpp"
#include "map.hpp"
#include "object_ref.hpp"
#include "options.hpp"
#include "placement_group.hpp"
#include "put.hpp"
#include "register.hpp"
#include "runtime.hpp"
#include "state.hpp"
#include "task.hpp"
#include "wait.hpp"
#undef MANTA_UMBRELLA_INCLUDE
