#!/usr/bin/env bash
# TMX import speed: `untm import FILE.tmx` into a new TM, RUNS times, and the
# median wall time, user and system CPU and peak memory. With a second
# binary (a baseline build), the runs of the two alternate, so both see the
# same machine state: timings on a shared VM drift by 10% within an hour.
# As root, the page cache is dropped before every run (otherwise runs read a
# warm file; the script says so).
#   tools/bench/bench_import.sh FILE.tmx [RUNS=3] [UNTM] [BASELINE_UNTM]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmx=${1:?usage: bench_import.sh FILE.tmx [RUNS=3] [UNTM] [BASELINE_UNTM]}
runs=${2:-3}
untm=${3:-$root/build/release/tools/untm}
baseline=${4:-}
[[ -f $tmx ]] || { echo "bench_import.sh: $tmx: no such file" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

drop_cache() {
  sync
  if [[ $(id -u) == 0 ]]; then echo 3 >/proc/sys/vm/drop_caches; fi
}

declare -A results
run_one() {  # run_one NAME BINARY
  rm -f "$work/tm.db"*
  drop_cache
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$2" import "$tmx" --db "$work/tm.db" --quiet >/dev/null
  results[$1]+="$(cat "$work/time")"$'\n'
}

for ((r = 0; r < runs; ++r)); do
  run_one new "$untm"
  if [[ -n $baseline ]]; then run_one baseline "$baseline"; fi
done

median() { sort -g | sed -n "$(( (runs + 1) / 2 ))p"; }
report() {  # report NAME BINARY
  local rows=${results[$1]}
  local wall user sys rss
  wall=$(cut -d' ' -f1 <<<"$rows" | grep . | median)
  user=$(cut -d' ' -f2 <<<"$rows" | grep . | median)
  sys=$(cut -d' ' -f3 <<<"$rows" | grep . | median)
  rss=$(cut -d' ' -f4 <<<"$rows" | grep . | median)
  printf '%-9s median %6.2f s  user %6.2f s  sys %5.2f s  peak %5.0f MiB  runs: %s  (%s)\n' "$1" "$wall" "$user" "$sys" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$(cut -d' ' -f1 <<<"$rows" | grep . | paste -sd' ')" "$2"
}
echo "input: $tmx ($(stat -c %s "$tmx") bytes), $runs runs each, $(nproc) cores"
[[ $(id -u) == 0 ]] || echo "not root: the page cache was not dropped between runs"
report new "$untm"
if [[ -n $baseline ]]; then report baseline "$baseline"; fi
