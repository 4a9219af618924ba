#!/usr/bin/env bash
# Runs manta_store_memory under mpirun and checks that the job, however it ended, left nothing
# behind: no new file in /dev/shm, no more space used there than before (within 16 MiB: other
# processes of the machine), no new System V segment. UCX_ALLOC_PRIO asks for UCX's POSIX path
# first, which once wrote a whole store into /dev/shm at start and left it there when the job
# was killed: Manta's store must not take it.
# Usage: store_leaves_nothing.sh MPIEXEC... -- PROGRAM MODE RANKS
set -uo pipefail
mpiexec=()
while [[ $1 != -- ]]; do mpiexec+=("$1"); shift; done
shift
program=$1 mode=$2 ranks=$3
used() { df --output=used -B1 /dev/shm | tail -1; }
segments() { ipcs -m | awk '$1 ~ /^0x/ {print $2}' | sort; }
files_before=$(ls -A /dev/shm | sort)
segments_before=$(segments)
used_before=$(used)
UCX_ALLOC_PRIO=md:posix,md:sysv,huge,thp,md:*,mmap,heap \
  "${mpiexec[@]}" -np "$ranks" "$program" "$mode" --num-cpus 1
status=$?
echo "store_leaves_nothing: $mode on $ranks rank(s) ended with status $status"
sleep 1  # the kernel frees a killed process's files as its last mapping goes
new_files=$(comm -13 <(echo "$files_before") <(ls -A /dev/shm | sort))
if [[ -n $new_files ]]; then
  echo "store_leaves_nothing: left in /dev/shm:"
  (cd /dev/shm && ls -l $new_files)
  exit 1
fi
new_segments=$(comm -13 <(echo "$segments_before") <(segments))
if [[ -n $new_segments ]]; then
  echo "store_leaves_nothing: System V segments left:"
  ipcs -m
  exit 1
fi
grown=$(($(used) - used_before))
if ((grown > 16 << 20)); then
  echo "store_leaves_nothing: /dev/shm holds $((grown >> 20)) MiB more than before the job"
  exit 1
fi
case $mode in
  exit) ((status == 0)) || exit 1 ;;
  *) ((status != 0)) || { echo "store_leaves_nothing: the job did not fail"; exit 1; } ;;
esac
echo "store_leaves_nothing: /dev/shm as before"
