#!/usr/bin/env bash
# Watches a running job from outside, as its user would at 3 a.m.: `manta status` on the status
# file shows the job running, with the task stuck on the last rank (its rank, thread and a
# growing age); the status page answers on 127.0.0.1 and on no other address; the file can be
# read whenever the job rewrites it. Then, per MODE:
#   finish  the stuck task is released: the last document says finished, nothing runs, the
#           counts add up, and the page is gone;
#   fail    the driver throws when released: the last document says failed, with its error;
#   kill    the job is killed (SIGKILL): it says nothing more, and `manta status` warns that the
#           document stopped being updated.
# Usage: check.sh MODE RANKS MANTA STATUS_JOB LAUNCHER... (the launcher words, none for 1 rank)
set -euo pipefail
mode=$1
ranks=$2
manta=$3
program=$4
shift 4
dir=$(mktemp -d)
job=
cleanup() {
  [[ -n $job ]] && kill -9 "$job" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
file=$dir/status.json
release=$dir/release
fail() {
  echo "status check ($mode): $*" >&2
  echo "--- the job's output:" >&2
  cat "$dir/out" >&2 || true
  echo "--- the status file:" >&2
  cat "$file" >&2 || true
  exit 1
}
# Answers `GET path` from 127.0.0.1:port on stdout, or fails.
http_get() {
  local port=$1 path=$2
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3
  cat <&3
  exec 3<&-
}
# Whether anything accepts a connection on address:port.
answers() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

extra=()
[[ $mode == fail ]] && extra=(fail)
"$@" "$program" "$release" "${extra[@]}" --status-file "$file" --status-port 0 \
  --status-interval 0.2 >"$dir/out" 2>&1 &
job=$!

# 1. The stuck task appears, on the last rank, with its thread and age.
last=$((ranks - 1))
stuck_line="^ +$last +worker [0-9]+ +[0-9.]+ (µs|ms|s) +0 +stuck_until_released$"
for ((i = 0; i < 600; ++i)); do
  if [[ -s $file ]] && "$manta" status "$file" >"$dir/table" 2>&1 &&
    grep -Eq "$stuck_line" "$dir/table"; then
    break
  fi
  kill -0 "$job" 2>/dev/null || fail "the job ended before its stuck task was listed"
  sleep 0.1
done
grep -Eq "$stuck_line" "$dir/table" || fail "no stuck task listed on rank $last within 60 s"
grep -q "^Manta job: running, $ranks ranks\? on 1 node" "$dir/table" ||
  fail "the header does not say running on $ranks ranks: $(head -1 "$dir/table")"
grep -Eq "^ +0 +40 +0 +0 +[0-9.]+ (µs|ms) +[0-9.]+ (µs|ms) +status_counted$" "$dir/table" ||
  fail "status_counted is not listed with its 40 finished runs"

# 2. The page answers on 127.0.0.1 only.
port=$("$manta" status --json "$file" | sed -n 's|.*"page": "http://127.0.0.1:\([0-9]*\)/".*|\1|p')
[[ -n $port ]] || fail "the status names no page on 127.0.0.1"
http_get "$port" / | grep -q "stuck_until_released" || fail "the page does not list the stuck task"
http_get "$port" /status.json | grep -q '"format": "manta-status"' ||
  fail "the page does not serve the document at /status.json"
answers 127.0.0.2 "$port" && fail "the page answers on 127.0.0.2: it must listen on 127.0.0.1 only"
if command -v hostname >/dev/null; then
  for address in $(hostname -I 2>/dev/null || true); do
    [[ $address == *:* ]] && continue
    answers "$address" "$port" && fail "the page answers on $address"
  done
fi

# 3. The file is whole whenever it is read, while the job rewrites it 5 times a second.
for ((i = 0; i < 50; ++i)); do
  "$manta" status --json "$file" >/dev/null || fail "the status file was unreadable once"
  sleep 0.02
done
"$manta" status "$file" >"$dir/table"
age=$(grep -E "$stuck_line" "$dir/table" | awk '{print $4, $5}')
[[ $age == *" s" ]] && awk -v seconds="${age%% *}" 'BEGIN { exit !(seconds >= 1) }' ||
  fail "the stuck task's age did not grow past 1 s: $age"

case $mode in
  finish)
    touch "$release"
    wait "$job" || fail "the job failed"
    job=
    "$manta" status "$file" >"$dir/final"
    grep -q "^Manta job: finished, $ranks ranks\?" "$dir/final" || fail "the last document does not say finished"
    grep -q "^Running: nothing$" "$dir/final" || fail "the last document lists running work"
    grep -Eq "^ +0 +1 +0 +0 .* stuck_until_released$" "$dir/final" ||
      fail "the released task is not counted as finished"
    grep -q "status page" "$dir/final" && fail "the last document still names a page"
    answers 127.0.0.1 "$port" && fail "the page still answers after the job ended"
    ;;
  fail)
    touch "$release"
    if wait "$job"; then fail "the job did not fail"; fi
    job=
    "$manta" status "$file" >"$dir/final"
    grep -q "^Manta job: failed" "$dir/final" || fail "the last document does not say failed"
    grep -q "error: the driver failed: planned failure while a task is stuck" "$dir/final" ||
      fail "the last document does not give the driver's error"
    ;;
  kill)
    pkill -9 -P "$job" 2>/dev/null || true  # the ranks (children of the launcher), then it
    kill -9 "$job"
    wait "$job" 2>/dev/null || true
    job=
    sleep 6.5  # 3 missed rounds of 0.2 s, and the 5 s of grace
    "$manta" status "$file" >"$dir/final"
    grep -q "^Manta job: running" "$dir/final" || fail "a killed job's document changed"
    grep -q "warning: no update for" "$dir/final" ||
      fail "manta status does not warn that the document stopped being updated"
    ;;
  *) fail "unknown mode $mode" ;;
esac
echo "status ok ($mode): $ranks ranks"
