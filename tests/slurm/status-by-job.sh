#!/bin/bash
# status-by-job.sh JOB_ID WORKDIR - submit-and-wait.sh's --while-running program for the test
# slurm.sbatch.cluster_tasks: asks `manta status --job JOB_ID` (MANTA_COMMAND), from another
# directory, until it shows the job's step 0 (the file rank 0 writes by default under Slurm,
# found through scontrol's WorkDir), then waits for the job to end and checks the last document
# says finished with the driver's 10000 tasks counted.
set -euo pipefail
job=$1 workdir=$2
cd /
deadline=$((SECONDS + 90))
seen=""
while ((SECONDS < deadline)); do
  if table=$("$MANTA_COMMAND" status --job "$job" 2>&1); then
    if [[ $table == "Manta job $job.0: "* ]]; then
      [[ -z $seen ]] && echo "status-by-job: seen: ${table%%$'\n'*}"
      seen=yes
      [[ $table == *"Manta job $job.0: finished"* ]] && break
    fi
  fi
  sleep 0.2
done
[[ -n $seen ]] || { echo "status-by-job: FAIL: manta status --job $job never showed the job: $table"; exit 1; }
[[ $table == *"Manta job $job.0: finished, 4 ranks"* ]] ||
  { echo "status-by-job: FAIL: the last document does not say finished: $table"; exit 1; }
grep -Eq "^ +0 +10000 +0 +0 .* where_am_i$" <<<"$table" ||
  { echo "status-by-job: FAIL: where_am_i is not counted 10000 times: $table"; exit 1; }
[[ -f $workdir/manta-status-$job.0.json ]] ||
  { echo "status-by-job: FAIL: no manta-status-$job.0.json in $workdir"; exit 1; }
echo "status-by-job: ok"
