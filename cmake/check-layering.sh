#!/usr/bin/env bash
# Checks that includes point down the layers only (STYLE.md rule 4, src/README.md):
#   api -> core -> {store, transport, resources, checkpoint, process, status}; checkpoint ->
#   {store, transport}; store -> transport; everything -> util.
# and that each system library is reached through the one layer that wraps it:
#   <mpi.h> in transport (and checkpoint, whose parallel HDF5 takes a communicator);
#   <ucp/…>, <ucs/…>, <uct/…> in transport; <hdf5.h>, <H5…> in checkpoint; <Kokkos…> in resources.
# The layers below core see of the public tree only its vocabulary (errors, serialization, the
# HDF5 array hooks), never the API built on them. Public headers include no src/ header and no
# MPI, UCX or HDF5 header. tune (Manta::tune) and rl (Manta::rl) sit above the public API, as a
# user's program does: each includes its own files and the public <manta/…> headers only (not
# their detail/ glue), and no layer includes them.
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
  [status]="util"
  [core]="util store transport resources checkpoint process status"
  [api]="util core store transport resources checkpoint process status"
  [tune]=""
  [rl]=""
)
# The system headers each layer may include directly, as extended regular expressions.
declare -A libraries=(
  [transport]='mpi\.h|ucp/|ucs/|uct/'
  [checkpoint]='mpi\.h|hdf5\.h|H5'
  [resources]='Kokkos'
)
wrapped_libraries='mpi\.h|ucp/|ucs/|uct/|hdf5\.h|H5[A-Za-z]*\.h|Kokkos'
vocabulary='manta/(error\.hpp|detail/(serialization|input_archive|h5_array_hooks|public_header)\.hpp)'
lower_layers=" util transport process resources store checkpoint status "
status=0
complain() {
  echo "layering: $1"
  status=1
}
for layer in "${!allowed[@]}"; do
  dir="$root/src/$layer"
  [[ -d $dir ]] || continue
  while IFS= read -r line; do
    file=${line%%:*}
    [[ $line =~ \#include\ \"([a-z_]+)/ ]] && target=${BASH_REMATCH[1]}
    [[ $target == "$layer" ]] && continue
    if [[ " ${allowed[$layer]} " != *" $target "* ]]; then
      complain "$file includes $target/, but $layer may only include: ${allowed[$layer]:-nothing}"
    fi
  done < <(grep -HE '^#include "[a-z_]+/' -r "$dir" || true)
  while IFS= read -r line; do
    file=${line%%:*}
    [[ $line =~ \#include\ \<([^>]+)\> ]] && header=${BASH_REMATCH[1]}
    own=${libraries[$layer]:-}
    if [[ -z $own || ! $header =~ ^($own) ]]; then
      complain "$file includes <$header>, which only the layer that wraps that library may include"
    fi
  done < <(grep -HE "^#include <($wrapped_libraries)" -r "$dir" || true)
  if [[ $lower_layers == *" $layer "* ]]; then
    while IFS= read -r line; do
      file=${line%%:*}
      [[ $line =~ \#include\ \<([^>]+)\> ]] && header=${BASH_REMATCH[1]}
      [[ $header =~ ^($vocabulary)$ ]] && continue
      complain "$file includes <$header>, but below core only errors and serialization of the public headers may be included"
    done < <(grep -HE '^#include <manta/' -r "$dir" || true)
  fi
done
# The libraries above the public API (tune, rl) use it as an outside program would.
for layer in tune rl; do
  [[ -d $root/src/$layer ]] || continue
  while IFS= read -r line; do
    complain "${line%%:*} includes a detail/ header, but $layer may only use the public API"
  done < <(grep -HE '^#include <manta/detail/' -r "$root/src/$layer" || true)
done
if grep -rnE '^#include "(util|transport|resources|store|checkpoint|status|core|api|process|tune|rl)/' "$root/include"; then
  complain "public headers must not include src/ headers"
fi
if grep -rnE '^#include <(mpi\.h|ucp/|ucs/|uct/|hdf5\.h|H5[A-Za-z]*\.h)' "$root/include"; then
  complain "public headers must not include MPI, UCX or HDF5 headers"
fi
exit $status
