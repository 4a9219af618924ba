#!/usr/bin/env bash
# Builds the fuzzers (clang, libFuzzer, ASan + UBSan) and runs each for SECONDS (default 60),
# starting from a corpus of real messages. Exit status 0: no crash, no sanitizer report, no
# allocation over the limit. A finding is saved as build-fuzz/crash-<harness>-*; rerun it with
#   build-fuzz/fuzz_<harness> build-fuzz/crash-<harness>-<hash>
# Usage: fuzz/run.sh [SECONDS]   (MANTA_FUZZ_BUILD: the build directory, default build-fuzz)
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${MANTA_FUZZ_BUILD:-$root/build-fuzz}

cmake -S "$root/fuzz" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$build" -j2
mkdir -p "$build/corpus/wire_decode" "$build/corpus/checkpoint_reader"
"$build/fuzz_wire_seeds" "$build/corpus/wire_decode"

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# A message is at most a few KiB here (-max_len): an allocation of 64 MiB means a size was
# believed. The checkpoint harness writes datasets of up to 64 KiB; HDF5's caches take a few MiB.
declare -A malloc_limit=([wire_decode]=64 [checkpoint_reader]=256)
for harness in wire_decode checkpoint_reader; do
  echo "fuzz/run.sh: $harness for $seconds s"
  "$build/fuzz_$harness" -max_total_time="$seconds" -max_len=8192 -timeout=20 \
    -rss_limit_mb=2048 -malloc_limit_mb="${malloc_limit[$harness]}" -print_final_stats=1 \
    -artifact_prefix="$build/crash-$harness-" "$build/corpus/$harness"
done
