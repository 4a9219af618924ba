#!/bin/bash
# A stand-in trial for slurm/sweep_array.sbatch: prints where it runs and the arguments it got.
echo "print-args: array task $SLURM_ARRAY_TASK_ID rank $SLURM_PROCID in $PWD args: $*"
