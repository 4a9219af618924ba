#!/usr/bin/env bash
# Old build against new, in the same run: the core benchmarks on one rank and the distributed and
# control-latency ones on two, each round running one build then the other (alternating which
# goes first, so the machine's drift falls on both). Writes, per figure, the median over rounds
# of each build's median and the change, as JSON and a Markdown table.
#
#   perf/compare.sh OLD_BUILD_DIR NEW_BUILD_DIR [--rounds N] [--repetitions N] [--output STEM]
#
#   OLD_BUILD_DIR, NEW_BUILD_DIR  build directories holding perf/manta_perf_core,
#                  perf/manta_perf_distributed and perf/manta_perf_control_latency (build them
#                  as run.sh does: Release, targets of the same names)
#   --rounds N     old/new pairs (default 3)
#   --repetitions N  runs per figure within one program run, its median reported (default 3)
#   --only NAMES   only these figures of manta_perf_core (comma-separated), and not the two-rank
#                  programs: a closer look at figures that moved
#   --output STEM  writes STEM.json and STEM.md (default perf/results/compare)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n '2,18s/^# \{0,1\}//p' "$0"; }
rounds=3 repetitions=3 output=$root/perf/results/compare
only=()
positional=()
while (($#)); do
  case $1 in
    --rounds) rounds=${2:?--rounds needs a count} && shift ;;
    --repetitions) repetitions=${2:?--repetitions needs a count} && shift ;;
    --only) only=(--only "${2:?--only needs figure names}") && shift ;;
    --output) output=$(realpath -m "${2:?--output needs a path stem}") && shift ;;
    -h | --help) usage && exit 0 ;;
    -*) echo "compare.sh: unknown option '$1'" >&2 && usage >&2 && exit 2 ;;
    *) positional+=("$1") ;;
  esac
  shift
done
((${#positional[@]} == 2)) || { usage >&2 && exit 2; }
for count in "$rounds" "$repetitions"; do
  [[ $count =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: counts must be positive" >&2; exit 2; }
done
declare -A dirs=([old]=$(realpath "${positional[0]}") [new]=$(realpath "${positional[1]}"))
for side in old new; do
  for program in manta_perf_core manta_perf_distributed manta_perf_control_latency; do
    [[ -x ${dirs[$side]}/perf/$program ]] ||
      { echo "compare.sh: no ${dirs[$side]}/perf/$program (the $side build)" >&2; exit 2; }
  done
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
two_ranks=(env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
           mpirun -np 2 --oversubscribe --bind-to none)
started=$(date +%s)
load_before=$(cut -d' ' -f1 /proc/loadavg)

run_side() {
  local side=$1 round=$2 bin=${dirs[$1]}/perf
  echo "=== perf/compare.sh: round $round, $side build ($(($(date +%s) - started)) s)"
  timeout 1800 "$bin/manta_perf_core" --repetitions "$repetitions" "${only[@]}" \
    --output "$work/$side.core.$round.json" >>"$work/$side.log" 2>&1
  ((${#only[@]} == 0)) || return 0
  timeout 900 "${two_ranks[@]}" "$bin/manta_perf_distributed" --repetitions "$repetitions" \
    --output "$work/$side.distributed.$round.json" >>"$work/$side.log" 2>&1
  timeout 900 "${two_ranks[@]}" "$bin/manta_perf_control_latency" --repetitions "$repetitions" \
    --output "$work/$side.control_latency.$round.json" >>"$work/$side.log" 2>&1
}
for ((round = 1; round <= rounds; ++round)); do
  if ((round % 2)); then order=(old new); else order=(new old); fi
  for side in "${order[@]}"; do run_side "$side" "$round"; done
done

title="Old ${dirs[old]} against new ${dirs[new]}: median of $rounds rounds of the median of \
$repetitions runs, on $(hostname) ($(nproc) cores), $(date -u '+%Y-%m-%d %H:%M UTC'), load \
average $load_before before and $(cut -d' ' -f1 /proc/loadavg) after"
python3 - "$work" "$output" "$title" <<'PY'
import glob, json, os, statistics, sys
work, output, title = sys.argv[1:4]
figures = {}  # name -> {"unit", "better", "old": [..], "new": [..]}
for path in sorted(glob.glob(os.path.join(work, "*.*.*.json"))):
    side = os.path.basename(path).split(".")[0]
    entries = json.load(open(path))
    if isinstance(entries, dict):
        entries = entries.get("results", [])
    for entry in entries:
        unit = entry.get("unit")
        better = "lower" if unit in ("us", "ms", "s", "MB", "MiB") else "higher"
        figure = figures.setdefault(entry["name"], {"unit": unit, "better": better,
                                                    "old": [], "new": []})
        figure[side].append(entry["value"])
rows = []
for name, figure in figures.items():
    if not figure["old"] or not figure["new"]:
        continue
    old, new = statistics.median(figure["old"]), statistics.median(figure["new"])
    change = (new - old) / old if old else None
    # Positive: the new build is better, whichever way the figure counts.
    gain = None if change is None else (change if figure["better"] == "higher" else -change)
    spread = max(figure["old"] + figure["new"]) / min(figure["old"] + figure["new"]) - 1 \
        if min(figure["old"] + figure["new"]) > 0 else None
    rows.append({"name": name, "unit": figure["unit"], "better": figure["better"],
                 "old": old, "new": new, "change": change, "gain": gain, "old_runs": figure["old"],
                 "new_runs": figure["new"], "spread": spread})
json.dump({"title": title, "figures": rows}, open(output + ".json", "w"), indent=1)
with open(output + ".md", "w") as md:
    md.write(title + ".\n\n| figure | unit | old | new | change | new is | spread of all runs |\n")
    md.write("|---|---|---|---|---|---|---|\n")
    for row in rows:
        change = "" if row["change"] is None else f"{row['change'] * 100:+.1f}%"
        spread = "" if row["spread"] is None else f"{row['spread'] * 100:.0f}%"
        verdict = "" if row["gain"] is None else ("better" if row["gain"] > 0 else "worse")
        md.write(f"| {row['name']} | {row['unit']} | {row['old']:.4g} | {row['new']:.4g} | "
                 f"{change} | {verdict} | {spread} |\n")
print(open(output + ".md").read())
PY
echo "=== perf/compare.sh: wrote $output.json and $output.md ($(($(date +%s) - started)) s)"
