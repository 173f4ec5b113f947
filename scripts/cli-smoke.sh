#!/usr/bin/env bash
# Runs inspect / fit / sample (+ shards), scan / deid, partial / rebalance / mix on every CSV in a data
# folder with the release binary; every run is repeated where it must be deterministic and compared.
# Usage: scripts/cli-smoke.sh DATA_DIR WORK_DIR
set -euo pipefail
data=$1; work=$2
bin=./.build/release/doppel
mkdir -p "$work"
rm -f "$work/site.key"
$bin keygen -o "$work/site.key" 2> /dev/null
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
  # Identifier scan and de-identification (same key: byte-identical output).
  $bin scan "$csv" -o "$work/$name.scan.json" > "$work/$name.scan.txt"
  $bin deid "$csv" --key-file "$work/site.key" -o "$work/$name.deid.csv" --audit "$work/$name.audit.json" > /dev/null 2>&1
  $bin deid "$csv" --key-file "$work/site.key" -o "$work/$name.deid2.csv" > /dev/null 2>&1
  cmp "$work/$name.deid.csv" "$work/$name.deid2.csv"
  # Partial synthesis, rebalancing and a hybrid mix on a categorical column of each table.
  case $name in
    covid_testing_chop) col=gender; sens=result; value=female ;;
    gbsg_lymph_node_dates) col=grade; sens=nodes; value=3 ;;
    heart_disease_uci) col=sex; sens=chol; value=Female ;;
    pbc_mayo) col=sex; sens=stage; value=m ;;
    support2) col=sex; sens=income; value=female ;;
    thyroid0387) col=sex; sens=TSH; value=M ;;
    *) col=; sens=; value= ;;
  esac
  if [ -n "$col" ]; then
    $bin partial "$csv" --synthesize "$sens" --model "$work/$name.doppel" --seed 3 -o "$work/$name.partial.csv" 2> /dev/null
    $bin rebalance "$csv" --model "$work/$name.doppel" --column "$col" --to uniform --provenance-column source -o "$work/$name.balanced.csv" > /dev/null 2>&1
    $bin mix --real "$csv" --synthetic "$work/$name.a.csv" --synthetic-share 0.3 --rows 400 --seed 4 -o "$work/$name.mix.csv" 2> /dev/null
    test "$(wc -l < "$work/$name.mix.csv")" -eq 401
    # The other synthesizers: fit, save, load, sample twice (identical), sample with a condition.
    for spec in "bayesian-network" "cart" "bayesian-network --epsilon 1" "mst --epsilon 1 --delta 1e-9" "aim --epsilon 3" \
                "tvae --epochs 3" "tvae --epochs 2 --epsilon 3 --delta 1e-6" "ctgan --epochs 3" "ctgan --epochs 2 --epsilon 3 --delta 1e-6"; do
      tag=$(echo "$spec" | tr -c 'a-z0-9\n' '_')
      $bin fit "$csv" --schema "$work/$name.schema.json" --synthesizer $spec --seed 1 -o "$work/$name.$tag.doppel" 2> /dev/null
      $bin sample "$work/$name.$tag.doppel" -n 1000 --seed 2 -o "$work/$name.$tag.a.csv" 2> /dev/null
      $bin sample "$work/$name.$tag.doppel" -n 1000 --seed 2 -o "$work/$name.$tag.b.csv" 2> /dev/null
      cmp "$work/$name.$tag.a.csv" "$work/$name.$tag.b.csv"
      $bin sample "$work/$name.$tag.doppel" -n 500 --seed 3 --where "$col=$value" -o "$work/$name.$tag.where.csv" 2> /dev/null
      test "$(wc -l < "$work/$name.$tag.where.csv")" -eq 501
    done
  fi
done
echo "smoke passed"
