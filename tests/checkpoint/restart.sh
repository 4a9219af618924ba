#!/bin/bash
# Whole jobs that stop and carry on from their checkpoints, with apps/resumable under mpirun.
#
#   restart.sh RESUMABLE WORKDIR ranks A B   finish on A ranks, then go further on B ranks
#   restart.sh RESUMABLE WORKDIR signal N    SIGUSR1 to an N-rank run: exit 75, then a rerun
#                                            on N ranks finishes from the checkpoint
#   restart.sh RESUMABLE WORKDIR ledger N C  C+1 runs on N ranks that mix handle.checkpoint()
#                                            with counting, each stopped by SIGUSR1: every run
#                                            starts from at least what the one before reported
#   restart.sh RESUMABLE WORKDIR policy N    a checkpoint every 10 calls, SIGUSR1 to rank 0
#                                            only: exit 75 within seconds
#   restart.sh RESUMABLE WORKDIR windows N   SIGUSR1 while the runtime starts and while it shuts
#                                            down: exit 75 or 0, never death by the signal, and
#                                            nothing reported is lost
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

# The counts LOG last reported (starting, progress or final line), space-separated.
reported() {
  grep -E '^(starting counts|progress|final counts): \[[0-9, ]*\]$' "$1" | tail -n 1 |
    tr -d '[],' | sed -E 's/^(starting counts|progress|final counts): ?//'
}

