#!/usr/bin/env bash
# Plants one layering violation at a time in a copy of the tree and checks that
# cmake/check-layering.sh refuses each, naming the file; the unchanged copy must pass.
# Usage: planted-violations.sh <source dir>
set -euo pipefail
source_dir=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/cmake"
cp -r "$source_dir/src" "$source_dir/include" "$work/"
cp "$source_dir/cmake/check-layering.sh" "$work/cmake/"
check() { bash "$work/cmake/check-layering.sh" "$work"; }

if ! output=$(check); then
  echo "FAIL: the unchanged tree is refused:"
  echo "$output"
  exit 1
fi

failures=0
# plant <file under the copy> <include line> <text the refusal must contain>
plant() {
  local file=$work/$1 line=$2 expected=$3
  cp "$file" "$work/saved"
  printf '%s\n' "$line" >>"$file"
  local output rc=0
  output=$(check) || rc=$?
  mv "$work/saved" "$file"
  if [[ $rc -eq 0 ]]; then
    echo "FAIL: '$line' in $1 was not refused"
    failures=$((failures + 1))
  elif [[ $output != *"$1"* || $output != *"$expected"* ]]; then
    echo "FAIL: '$line' in $1 was refused without naming the file and '$expected':"
    echo "$output"
    failures=$((failures + 1))
  else
    echo "refused as expected: '$line' in $1"
  fi
}

plant src/store/spill_file.cpp '#include "core/runtime.hpp"' 'includes core/'
plant src/transport/wire.cpp '#include "store/spill_file.hpp"' 'includes store/'
plant src/core/runtime.cpp '#include <mpi.h>' '<mpi.h>'
plant src/api/run.cpp '#include <ucp/api/ucp.h>' '<ucp/api/ucp.h>'
plant src/store/spill_file.cpp '#include <hdf5.h>' '<hdf5.h>'
plant src/checkpoint/reader.cpp '#include <ucs/type/status.h>' '<ucs/type/status.h>'
plant src/core/task.cpp '#include <Kokkos_Core.hpp>' '<Kokkos_Core.hpp>'
plant src/transport/wire.cpp '#include <manta/actor.hpp>' '<manta/actor.hpp>'
plant src/checkpoint/reader.cpp '#include <manta/detail/core_access.hpp>' 'core_access.hpp'
plant src/tune/tuner.cpp '#include "core/runtime.hpp"' 'includes core/'
plant src/tune/tuner.cpp '#include "api/core_access.hpp"' 'includes api/'
plant src/tune/tuner.cpp '#include <manta/detail/core_access.hpp>' 'public API'
plant src/tune/tuner.cpp '#include <mpi.h>' '<mpi.h>'
plant src/api/run.cpp '#include "tune/experiment.hpp"' 'includes tune/'
plant src/rl/cartpole.cpp '#include "core/runtime.hpp"' 'includes core/'
plant src/core/task.cpp '#include "rl/span_checks.hpp"' 'includes rl/'
plant src/rl/cartpole.cpp '#include <manta/detail/core_access.hpp>' 'public API'
plant include/manta/task.hpp '#include "core/runtime.hpp"' 'src/ headers'
plant include/manta/tune/tuner.hpp '#include "tune/experiment.hpp"' 'src/ headers'
plant include/manta/task.hpp '#include <hdf5.h>' 'MPI, UCX or HDF5'

if [[ $failures -ne 0 ]]; then
  echo "FAIL: $failures planted violations got through"
  exit 1
fi
echo "PASS: every planted violation was refused"
