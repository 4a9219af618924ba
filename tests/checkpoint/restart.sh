#!/bin/bash
# Whole jobs that stop and carry on from their checkpoints, with apps/resumable under mpirun.
#
#   restart.sh RESUMABLE WORKDIR ranks A B   finish on A ranks, then go further on B ranks
#   restart.sh RESUMABLE WORKDIR signal N    SIGUSR1 to an N-rank run: exit 75, then a rerun
#                                            on N ranks finishes from the checkpoint
# Prints "restart test OK" when every check held; otherwise says which one failed and shows the
# run's output.
set -euo pipefail

resumable=$1
workdir=$2
mode=$3
mpirun=(mpirun --oversubscribe --bind-to none)
rm -rf "$workdir"
mkdir -p "$workdir"
cd "$workdir"

fail() {
  echo "restart test FAILED: $*" >&2
  for log in run-*.log; do
    [ -e "$log" ] && { echo "--- $log"; cat "$log"; } >&2
  done
  exit 1
}

# expect LOG REGEX: the log has a line matching REGEX.
expect() {
  grep -Eq -- "$2" "$1" || fail "$1 has no line matching '$2'"
}

counts() {  # counts N VALUE: "[VALUE, VALUE, ...]" with N values, as a regex
  local text="\\[$2" i
  for ((i = 1; i < $1; i++)); do text+=", $2"; done
  echo "$text\\]"
}

case $mode in
  ranks)
    first=$4 second=$5
    "${mpirun[@]}" -np "$first" "$resumable" --target 300 --counters 6 --checkpoint ckpt \
      > run-1.log 2>&1 || fail "the $first-rank run exited with $?"
    expect run-1.log "^starting counts: $(counts 6 0)$"
    expect run-1.log "^final counts: $(counts 6 300)$"
    "${mpirun[@]}" -np "$second" "$resumable" --target 500 --counters 6 --checkpoint ckpt \
      > run-2.log 2>&1 || fail "the $second-rank run exited with $?"
    expect run-2.log '^restored from ".*/ckpt/checkpoint-[0-9]+\.h5"$'
    expect run-2.log "^starting counts: $(counts 6 300)$"
    expect run-2.log "^final counts: $(counts 6 500)$"
    ;;
  signal)
    ranks=$4 target=20000
    "${mpirun[@]}" -np "$ranks" "$resumable" --target $target --counters 4 --work-us 500 \
      --checkpoint ckpt > run-1.log 2>&1 &
    job=$!
    # Signal once the counters are well under way (a progress line), not at a fixed time.
    for ((i = 0; i < 600; i++)); do
      grep -q '^progress:' run-1.log && break
      kill -0 $job 2>/dev/null || break
      sleep 0.1
    done
    grep -q '^progress:' run-1.log || { kill $job 2>/dev/null; fail "run 1 showed no progress"; }
    kill -USR1 $job  # mpirun forwards SIGUSR1 to every rank
    code=0
    wait $job || code=$?
    [ $code -eq 75 ] || fail "run 1 exited with $code after SIGUSR1, not 75"
    expect run-1.log "SIGUSR1: checkpointing every actor"
    grep -q '^final counts' run-1.log && fail "run 1 finished before SIGUSR1 reached it"
    "${mpirun[@]}" -np "$ranks" "$resumable" --target $target --counters 4 --checkpoint ckpt \
      > run-2.log 2>&1 || fail "run 2 exited with $?"
    expect run-2.log '^restored from '
    # Something was counted before the signal, and kept.
    grep -Eq '^starting counts: \[0, 0, 0, 0\]$' run-2.log && fail "run 2 started from zero"
    # Nothing the first run reported is lost: actors run no call after their state is taken
    # for the exit, so every count it printed is at most the count the rerun starts from.
    reported=$(grep '^progress:' run-1.log | tail -n 1 | tr -d '[],' | cut -d' ' -f2-)
    restored=$(grep '^starting counts:' run-2.log | tr -d '[],' | cut -d' ' -f3-)
    read -ra reported_counts <<< "$reported"
    read -ra restored_counts <<< "$restored"
    for i in "${!reported_counts[@]}"; do
      [ "${reported_counts[$i]}" -le "${restored_counts[$i]}" ] ||
        fail "counter $i: run 1 reported ${reported_counts[$i]}, run 2 restored ${restored_counts[$i]}"
    done
    expect run-2.log "^final counts: $(counts 4 $target)$"
    ;;
  *)
    fail "unknown mode '$mode'"
    ;;
esac
ls ckpt/checkpoint-*.h5 > /dev/null || fail "no checkpoint file in $workdir/ckpt"
echo "restart test OK"
