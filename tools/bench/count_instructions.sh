#!/usr/bin/env bash
# Instructions a command executes, counted by valgrind's callgrind: the same
# count on every run whatever else the machine does, so a step of a few
# percent shows where wall and CPU times on a shared VM vary by 10-15%
# between runs of one binary. Counts are not times (cache misses and the
# like cost nothing here); use them for CPU-bound code such as the aligner,
# and time I/O- and memory-bound work (the TMX import) with bench_import.sh.
#
#   tools/bench/count_instructions.sh [--top N] -- COMMAND [ARGS...]
#
# Prints the total and the N functions (default 12) with the most
# instructions, their callees included. For two builds, run it once with
# each and compare the totals, e.g.
#   tools/bench/count_instructions.sh -- build/release/tools/bench/bench_sets ../shared/data/unpc_sc/pdf --runs 1
set -euo pipefail
top=12
while [[ $# -gt 0 ]]; do
  case $1 in
    --top) top=${2:?--top needs a number}; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "count_instructions.sh: unknown option $1 (put the command after --)" >&2; exit 2 ;;
  esac
done
[[ $# -gt 0 ]] || { echo "usage: count_instructions.sh [--top N] -- COMMAND [ARGS...]" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "count_instructions.sh: valgrind not found: install the Debian package valgrind" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$work/out" --log-file="$work/log" "$@" >"$work/stdout" 2>"$work/stderr" ||
  { echo "count_instructions.sh: the command failed (its error output follows):" >&2; tail -5 "$work/stderr" >&2; exit 1; }
total=$(grep -o 'Collected : [0-9]*' "$work/log" | grep -o '[0-9]*$')
printf 'instructions: %s (%s)\n' "$total" "$*"
# One awk reads the whole report and keeps the first rows itself: a `head`
# would end the pipe early, and pipefail would turn that SIGPIPE into exit 141.
callgrind_annotate --inclusive=yes "$work/out" >"$work/report"
awk -v top="$top" '
  /^-+$/ { dashes++; next }
  dashes < 4 || NF == 0 || /PROGRAM TOTALS|ld-linux|libc-start|below main|:main \[|^Ir / { next }
  shown < top { print substr($0, 1, 160); shown++ }' "$work/report"
