#!/usr/bin/env bash
# Runs clang's thread-safety analysis over Manta's own sources (src/): every member marked
# MANTA_GUARDED_BY is used only under its mutex, every function marked MANTA_REQUIRES is called
# with it held (util/thread_safety.hpp, util/mutex.hpp). Compiles each src/ file of a configured
# build with `clang++ -fsyntax-only -Wthread-safety -Werror=thread-safety`, with the build's own
# defines and include paths (its compile_commands.json; the top-level CMakeLists.txt exports it).
# Other warnings are the build's business and are left out; so are CUDA files and the flags of
# GCC's that clang rejects.
# Usage: check-thread-safety.sh <build dir> [source dir]   (CXX_CLANG: the clang++ to use; JOBS:
#   parallel compiles, default nproc). Prints each offending file with its warnings; exits 1 if
#   there is one, 2 if it cannot run.
set -euo pipefail
build=${1:?usage: check-thread-safety.sh <build dir> [source dir]}
source_dir=$(cd "${2:-$(dirname "$0")/..}" && pwd)
clang=${CXX_CLANG:-clang++}
jobs=${JOBS:-$(nproc)}
database=$build/compile_commands.json
if [[ ! -f $database ]]; then
  echo "check-thread-safety: $database is missing (configure the build with CMake first)" >&2
  exit 2
fi
if ! command -v "$clang" >/dev/null; then
  echo "check-thread-safety: $clang not found (Debian: apt-get install clang)" >&2
  exit 2
fi

# One compile command per line: the directory, the file, then the command, tab-separated.
# CMake writes each field of an entry on a line of its own; JSON escapes only \ and " there.
commands=$(mktemp)
results=$(mktemp -d)
trap 'rm -rf "$commands" "$results"' EXIT
awk -v src="$source_dir/src/" '
  function value(line) {
    sub(/^ *"[a-z]+": "/, "", line)
    sub(/",?$/, "", line)
    gsub(/\\\\/, "\001", line)
    gsub(/\\"/, "\"", line)
    gsub(/\001/, "\\", line)
    return line
  }
  /^ *"directory": / { directory = value($0) }
  /^ *"command": / { command = value($0) }
  /^ *"file": / { file = value($0) }
  /^}/ {
    if (index(file, src) == 1 && file !~ /\.cu$/) print directory "\t" file "\t" command
    directory = command = file = ""
  }' "$database" >"$commands"
if [[ ! -s $commands ]]; then
  echo "check-thread-safety: no file of $source_dir/src in $database" >&2
  exit 2
fi

# check <directory> <file> <command>: clang's verdict on one file, in $results/<n>.
check() {
  local directory=$1 file=$2 output=$4
  local -a words arguments=()
  # The command as the shell would split it (xargs honours its quotes and backslashes).
  mapfile -t words < <(xargs printf '%s\n' <<<"$3")
  local i=1
  while ((i < ${#words[@]})); do
    local word=${words[i]}
    i=$((i + 1))
    case $word in
      -o | -MF | -MT | -MQ) i=$((i + 1)) ;;  # outputs and dependency files: nothing is written
      -c | -MD | -MMD | "$file") ;;
      -Wp,* | -Wa,*) arguments+=("$word") ;;
      -W* | -w | -pedantic*) ;;  # the build's own warnings stay the build's
      # GCC's alone (clang stops at an unknown -f option).
      -fconcepts-diagnostics-depth=* | -fmax-errors=* | -fno-tree-* | -ftree-* | -fanalyzer* | \
        -fno-lifetime-dse | -fstack-clash-protection | -flto=auto | -fcoroutines) ;;
      *) arguments+=("$word") ;;
    esac
  done
  cd "$directory"
  if ! "$clang" "${arguments[@]}" -fsyntax-only -Wthread-safety -Werror=thread-safety "$file" \
    >"$output" 2>&1; then
    echo "$file" >"$output.failed"
  fi
}

started=$(date +%s)
count=0
while IFS=$'\t' read -r directory file command; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  check "$directory" "$file" "$command" "$results/$count" &
  count=$((count + 1))
done <"$commands"
wait

failed=0
for ((n = 0; n < count; n++)); do
  [[ -f $results/$n.failed ]] || continue
  failed=$((failed + 1))
  echo "thread-safety: $(cat "$results/$n.failed")"
  cat "$results/$n"
done
elapsed=$(($(date +%s) - started))
if ((failed > 0)); then
  echo "check-thread-safety: $failed of $count files refused ($elapsed s)"
  exit 1
fi
echo "check-thread-safety: $count files pass ($elapsed s)"
