#!/bin/bash
# in-local-slurm.sh DIR COMMAND [ARGS...] - run COMMAND as a client of the local Slurm cluster
# that slurm/start-local-slurm.sh started from DIR (the `slurm.start` fixture of tests/slurm).
# Drops the SLURM_*/SRUN_*/SBATCH_* variables ctest may have inherited (ctest run inside a job of
# a real cluster): srun would otherwise try to join that job on the local cluster.
set -euo pipefail
dir=$1; shift
if ! command -v srun >/dev/null || ! command -v munged >/dev/null; then
  echo "in-local-slurm: Slurm is not installed: run cmake/install-debian-deps.sh (as root;" \
       "it installs slurm-wlm and munge)" >&2
  exit 1
fi
if [ ! -f "$dir/env.sh" ]; then
  echo "in-local-slurm: no local Slurm in $dir (the slurm.start test starts it; see its output)" >&2
  exit 1
fi
for name in $(compgen -e); do
  case $name in SLURM_* | SRUN_* | SBATCH_* | SALLOC_*) unset "$name" ;; esac
done
# shellcheck source=/dev/null
source "$dir/env.sh"
export SLURM_LOCAL_DIR=$dir  # for diagnostics (submit-and-wait.sh prints the daemons' logs)
exec "$@"
