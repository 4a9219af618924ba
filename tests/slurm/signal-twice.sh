#!/bin/bash
# signal-twice.sh JOB_ID WORKDIR - submit-and-wait.sh's --while-running program for the test
# slurm.sbatch.resumable_signalled_twice: JOB_ID is slurm/checkpoint_requeue.sbatch running
# apps/resumable --counters 4. It interrupts the job's first and second runs with
# `scancel -s USR1 JOB_ID` (to the step's tasks, as Slurm's --signal=USR1@120 does), each time
# once that run has printed its `starting counts:` (Manta is up, its SIGUSR1 handler installed)
# and then a `progress:` line with every counter above them. Once the job has ended it checks
# each run's part of the log:
#   run 0  starts from [0, 0, 0, 0], writes a checkpoint on the signal, exits 75, is requeued
#   run 1  `restored from` the checkpoint run 0 wrote on the signal, starts from non-zero counts,
#          exits 75 on the signal, is requeued
#   run 2  `restored from` run 1's signal checkpoint, starts from counts no lower than run 1's
#          (and higher in total), finishes with equal final counts, the log's only ones
# The job's end state, Restarts=2 and the final counts' value are submit-and-wait.sh's to check.
# Gives up after SIGNAL_TWICE_TIMEOUT seconds (default 220).
set -euo pipefail
job=$1 workdir=$2
deadline=$((SECONDS + ${SIGNAL_TWICE_TIMEOUT:-220}))
log=$workdir/manta-resumable-$job.out  # the script's --output=%x-%j.out
ckpt=""                                # from the script's per-run line: MANTA_CHECKPOINT_DIR=...
start=()                               # the starting counts of the run being waited on

say() { echo "[signal-twice] $*"; }
fail() { say "FAIL: $*" >&2; exit 1; }  # stderr: also seen from inside $(...)
count() { local n; n=$(grep -cE -- "$1" "$log" 2>/dev/null) || true; echo "${n:-0}"; }  # lines matching $1
state() { scontrol show job -o "$job" | grep -oP '(?<=JobState=)\S+' || echo unknown; }
# part RUN: that run's lines of the log, from the script's `manta-requeue: job J run RUN on ...`
part() { awk -v n="$1" 'BEGIN { cur = -1 } $1 == "manta-requeue:" && $4 == "run" && $6 == "on" { cur = $5 } cur == n' "$log"; }
counts() {  # counts RUN [WHAT]: the numbers of that run's first `WHAT: [a, b, c, d]` line
  part "$1" | grep -m1 -oP "^${2:-starting counts}: \[\K[0-9, ]+(?=\]$)" | tr -d ,
}
# wait_until WHAT COMMAND...: polls COMMAND until it succeeds; fails on the deadline, or at once
# when the job has ended or a run failed (waiting longer could not help).
wait_until() {
  local what=$1; shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || fail "timed out waiting for $what (job state $(state))"
    [ "$(count "^manta-requeue: job $job run [0-9]+ failed")" = 0 ] ||
      fail "a run failed while waiting for $what: $(grep -E "run [0-9]+ failed" "$log")"
    case $(state) in
      PENDING | RUNNING | REQUEUED | REQUEUE_HOLD | REQUEUE_FED | CONFIGURING | COMPLETING | unknown) ;;
      *) "$@" && break; fail "the job ended ($(state)) while waiting for $what" ;;
    esac
    sleep 0.2
  done
}
at_least() { [ "$(count "$1")" -ge "$2" ]; }
progressed() {  # progressed RUN: its last `progress:` line has every counter above start[]
  local now i
  read -ra now <<< "$(part "$1" | grep -oP '^progress: \[\K[0-9, ]+(?=\]$)' | tail -n 1 | tr -d ,)"
  [ "${#now[@]}" = 4 ] || return 1
  for i in 0 1 2 3; do [ "${now[i]}" -gt "${start[i]}" ] || return 1; done
}
job_ended() { case $(state) in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED) ;; *) false ;; esac; }

for run in 0 1; do
  # The (run+1)-th `starting counts:` line, after this run's own line from the script.
  wait_until "run $run to start" at_least "^manta-requeue: job $job run $run on " 1
  wait_until "run $run's 'starting counts:'" at_least "^starting counts: " $((run + 1))
  if [ -z "$ckpt" ]; then
    ckpt=$(grep -m1 -oP "^manta-requeue: job $job run 0 on .*\(MANTA_CHECKPOINT_DIR=\K[^,]+" "$log") ||
      fail "run 0's line in $log does not name MANTA_CHECKPOINT_DIR"
  fi
  read -ra start <<< "$(counts $run)"
  [ "${#start[@]}" = 4 ] || fail "run $run's 'starting counts:' line does not hold 4 counts"
  wait_until "run $run to make progress (a 'progress:' line above its starting counts ${start[*]})" \
    progressed $run
  [ "$(count '^final counts: ')" = 0 ] ||
    fail "run $run finished before it could be signalled: make a run longer (--target, --work-us)"
  say "run $run: starting counts ${start[*]}, $(part $run | grep '^progress: ' | tail -n 1):" \
      "scancel -s USR1 $job"
  scancel -s USR1 "$job" || fail "scancel -s USR1 $job failed"
  wait_until "run $run to exit 75 and be requeued" \
    at_least "^manta-requeue: job $job run $run checkpointed \(exit 75\): requeueing" 1
