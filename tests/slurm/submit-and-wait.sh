#!/bin/bash
# submit-and-wait.sh [options] -- SBATCH_ARGS...
# Submits a batch job (or job array) to the current Slurm (SLURM_CONF), polls `scontrol show job`
# until every part of it has ended, then checks that each ended COMPLETED with exit code 0:0 and
# that its output files say what they should. Prints what it saw; exits non-zero on any miss.
#   --workdir DIR            emptied, then the job's working directory (sbatch --chdir);
#                            default: the current directory, left as it is
#   --timeout SECONDS        give up (and scancel) after this long (default 120)
#   --expect-restarts N      the job must have been requeued N times (scontrol's Restarts=)
#   --expect-file FILE REGEX FILE (relative to --workdir; %j = the job id) must match REGEX
#                            (grep -E); repeatable
#   --while-running PROGRAM  runs `PROGRAM JOB_ID WORKDIR` in the background from submission on
#                            (to act on the running job, e.g. signal it); it must exit 0. It is
#                            waited for (at most 60 s) once the job has ended, killed on timeout.
# scontrol is used rather than sacct: the local cluster keeps no accounting, and it shows ended
# jobs for MinJobAge (600 s). `sbatch --wait` polls much more slowly (~10 s per job).
set -uo pipefail
workdir="" timeout=120 restarts="" files=() hook="" hook_pid=""
while [ $# -gt 0 ]; do
  case $1 in
    --workdir) workdir=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --expect-restarts) restarts=$2; shift 2 ;;
    --expect-file) files+=("$2" "$3"); shift 3 ;;
    --while-running) hook=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "submit-and-wait: unknown option $1" >&2; exit 2 ;;
  esac
done
say() { echo "[submit-and-wait] $*"; }
daemon_logs() {  # the local cluster's logs (in-local-slurm.sh exports SLURM_LOCAL_DIR)
  local log
  for log in "${SLURM_LOCAL_DIR:-/nonexistent}"/log/*.log; do
    [ -f "$log" ] && { echo "----- last lines of $log"; tail -n 15 "$log"; }
  done
}

if [ -n "$workdir" ]; then
  rm -rf "$workdir" && mkdir -p "$workdir" || exit 1
else
  workdir=$PWD
fi
start=$SECONDS
job=$(sbatch --parsable --chdir="$workdir" "$@") || { say "sbatch $* failed"; exit 1; }
job=${job%%;*}
say "submitted job $job: sbatch $*"
if [ -n "$hook" ]; then
  "$hook" "$job" "$workdir" &
  hook_pid=$!
fi

terminal='^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)$'
last=""
while :; do
  records=$(scontrol show job -o "$job" 2>&1) || { say "scontrol show job $job: $records"; exit 1; }
  states=$(grep -o 'JobState=[A-Z_]*' <<< "$records" | cut -d= -f2 | sort | uniq -c | paste -sd' ')
  [ "$states" != "$last" ] && say "$((SECONDS - start))s: $states" && last=$states
  done=1
  while read -r state; do
    [[ $state =~ $terminal ]] || done=0
  done < <(grep -o 'JobState=[A-Z_]*' <<< "$records" | cut -d= -f2)
  [ $done = 1 ] && break
  if [ $((SECONDS - start)) -ge "$timeout" ]; then
    say "TIMEOUT: job $job had not ended after ${timeout}s (waited for every part of it to reach" \
        "COMPLETED/FAILED/...; states: $states)"
    echo "$records"
    scancel "$job"
    [ -n "$hook_pid" ] && kill "$hook_pid" 2>/dev/null
    for ((i = 0; i < ${#files[@]}; i += 2)); do
      file=$workdir/${files[i]//%j/$job}
      [ -f "$file" ] && { echo "----- $file"; cat "$file"; }
    done
    daemon_logs
    exit 1
  fi
  sleep 0.5
done
say "job $job ended after $((SECONDS - start))s"

ok=1
if [ -n "$hook_pid" ]; then
  for _ in $(seq 120); do kill -0 "$hook_pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$hook_pid" 2>/dev/null; then
    say "FAIL: $hook $job was still running 60 s after the job ended: killed it"
    kill "$hook_pid"; ok=0
  fi
  wait "$hook_pid"
  code=$?
  if [ $ok = 1 ] && [ $code != 0 ]; then say "FAIL: $hook $job exited $code"; ok=0; fi
fi
while read -r record; do
  id=$(grep -oP '(^|\s)JobId=\K\S+' <<< "$record")
  task=$(grep -oP '(^|\s)ArrayTaskId=\K\S+' <<< "$record")
  state=$(grep -oP '(?<=JobState=)\S+' <<< "$record")
  code=$(grep -oP '(?<= ExitCode=)\S+' <<< "$record")
  runs=$(grep -oP '(?<=Restarts=)\S+' <<< "$record")
  say "job $id${task:+ (array task $task)}: JobState=$state ExitCode=$code Restarts=$runs"
  if [ "$state" != COMPLETED ] || [ "$code" != 0:0 ]; then
    say "FAIL: job $id did not complete with exit code 0:0"; ok=0
  fi
  if [ -n "$restarts" ] && [ "$runs" != "$restarts" ]; then
    say "FAIL: job $id was requeued $runs times, expected $restarts"; ok=0
  fi
done <<< "$records"

shown=()
set -- "${files[@]}"
while [ $# -gt 0 ]; do
  file=$workdir/${1//%j/$job} regex=$2; shift 2
  if [ ! -f "$file" ]; then
    say "FAIL: no output file $file"; ok=0; continue
  fi
  if [[ " ${shown[*]-} " != *" $file "* ]]; then
    echo "----- $file"; cat "$file"; echo "-----"
    shown+=("$file")
  fi
  grep -Eq -- "$regex" "$file" || { say "FAIL: $file does not match /$regex/"; ok=0; }
done
if [ $ok = 1 ]; then
  say "OK"
else
  echo "----- scontrol show job $job"
  scontrol show job "$job" || echo "$records"
  daemon_logs
  exit 1
fi
