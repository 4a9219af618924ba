#!/bin/bash
# A stand-in for a checkpointing program under slurm/checkpoint_requeue.sbatch: on the job's first
# run it "writes a checkpoint" into the directory the script exports as MANTA_CHECKPOINT_DIR and
# exits 75, as a Manta program does on SIGUSR1; on a later run (SLURM_RESTART_COUNT > 0) it
# shows what it finds in that directory (the same one: the job id is the same) and exits 0.
run=${SLURM_RESTART_COUNT:-0}
echo "exit-75-once: rank $SLURM_PROCID run $run args: $* (MANTA_CHECKPOINT_DIR=${MANTA_CHECKPOINT_DIR-unset})"
if [ "$run" -gt 0 ]; then
  echo "exit-75-once: rank $SLURM_PROCID run $run found: $(cat "$MANTA_CHECKPOINT_DIR/checkpoint-1.h5" 2>&1)"
  exit 0
fi
if [ "$SLURM_PROCID" = 0 ]; then
  mkdir -p "$MANTA_CHECKPOINT_DIR" && echo "checkpoint of run $run" > "$MANTA_CHECKPOINT_DIR/checkpoint-1.h5"
fi
exit 75