done
wait_until "the job to end" job_ended
say "job $job ended: $(state); checking its log $log"

# ----------------------------------------------------------------------- the runs, one by one
signal_epoch() {  # the checkpoint a run wrote on the signal (Manta's warning, from every rank)
  local epochs
  epochs=$(part "$1" | grep -oP "checkpoint \K[0-9]+(?= of .* holds the job's state; exiting with code 75)" | sort -u)
  [ "$(wc -w <<< "$epochs")" = 1 ] || fail "run $1 names $(wc -w <<< "$epochs") signal checkpoints (${epochs:-none}), not 1"
  echo "$epochs"
}
runs=$(grep -oP "^manta-requeue: job $job run \K[0-9]+(?= on )" "$log" | paste -sd' ')
[ "$runs" = "0 1 2" ] || fail "the log has runs '$runs', expected '0 1 2'"
[ "$(count '^restored from ')" = 2 ] || fail "the log has $(count '^restored from ') 'restored from' lines, expected 2"
[ "$(count '^final counts: ')" = 1 ] || fail "the log has $(count '^final counts: ') 'final counts' lines, expected 1"

read -ra c0 <<< "$(counts 0)"
[ "${c0[*]-}" = "0 0 0 0" ] || fail "run 0 starting counts are '${c0[*]-}', expected '0 0 0 0'"
! part 0 | grep -q '^restored from ' || fail "run 0 restored from something: $(part 0 | grep '^restored from ')"
previous=(0 0 0 0)
for run in 1 2; do
  epoch=$(signal_epoch $((run - 1)))
  # Manta names the file checkpoint-<epoch, zero-padded>.h5.
  got=$(part "$run" | grep '^restored from ' || true)
  if ! [[ $got =~ ^restored\ from\ \"(.*)/checkpoint-([0-9]+)\.h5\"$ ]] ||
     [ "${BASH_REMATCH[1]}" != "$ckpt" ] || [ $((10#${BASH_REMATCH[2]})) != "$epoch" ]; then
    fail "run $run: '$got', expected run $((run - 1))'s signal checkpoint $epoch in $ckpt"
  fi
  read -ra c <<< "$(counts "$run")"
  [ "${#c[@]}" = 4 ] || fail "run $run has no 'starting counts: [a, b, c, d]' line"
  more=0
  for i in 0 1 2 3; do
    [ "${c[i]}" -gt 0 ] || fail "run $run starts counter $i from 0: ${c[*]}"
    [ "${c[i]}" -ge "${previous[i]}" ] || fail "run $run starts counter $i lower than run $((run - 1)): ${c[*]} < ${previous[*]}"
    if [ "${c[i]}" -gt "${previous[i]}" ]; then more=1; fi
  done
  [ $more = 1 ] || fail "run $run starts where run $((run - 1)) started (${c[*]}): no progress saved"
  # Nothing the signalled run reported is lost: its actors run no call after their state is
  # taken for the exit, so its last `progress:` counts are at most what this run starts from.
  read -ra reported <<< "$(part $((run - 1)) | grep -oP '^progress: \[\K[0-9, ]+(?=\]$)' | tail -n 1 | tr -d ,)"
  for i in "${!reported[@]}"; do
    [ "${reported[i]}" -le "${c[i]}" ] ||
      fail "run $((run - 1)) reported counter $i at ${reported[i]}, but run $run restored ${c[i]}"
  done
  say "run $run: $got, starting counts ${c[*]}"
  previous=("${c[@]}")
done
part 1 | grep -q "run 1 checkpointed (exit 75): requeueing" || fail "run 1 did not exit 75"
part 2 | grep -q "^manta-requeue: job $job run 2 finished" || fail "run 2 did not finish (exit 0)"
read -ra f <<< "$(counts 2 'final counts')"
if [ "${#f[@]}" != 4 ] || [ "${f[0]}" != "${f[1]}" ] || [ "${f[0]}" != "${f[2]}" ] ||
   [ "${f[0]}" != "${f[3]}" ] || [ "${f[0]}" -lt "${previous[0]}" ]; then
  fail "run 2's final counts are '${f[*]-}': not 4 equal counts"
fi
say "OK: run 2 final counts ${f[*]}"
