#!/usr/bin/env bash
# Runs each unit-test binary of a build once, all its tests in one process, instead of one
# process per test as ctest does. For sanitized builds: LeakSanitizer's check at exit costs about
# 0.6 s per process (0.27 s without it, 0.89 s with it, for PutGet.Int under ASan), so checking
# the 537 unit tests one process each took longer than the rest of the sanitized stage. One
# process per binary checks the same allocations once. A failure names the test that was running
# (GoogleTest's "[ RUN      ]" line before the sanitizer's report).
#
#   tests/unit/run-whole-binaries.sh BUILD_DIR [TIMEOUT_SECONDS_PER_BINARY]
#
# The binaries are those of ctest's `unit` label, so a new one is never forgotten; each runs in
# the working directory ctest would give it. Exits non-zero if any binary fails, after running all.
set -uo pipefail
build_dir=${1:?usage: run-whole-binaries.sh BUILD_DIR [TIMEOUT_SECONDS_PER_BINARY]}
timeout_seconds=${2:-1200}

# "binary<TAB>working directory", one line per unit-test binary.
mapfile -t binaries < <(ctest --test-dir "$build_dir" --show-only=json-v1 -L unit | python3 -c '
import json, sys
seen = {}
for test in json.load(sys.stdin)["tests"]:
    directory = next((p["value"] for p in test.get("properties", [])
                      if p["name"] == "WORKING_DIRECTORY"), ".")
    seen.setdefault(test["command"][0], directory)
for binary, directory in sorted(seen.items()):
    print(f"{binary}\t{directory}")
')
if ((${#binaries[@]} == 0)); then
  echo "run-whole-binaries.sh: no test labelled unit in $build_dir" >&2
  exit 1
fi

failed=()
for entry in "${binaries[@]}"; do
  binary=${entry%%$'\t'*}
  directory=${entry#*$'\t'}
  name=$(basename "$binary")
  log="$build_dir/$name.whole.log"
  start=$(date +%s)
  (cd "$directory" && timeout --kill-after=30 "$timeout_seconds" "$binary") >"$log" 2>&1
  status=$?
  summary=$(grep -E '^\[==========\] [0-9]+ tests? from' "$log" | tail -1)
  echo "run-whole-binaries.sh: $name: exit $status after $(($(date +%s) - start)) s ${summary#\[==========\] }"
  if ((status != 0)); then
    ((status == 124)) && echo "run-whole-binaries.sh: $name timed out after $timeout_seconds s; last test started:" \
      && grep -E '^\[ RUN      \]' "$log" | tail -1
    echo "--- last 150 lines of $log"
    tail -150 "$log"
    failed+=("$name")
  fi
done
if ((${#failed[@]} > 0)); then
  echo "run-whole-binaries.sh: failed: ${failed[*]}" >&2
  exit 1
fi
