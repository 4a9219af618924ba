#!/usr/bin/env bash
# Four iterations checkpointed at the fourth, then a rerun with --resume that must carry on at
# the fifth. Usage: resume_test.sh <rl_farm> <checkpoint directory>
set -euo pipefail
farm=$1
directory=$2
rm -rf "$directory"
partial=(--noise-size 1000000 --target-return 1000 --eval-episodes 10 --checkpoint "$directory"
  --checkpoint-every 4)
"$farm" "${partial[@]}" --max-iterations 4
"$farm" "${partial[@]}" --resume --max-iterations 5
