#!/usr/bin/env bash
# Builds and runs Manta's benchmark suite, one rank and two under mpirun, and merges every
# figure with its same-run baseline into perf/results/latest.{json,md}.
#
#   perf/run.sh [--quick] [--build-dir DIR] [--repeat N]
#
#   --quick        smoke run of seconds (one repetition, tiny counts) for CI; writes
#                  perf/results/quick.{json,md}, never the recorded latest.*
#   --build-dir    build directory (default: build-perf in the repository); configured as
#                  Release without tests and apps when it has no CMakeCache.txt; then only
#                  the benchmark targets are built (a no-op when they are up to date)
#   --repeat N     repetitions of each figure, the median reported (default 5)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$root/build-perf
repeat=5
quick=()
usage() { sed -n '2,13s/^# \{0,1\}//p' "$0"; }
while (($#)); do
  case $1 in
    --quick) quick=(--quick) ;;
    --build-dir) build_dir=$(realpath -m "${2:?--build-dir needs a directory}") && shift ;;
    --repeat) repeat=${2:?--repeat needs a count} && shift ;;
    -h | --help) usage && exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2 && usage >&2 && exit 2 ;;
  esac
  shift
done
[[ $repeat =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --repeat takes a positive count" >&2; exit 2; }
if ((${#quick[@]})); then
  repeat=1 name=quick limit=120
else
  name=latest limit=1800
fi

targets=(manta_perf_core manta_perf_distributed manta_perf_control_latency manta_perf_ucx_get
         manta_perf_checkpoint manta_perf_report)
if [[ ! -f $build_dir/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DMANTA_BUILD_TESTS=OFF \
    -DMANTA_BUILD_APPS=OFF
fi
cmake --build "$build_dir" -j2 --target "${targets[@]}"
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
bin=$build_dir/perf

# The machines are shared and noisy: the load before and after goes into the results' title.
load_before=$(cut -d' ' -f1 /proc/loadavg)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$(date +%s)

# Runs one program with a time limit; its JSON goes to $work/<label>.json.
run() {
  local label=$1
  shift
  echo "=== perf/run.sh: $label ($(($(date +%s) - started)) s)"
  timeout "$limit" "$@" --repetitions "$repeat" "${quick[@]}" --output "$work/$label.json"
}
two_ranks=(env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
           mpirun -np 2 --oversubscribe --bind-to none)

run core "$bin/manta_perf_core"
# Peak memory is a process's high-water mark: each repetition of the queued tasks runs in a
# process of its own, and the report takes the median over those processes.
for ((i = 1; i <= repeat; ++i)); do
  (repeat=1 && run "queued_tasks_$i" "$bin/manta_perf_core" --only queued_tasks_1m)
  (repeat=1 && run "thread_pool_queued_$i" "$bin/manta_perf_core" --only thread_pool_queued_1m)
done
# The tutorial runs its eight retrievals on eight CPU slots, as apps/tutorial is run.
run tutorial "$bin/manta_perf_core" --only tutorial_parallel_runtime,thread_parallel_runtime \
  --num-cpus 8
# fib(25) by nested tasks, in a process of its own: the thread count it reports is its own.
run nested_fib "$bin/manta_perf_core" --only nested_fib_25,sequential_fib_25
run spill "$bin/manta_perf_core" \
  --only spill_put_gigabytes,spill_get_gigabytes,file_write_fsync_100mb,file_read_100mb \
  --object-store-memory 64M
# The timeline's cost: the same task and actor figures with and without --timeline, each in
# processes of its own, interleaved so that drift in the machine's load hits both alike.
timeline_figures=single_client_tasks_async,single_client_tasks_sync,1_1_actor_calls_async
timeline_figures+=,1_1_actor_calls_sync
for ((i = 1; i <= repeat; ++i)); do
  (repeat=1 && run "timeline_off_$i" "$bin/manta_perf_core" --only "$timeline_figures" \
    --variant timeline_off)
  (repeat=1 && run "timeline_on_$i" "$bin/manta_perf_core" --only "$timeline_figures" \
    --variant timeline_on --versus timeline_off --timeline "$work/trace_$i.json")
done
run control_latency "${two_ranks[@]}" "$bin/manta_perf_control_latency"
run ucx_get "${two_ranks[@]}" "$bin/manta_perf_ucx_get"
run distributed "${two_ranks[@]}" "$bin/manta_perf_distributed"
run checkpoint "$bin/checkpoint/manta_perf_checkpoint"

mkdir -p "$root/perf/results"
title="Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(hostname) ($(nproc) cores), commit \
$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)\
$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' with uncommitted changes'), $build_type build, \
median of $repeat repetition(s), load average $load_before before and \
$(cut -d' ' -f1 /proc/loadavg) after${quick:+; smoke run (--quick): tiny counts, not measurements}."
"$bin/manta_perf_report" --json "$root/perf/results/$name.json" \
  --markdown "$root/perf/results/$name.md" --title "$title" \
  --reference "$root/perf/report/ray_microbenchmark.json" "$work"/core.json \
  "$work"/queued_tasks_*.json "$work"/thread_pool_queued_*.json "$work"/tutorial.json \
  "$work"/nested_fib.json "$work"/spill.json "$work"/timeline_o*_*.json \
  "$work"/distributed.json "$work"/control_latency.json "$work"/ucx_get.json \
  "$work"/checkpoint.json
cat "$root/perf/results/$name.md"
echo "=== perf/run.sh: wrote perf/results/$name.json and $name.md ($(($(date +%s) - started)) s)"
