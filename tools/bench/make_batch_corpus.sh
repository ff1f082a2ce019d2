#!/usr/bin/env bash
# Builds a batch benchmark input: COPIES copies of every ../shared/data/unpc_sc
# pdf/ document set (en, ar, es) and of the seed corpus (en, ar, zh), each
# copy under its own key. Files are symbolic links to the originals: nothing
# is copied, and every set is a real UN document as it comes from a PDF.
#   tools/bench/make_batch_corpus.sh OUT_DIR [COPIES=6]
# 6 copies: 6 × (182 + 1) = 1,098 sets, 25 MB of input.
set -euo pipefail
out=${1:?usage: make_batch_corpus.sh OUT_DIR [COPIES]}
copies=${2:-6}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
data=$(cd "$root/../shared/data/unpc_sc/pdf" && pwd)
seed=$root/corpora/libya-contact-group-2011
rm -rf "$out"
mkdir -p "$out"
for ((c = 1; c <= copies; ++c)); do
  dir=$out/copy$c
  mkdir -p "$dir"
  for f in "$data"/*.txt; do
    name=$(basename "$f")               # S_2000_1196.en.txt
    ln -s "$f" "$dir/${name%%.*}_c$c.${name#*.}"
  done
  mkdir -p "$dir/libya_c$c"
  for lang in en ar zh; do ln -s "$seed/$lang.txt" "$dir/libya_c$c/$lang.txt"; done
done
find -L "$out" -name '*.txt' -type f | wc -l | xargs printf '%s files in %s\n' >&2 "$out"
