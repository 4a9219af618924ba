#!/usr/bin/env bash
# Runs cmake/check-thread-safety.sh over a tree of one file, tests/thread_safety/planted.cpp: as
# it is (every use of the guarded counter locked) it must pass; with each planted violation it
# must refuse the file, naming it and the member or function. The compile command carries the
# build's kind of flags (-Werror, a GCC-only option) that the check must cope with.
# Usage: planted-violations.sh <source dir>   (CXX_CLANG: the clang++ to use)
set -euo pipefail
source_dir=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/build"
cp "$source_dir/tests/thread_safety/planted.cpp" "$work/src/counter.cpp"

# check <plant>: the check's verdict on the tree with violation <plant> (0: none).
check() {
  cat >"$work/build/compile_commands.json" <<JSON
[
{
  "directory": "$work/build",
  "command": "/usr/bin/c++ -DMANTA_PLANT=$1 -DMANTA_NOTE=\\\\\"quoted\\\\\" -I$source_dir/src -O2 -Wall -Wextra -Werror -fconcepts-diagnostics-depth=3 -std=c++20 -o counter.o -c $work/src/counter.cpp",
  "file": "$work/src/counter.cpp"
}
]
JSON
  bash "$source_dir/cmake/check-thread-safety.sh" "$work/build" "$work"
}

if ! output=$(check 0); then
  echo "FAIL: the unchanged counter is refused:"
  echo "$output"
  exit 1
fi
echo "passes as expected: every use locked"

failures=0
# plant <n> <what> <text the refusal must contain>
plant() {
  local output rc=0
  output=$(check "$1") || rc=$?
  if [[ $rc -ne 1 ]]; then
    echo "FAIL: $2 was not refused (exit status $rc):"
    echo "$output"
    failures=$((failures + 1))
  elif [[ $output != *"src/counter.cpp"* || $output != *"$3"* ]]; then
    echo "FAIL: $2 was refused without naming the file and \"$3\":"
    echo "$output"
    failures=$((failures + 1))
  else
    echo "refused as expected: $2"
  fi
}

plant 1 "a guarded member written without its mutex" "writing variable 'count_' requires holding mutex 'mutex_'"
plant 2 "a wait predicate that does not say it holds the mutex" "reading variable 'count_' requires holding mutex 'mutex_'"
plant 3 "a function that needs the mutex called without it" "calling function 'add_locked' requires holding mutex 'mutex_'"
plant 4 "a guarded member read after the lock was released" "reading variable 'count_' requires holding mutex 'mutex_'"
plant 5 "the same in a function the lock was handed to" "writing variable 'count_' requires holding mutex 'mutex_'"

if [[ $failures -ne 0 ]]; then
  echo "FAIL: $failures planted violations got through"
  exit 1
fi
echo "PASS: every planted violation was refused"
