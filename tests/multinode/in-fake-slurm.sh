#!/usr/bin/env bash
# in-fake-slurm.sh COMMAND [ARGS...] - on node1 of fake-nodes.sh's nodes: start the project's local
# Slurm with one slurmd per fake node (slurm/start-local-slurm.sh, SLURM_LOCAL_FAKE_NODES=1), run
# COMMAND as its client (srun, sbatch, ...) and exit with COMMAND's status. The daemons are not
# stopped: they end with the nodes (fake-nodes.sh run tears them down after this returns).
#   fake-nodes.sh run -- in-fake-slurm.sh srun -N 2 --ntasks-per-node=2 --mpi=pmix PROGRAM
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# A job of a real cluster that runs ctest leaves SLURM_* variables: srun would join that job.
for name in $(compgen -e); do
  case $name in SLURM_* | SRUN_* | SBATCH_* | SALLOC_*) unset "$name" ;; esac
done
SLURM_LOCAL_FAKE_NODES=1 SLURM_LOCAL_CPUS=${SLURM_LOCAL_CPUS:-4} \
  "$here/../../slurm/start-local-slurm.sh"
# shellcheck source=/dev/null
source "$MANTA_FAKE_NODES/slurm/env.sh"
exec "$@"
