#!/usr/bin/env bash
# One machine, GNU parallel: SHARDS shard processes of `untm batch`, each into
# its own TM, then `untm merge` into TM. (`untm batch --jobs N` already uses
# every core of one machine; this recipe is for when you want separate
# processes, e.g. to cap memory per process or to restart one shard alone.)
#   tools/cluster/parallel_batch.sh DIR TM [SHARDS=number of cores]
# Needs GNU parallel (Debian: apt-get install parallel). UNTM=path/to/untm
# if untm is not on PATH. Re-running resumes: every shard skips what it stored.
set -uo pipefail
dir=${1:?usage: parallel_batch.sh DIR TM [SHARDS]}
tm=${2:?usage: parallel_batch.sh DIR TM [SHARDS]}
shards=${3:-$(nproc)}
untm=${UNTM:-untm}
work=${tm%.sqlite}.shards
mkdir -p "$work"
# --halt never: one failing shard does not stop the others; the merge takes
# what every shard stored, and the exit code tells that one failed.
parallel --halt never --line-buffer --tag \
  "$untm" batch "$dir" --db "$work/shard{}.sqlite" --shard "{}/$shards" --jobs 1 \
  --report "$work/shard{}.json" ::: $(seq 1 "$shards")
status=$?
"$untm" merge "$work"/shard*.sqlite --into "$tm" || exit $?
echo "merged $shards shards into $tm (per-shard reports: $work/shard*.json)" >&2
exit $status
