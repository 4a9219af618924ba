#!/usr/bin/env bash
# Runs a Manta program with --timeline and checks the file it leaves: complete JSON (closed), a
# named process for each of RANKS ranks, task spans on each of them, and, with several ranks,
# as many flow ends as flow starts (every task sent to another rank is seen arriving there).
# Usage: check.sh RANKS COMMAND... (the timeline is written to a temporary file added to it)
set -euo pipefail
ranks=$1
shift
file=$(mktemp --suffix .json)
trap 'rm -f "$file" "$file.partial"' EXIT
"$@" --timeline "$file"
fail() {
  echo "timeline check: $*" >&2
  exit 1
}
[[ $(tail -c 4 "$file") == *"]}"* ]] || fail "$file does not end the trace array"
for ((rank = 0; rank < ranks; ++rank)); do
  grep -q "\"name\":\"rank $rank (" "$file" || fail "no process named for rank $rank"
  tasks=$(grep -c "\"cat\":\"task\",\"dur\":[^,]*,\"name\":\"[^\"]*\",\"ph\":\"X\",\"pid\":$rank," "$file" || true)
  ((tasks > 0)) || fail "no task span on rank $rank"
done
starts=$(grep -c '"ph":"s"' "$file" || true)
ends=$(grep -c '"ph":"f"' "$file" || true)
if ((ranks > 1)); then
  ((starts > 0)) || fail "no flow from a submission to another rank"
  ((starts == ends)) || fail "$starts flows leave, $ends arrive"
fi
echo "timeline ok: $ranks ranks, $starts flows"
