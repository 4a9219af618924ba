#!/bin/bash
# skip-without-slurm.sh COMMAND [ARGS...] - run COMMAND, or skip the test (exit 77, with a line
# ctest's SKIP_REGULAR_EXPRESSION of the `slurm` tests matches) when Slurm or munge is not
# installed. Where they are (CI installs them with cmake/install-debian-deps.sh), COMMAND runs and
# its failures are the test's.
#   MANTA_SLURM_SEARCH_PATH  where to look for the programs (default: $PATH, /usr/sbin, /sbin)
set -euo pipefail
search=${MANTA_SLURM_SEARCH_PATH:-$PATH:/usr/sbin:/sbin}
for tool in slurmctld slurmd munged srun sbatch squeue scontrol; do
  if ! PATH=$search command -v "$tool" >/dev/null; then
    echo "skipped: $tool not found: Slurm is not installed here (cmake/install-debian-deps.sh" \
         "installs slurm-wlm and munge, as root)"
    exit 77
  fi
done
exec "$@"
