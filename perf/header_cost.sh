#!/usr/bin/env bash
# What `#include <manta/manta.hpp>` costs a user translation unit: compiles the one-task
# program perf/header_cost/one_task.cpp against the headers of a base commit and against this
# working tree, alternately in the same run, and prints JSON. perf/README.md has the figures.
#
#   perf/header_cost.sh [--base REV] [--runs N] [--instructions] [--program FILE]
#
#   --base REV       commit whose include/ is the "before" (default: main); only its include/
#                    is read (git archive), nothing is checked out
#   --runs N         compiles of each tree, alternating, the median reported (default 9)
#   --instructions   also count the instructions the compiler executes (valgrind; ~20 s per
#                    tree, but the same on a busy machine, where times are not)
#   --program FILE   compile FILE instead of the one-task program
#
# Figures per tree: `lines` of `-E` output, median `wall_s` and `cpu_s` (user + system) of
# `-fsyntax-only`, and `instructions_m` (millions) with --instructions. `ratio` is head / base,
# so 0.5 is half today's cost. The compiler is $CXX (default g++), with -std=c++20.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
base=main
runs=9
instructions=0
program=$root/perf/header_cost/one_task.cpp
usage() { sed -n '2,18s/^# \{0,1\}//p' "$0"; }
while (($#)); do
  case $1 in
    --base) base=${2:?--base needs a commit} && shift ;;
    --runs) runs=${2:?--runs needs a count} && shift ;;
    --instructions) instructions=1 ;;
    --program) program=$(realpath "${2:?--program needs a file}") && shift ;;
    -h | --help) usage && exit 0 ;;
    *) echo "header_cost.sh: unknown argument '$1'" >&2 && usage >&2 && exit 2 ;;
  esac
  shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "header_cost.sh: --runs takes a positive count" >&2; exit 2; }
cxx=${CXX:-g++}
base_commit=$(git -C "$root" rev-parse --verify "$base^{commit}")
head_commit=$(git -C "$root" rev-parse HEAD)
dirty=false
[[ -z $(git -C "$root" status --porcelain -- include) ]] || dirty=true

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/base"
git -C "$root" archive "$base_commit" include | tar -x -C "$work/base"
declare -A include=([base]=$work/base/include [head]=$root/include)

compile() { "$cxx" -std=c++20 -I"${include[$1]}" "${@:2}" "$program"; }

# One -fsyntax-only compile of tree $1; appends "wall cpu" to $work/$1.times.
timed() {
  local TIMEFORMAT='%R %U %S'
  { time compile "$1" -fsyntax-only; } 2> "$work/time"
  tail -n 1 "$work/time" | awk '{ printf "%s %.3f\n", $1, $2 + $3 }' >> "$work/$1.times"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

load_before=$(cut -d' ' -f1 /proc/loadavg)
for tree in base head; do
  compile "$tree" -fsyntax-only  # warm the page cache; fails loudly if the program does not compile
  : > "$work/$tree.times"
done
# Alternating which tree goes first, so that the machine's drift falls on both.
for ((i = 0; i < runs; ++i)); do
  if ((i % 2)); then timed head && timed base; else timed base && timed head; fi
done
load_after=$(cut -d' ' -f1 /proc/loadavg)

declare -A lines wall cpu instr
for tree in base head; do
  lines[$tree]=$(compile "$tree" -E | wc -l)
  wall[$tree]=$(cut -d' ' -f1 "$work/$tree.times" | median)
  cpu[$tree]=$(cut -d' ' -f2 "$work/$tree.times" | median)
  instr[$tree]=null
  if ((instructions)); then
    instr[$tree]=$(valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
                     --trace-children=yes "$cxx" -std=c++20 -I"${include[$tree]}" -fsyntax-only \
                     "$program" 2>&1 |
                   awk '/I +refs/ { gsub(",", "", $4); s += $4 } END { printf "%d", s / 1e6 }')
  fi
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "null") print "null"; else printf "%.3f", b / a }'; }
tree_json() {
  printf '{"lines": %s, "wall_s": %s, "cpu_s": %s, "instructions_m": %s}' \
    "${lines[$1]}" "${wall[$1]}" "${cpu[$1]}" "${instr[$1]}"
}
cat <<JSON
{
  "program": "${program#"$root"/}",
  "compiler": "$("$cxx" --version | head -n 1)",
  "runs": $runs,
  "load_before": $load_before,
  "load_after": $load_after,
  "base": {"commit": "$base_commit", "figures": $(tree_json base)},
  "head": {"commit": "$head_commit", "include_modified": $dirty, "figures": $(tree_json head)},
  "ratio": {"lines": $(ratio "${lines[base]}" "${lines[head]}"), "wall_s": $(ratio "${wall[base]}" "${wall[head]}"), "cpu_s": $(ratio "${cpu[base]}" "${cpu[head]}"), "instructions_m": $(ratio "${instr[base]}" "${instr[head]}")}
}
JSON