# kept EARLIER LATER: every count EARLIER reported is at most the count LATER started from.
kept() {
  local before after i
  read -ra before <<< "$(reported "$1")"
  read -ra after <<< "$(grep '^starting counts:' "$2" | tr -d '[],' | cut -d' ' -f3-)"
  ((${#after[@]})) || fail "$2 has no starting counts"
  for i in "${!before[@]}"; do
    [ "${before[$i]}" -le "${after[$i]:-0}" ] ||
      fail "counter $i: $1 reported ${before[$i]}, $2 started from ${after[$i]:-nothing}"
  done
}

# The pids of the N rank processes of the job started as RESUMABLE (rank order), once all exist.
rank_pids() {
  local ranks=$1 pid rank i
  for ((i = 0; i < 300; i++)); do
    local pids=()
    local matches
    matches=$(pgrep -f -- "^$resumable" || true)
    for pid in $matches; do
      # Each rank forks a helper process, which forks worker processes: they share its command
      # line and environment, and have it (or the helper) as their parent.
      grep -qx -- "$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')" <<< "$matches" && continue
      rank=$({ tr '\0' '\n' < "/proc/$pid/environ"; } 2>/dev/null |
               sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
      [ -n "$rank" ] && pids[rank]=$pid
    done
    if ((${#pids[@]} == ranks)); then
      echo "${pids[@]}"
      return
    fi
    sleep 0.05
  done
  fail "the $ranks ranks did not all start"
}

# Whether process PID catches SIGUSR1 (bit 10 of SigCgt in /proc/PID/status).
catches_usr1() {
  local mask
  mask=$(sed -n 's/^SigCgt:\s*//p' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$mask" ] && (((16#$mask >> 9) & 1))
}

# finish JOB SECONDS: JOB's exit code in $code, or fail when it runs longer than SECONDS.
finish() {
  local job=$1 seconds=$2 i
  code=0
  for ((i = 0; i < seconds * 10; i++)); do
    kill -0 "$job" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$job" 2>/dev/null; then
    kill -KILL "$job" 2>/dev/null
    pkill -KILL -f -- "^$resumable" || true
    fail "the job was still running $seconds s after SIGUSR1"
  fi
  wait "$job" || code=$?
}

# wait_for LOG REGEX JOB: until LOG has a line matching REGEX (fails if JOB ends first).
wait_for() {
  local i
  for ((i = 0; i < 1200; i++)); do
    grep -Eq -- "$2" "$1" && return
    kill -0 "$3" 2>/dev/null || break
    sleep 0.05
  done
  grep -Eq -- "$2" "$1" || { kill "$3" 2>/dev/null; fail "$1 never showed '$2'"; }
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
  ledger)
    ranks=$4 cycles=$5
    for ((run = 1; run <= cycles + 1; run++)); do
      "${mpirun[@]}" -np "$ranks" "$resumable" --target 1000000000 --counters 4 --batch 20 \
        --mark-every 7 --progress-ms 0 --checkpoint ckpt > "run-$run.log" 2>&1 &
      job=$!
      wait_for "run-$run.log" '^progress:' $job
      sleep "0.$((RANDOM % 5))"
      kill -USR1 $job
      finish $job 60
      [ "$code" -eq 75 ] || fail "run $run exited with $code after SIGUSR1, not 75"
      ((run == 1)) || kept "run-$((run - 1)).log" "run-$run.log"
    done
    ;;
  policy)
    ranks=$4
    "${mpirun[@]}" -np "$ranks" "$resumable" --target 100000000 --counters 4 \
      --checkpoint-every 10 --checkpoint ckpt > run-1.log 2>&1 &
    job=$!
    wait_for run-1.log '^progress:' $job
    read -ra pids <<< "$(rank_pids "$ranks")"
    kill -USR1 "${pids[0]}"  # rank 0 only, as a signal to one task of a Slurm step
    finish $job 20
    [ "$code" -eq 75 ] || fail "exited with $code after SIGUSR1 to rank 0, not 75"
    expect run-1.log "exiting with code 75"
    ;;
  windows)
    ranks=$4 run=0
    start() {  # start RUN ARGS...: the job in the background, its log run-RUN.log
      local log=run-$1.log
      shift
      "${mpirun[@]}" -np "$ranks" "$resumable" --counters 4 --checkpoint ckpt "$@" > "$log" 2>&1 &
      job=$!
    }
    # Counts to keep: a first run stopped by a signal mid-run.
    start $((++run)) --target 100000000 --work-us 200
    wait_for run-$run.log '^progress:' $job
    kill -USR1 $job
    finish $job 60
    [ "$code" -eq 75 ] || fail "run $run exited with $code after SIGUSR1, not 75"
    # Start-up: from the moment each rank catches SIGUSR1 (the runtime's first step, before
    # MPI_Init) through MPI, UCX and the restore, to the first calls.
    for delay in 0 0.1 0.3 0.6 1.0; do
      start $((++run)) --target 100000000 --work-us 200
      read -ra pids <<< "$(rank_pids "$ranks")"
      for pid in "${pids[@]}"; do
        for ((i = 0; i < 200; i++)); do catches_usr1 "$pid" && break; sleep 0.01; done
      done
      sleep $delay
      kill -USR1 "${pids[@]}" 2>/dev/null || true
      finish $job 60
      [ "$code" -eq 75 ] || [ "$code" -eq 0 ] ||
        fail "run $run: SIGUSR1 $delay s into start-up ended it with $code, not 75 or 0"
      # Restore-and-exit runs must keep what the runs before them kept, even for actors the
      # driver had not re-created yet.
      grep -q '^starting counts:' run-$run.log && kept run-$((run - 1)).log run-$run.log
      if ! grep -q '^starting counts:' run-$run.log; then
        start $((++run)) --target 100000000 --work-us 200
        wait_for run-$run.log '^starting counts:' $job
        kill -USR1 $job
        finish $job 60
        [ "$code" -eq 75 ] || fail "run $run exited with $code after SIGUSR1, not 75"
        kept run-$((run - 2)).log run-$run.log
      fi
    done
    # Shutdown: the moment the driver's last line is out.
    for ((repeat = 0; repeat < 3; repeat++)); do
      previous=$run
      start $((++run)) --target $(( $(reported run-$previous.log | tr ' ' '\n' | sort -n |
                                    tail -n 1) + 200 ))
      read -ra pids <<< "$(rank_pids "$ranks")"
      wait_for run-$run.log '^final counts:' $job
      kill -USR1 "${pids[@]}" 2>/dev/null || true
      finish $job 60
      [ "$code" -eq 75 ] || [ "$code" -eq 0 ] ||
        fail "run $run: SIGUSR1 at shutdown ended it with $code, not 75 or 0"
      kept run-$previous.log run-$run.log
    done
    ;;
  *)
    fail "unknown mode '$mode'"
    ;;
esac
ls ckpt/checkpoint-*.h5 > /dev/null || fail "no checkpoint file in $workdir/ckpt"
echo "restart test OK"
