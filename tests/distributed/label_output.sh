#!/usr/bin/env bash
# Runs label_output_job with --label-output on RANKS ranks and checks what it wrote: every task
# line whole and labelled "(chatter rank R)" with the rank it ran on, none missing; the actor's
# lines on stderr labelled "(Speaker.say rank LAST)", the one it left unfinished too; the
# driver's line unlabelled.
# Usage: label_output.sh RANKS JOB [LAUNCHER...]   (no launcher: one rank, started directly)
set -uo pipefail
ranks=$1
job=$2
shift 2
lines=200
tasks_per_rank=4  # as label_output_job.cpp
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "label output: $*"
  echo "--- stdout"; head -20 "$work/stdout"
  echo "--- stderr"; cat "$work/stderr"
  exit 1
}

if (($# > 0)); then
  # One file per rank: a launcher forwards each rank's output in pieces of its own cutting,
  # which may mix ranks inside a line; the labelling under test is within a rank.
  "$@" --output-filename "$work/ranks" "$job" $lines --label-output >/dev/null 2>&1 ||
    { echo "label output: the job failed"; exit 1; }
  cat "$work"/ranks/1/rank.*/stdout >"$work/stdout"
  cat "$work"/ranks/1/rank.*/stderr >"$work/stderr" 2>/dev/null || : >"$work/stderr"
else
  "$job" $lines --label-output >"$work/stdout" 2>"$work/stderr" ||
    { echo "label output: the job failed"; exit 1; }
fi

chatter=$(grep -c 'chatter line' "$work/stdout")
((chatter == ranks * tasks_per_rank * lines)) ||
  fail "$chatter task lines, not $((ranks * tasks_per_rank * lines))"
bad=$(grep 'chatter line' "$work/stdout" |
      grep -Ev "^\(chatter rank ([0-9]+)\) chatter line [0-9]+ of $lines on rank \1$" | head -3)
[[ -z $bad ]] || fail "task lines not whole or not labelled with their rank: $bad"
for ((rank = 0; rank < ranks; ++rank)); do
  count=$(grep -c "^(chatter rank $rank) " "$work/stdout")
  ((count == tasks_per_rank * lines)) || fail "rank $rank: $count labelled lines"
done
last=$((ranks - 1))
grep -qx "(Speaker.say rank $last) speaker says hello on rank $last" "$work/stderr" ||
  fail "no labelled line of the actor call on stderr"
grep -q "^(Speaker.say rank $last) speaker trails off" "$work/stderr" ||
  fail "the actor call's unfinished line is missing or unlabelled"
grep -qx "driver done" "$work/stdout" || fail "the driver's line is missing or labelled"
echo "label output ok: $chatter task lines on $ranks ranks, each whole and labelled"
