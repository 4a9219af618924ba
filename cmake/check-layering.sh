#!/usr/bin/env bash
# Checks that includes point down the layers only (STYLE.md rule 4):
#   api -> core -> {store, transport, resources, checkpoint, process}; checkpoint -> {store, transport};
#   store -> transport; everything -> util. Public headers (include/manta) include no src/ header.
# Usage: check-layering.sh <source dir>. Prints each offending include; exits 1 if there is one.
set -euo pipefail
root=${1:-.}
declare -A allowed=(
  [util]=""
  [transport]="util"
  [process]="util"
  [resources]="util"
  [store]="util transport"
  [checkpoint]="util store transport"
  [core]="util store transport resources checkpoint process"
  [api]="util core store transport resources checkpoint process"
)
status=0
for layer in "${!allowed[@]}"; do
  dir="$root/src/$layer"
  [[ -d $dir ]] || continue
  while IFS= read -r line; do
    file=${line%%:*}
    target=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$line")
    [[ $target == "$layer" ]] && continue
    if [[ " ${allowed[$layer]} " != *" $target "* ]]; then
      echo "layering: $file includes $target/, but $layer may only include: ${allowed[$layer]:-nothing}"
      status=1
    fi
  done < <(grep -HE '^#include "[a-z_]+/' -r "$dir" || true)
done
if grep -rnE '^#include "(util|transport|resources|store|checkpoint|core|api|process)/' "$root/include"; then
  echo "layering: public headers must not include src/ headers"
  status=1
fi
exit $status
