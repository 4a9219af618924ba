#!/usr/bin/env bash
# A bad flag given to a job of RANKS ranks: each rank refuses it before MPI is up, on one line
# of its own that names the rank (as its launcher numbered it) and the flag.
# Usage: bad_flag.sh RANKS LAUNCHER_AND_PROGRAM...
set -uo pipefail
ranks=$1
shift
out=$("$@" --num-cpus abc 2>&1)
code=$?
((code != 0)) || { echo "bad flag: the job exited 0"; exit 1; }
for ((rank = 0; rank < ranks; ++rank)); do
  grep -Eq "^manta: rank $rank: bad Manta option: .*--num-cpus = abc \(see --help\)$" <<<"$out" || {
    echo "bad flag: no line of rank $rank naming it:"
    echo "$out"
    exit 1
  }
done
echo "bad flag: each of $ranks ranks named"
