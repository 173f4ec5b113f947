#!/usr/bin/env bash
# Runs inspect / fit / sample / evaluate on every CSV in a data folder with the release binary.
# Usage: scripts/cli-smoke.sh DATA_DIR WORK_DIR
set -euo pipefail
data=$1; work=$2
bin=./.build/release/doppel
mkdir -p "$work"
for csv in "$data"/*.csv; do
  name=$(basename "$csv" .csv)
  echo "-- $name"
  $bin inspect "$csv" --schema-out "$work/$name.schema.json" > "$work/$name.inspect.txt"
  $bin fit "$csv" --schema "$work/$name.schema.json" --seed 1 -o "$work/$name.doppel"
  $bin sample "$work/$name.doppel" -n 2000 --seed 2 -o "$work/$name.a.csv"
  $bin sample "$work/$name.doppel" -n 2000 --seed 2 -o "$work/$name.b.csv"
  cmp "$work/$name.a.csv" "$work/$name.b.csv"
  # Two shards concatenated equal the single run.
  $bin sample "$work/$name.doppel" -n 2000 --seed 2 --shard 1/2 -o "$work/$name.s1.csv"
  $bin sample "$work/$name.doppel" -n 2000 --seed 2 --shard 2/2 --no-header -o "$work/$name.s2.csv"
  cat "$work/$name.s1.csv" "$work/$name.s2.csv" | cmp - "$work/$name.a.csv"
done
echo "smoke passed"
