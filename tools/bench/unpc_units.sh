#!/usr/bin/env bash
# Aligns every document of ../shared/data/unpc_sc (en, ar, es in one call
# each) with `untm align` and scores the units with `untm eval --units`.
#   tools/bench/unpc_units.sh [pdf|clean] [UNTM]
set -euo pipefail
layout=${1:-pdf}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
untm=${2:-$root/build/release/tools/untm}
data=$root/../shared/data/unpc_sc
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf 'key\tparagraph\tconfidence\ten\tar\tes\n' >"$out/units.tsv"
for en in "$data/$layout"/*.en.txt; do
  key=$(basename "$en" .en.txt)
  "$untm" align "$en" "$data/$layout/$key.ar.txt" "$data/$layout/$key.es.txt" 2>/dev/null | tail -n +2 >>"$out/units.tsv"
done
"$untm" eval --units "$out/units.tsv" --gold "$data/gold.tsv"
