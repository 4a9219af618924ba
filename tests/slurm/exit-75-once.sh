#!/bin/bash
# A stand-in for a checkpointing program under slurm/checkpoint_requeue.sbatch: on the job's first
# run it "writes its checkpoint" (the file the script names in MANTA_CHECKPOINT) and exits 75, as
# a Manta program will on SIGUSR1; on a later run (SLURM_RESTART_COUNT > 0) it exits 0.
run=${SLURM_RESTART_COUNT:-0}
echo "exit-75-once: rank $SLURM_PROCID run $run args: $*"
if [ "$run" -gt 0 ]; then
  exit 0
fi
[ "$SLURM_PROCID" = 0 ] && echo "checkpoint of run $run" > "$MANTA_CHECKPOINT"
exit 75
