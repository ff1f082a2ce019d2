#!/usr/bin/env bash
# Batch throughput: untm batch on a generated corpus (make_batch_corpus.sh)
# with 1 and 2 jobs, RUNS runs each into a fresh TM; prints the median wall
# time, sets/s, MB/s of input in all and per job, MB per second of CPU time
# (user + system, every thread: a batch runs a writer thread beside its
# jobs, so "per job" is not "per core"), and peak memory (RSS).
# A second corpus of half the copies shows whether memory grows with the
# batch size.
#   tools/bench/bench_batch.sh [UNTM] [RUNS=3] [COPIES=6]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
untm=${1:-$root/build/release/tools/untm}
runs=${2:-3}
copies=${3:-6}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/tools/bench/make_batch_corpus.sh" "$work/in" "$copies"
"$root/tools/bench/make_batch_corpus.sh" "$work/half" $(( (copies + 1) / 2 ))
bytes() { find -L "$1" -name '*.txt' -type f -printf '%s\n' | awk '{ s += $1 } END { print s }'; }

measure() {  # measure DIR JOBS → "seconds peak_kib sets cpu_seconds"
  local dir=$1 jobs=$2 times=() peaks=() cpus=() sets=0
  for ((r = 0; r < runs; ++r)); do
    rm -f "$work/tm.sqlite"*
    /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$untm" batch "$dir" --db "$work/tm.sqlite" --jobs "$jobs" --quiet \
      --json >"$work/summary.json"
    read -r t m u s <"$work/time"
    times+=("$t"); peaks+=("$m"); cpus+=("$(python3 -c "print($u + $s)")")
    sets=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sets"])' "$work/summary.json")
  done
  printf '%s %s %s %s\n' "$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(( (runs + 1) / 2 ))p")" \
    "$(printf '%s\n' "${peaks[@]}" | sort -g | sed -n "$(( (runs + 1) / 2 ))p")" "$sets" \
    "$(printf '%s\n' "${cpus[@]}" | sort -g | sed -n "$(( (runs + 1) / 2 ))p")"
}

printf '%-8s %5s %6s %9s %8s %10s %12s %10s %10s\n' corpus jobs sets "median s" "sets/s" "MB/s" "MB/s per job" "MB/CPU-s" \
  "peak MiB"
for corpus in in half; do
  mb=$(python3 -c "print($(bytes "$work/$corpus") / 1e6)")
  for jobs in 1 2; do
    read -r secs peak sets cpu < <(measure "$work/$corpus" "$jobs")
    python3 - "$corpus" "$jobs" "$sets" "$secs" "$mb" "$peak" "$cpu" <<'PY'
import sys
corpus, jobs, sets, secs, mb, peak, cpu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
print(f"{corpus:<8} {jobs:>5} {sets:>6} {secs:>9.2f} {sets / secs:>8.1f} {mb / secs:>10.2f} {mb / secs / jobs:>12.2f} {mb / cpu:>10.2f} {peak / 1024:>10.1f}")
PY
  done
done
echo "input: $(python3 -c "print(round($(bytes "$work/in") / 1e6, 1))") MB ('in'), $(nproc) cores, $untm" >&2
