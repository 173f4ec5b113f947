#!/usr/bin/env python3
"""Benchmark SDV's GaussianCopulaSynthesizer: fit on a CSV, sample N rows, write them as CSV.

Usage: python scripts/sdv_copula_bench.py --data /work/shared/data/support2.csv \
           --rows 1000000 --out /tmp/sdv_synth.csv [--seed 0]

Metadata is auto-detected from the dataframe; the synthesizer uses SDV's default options
(default_distribution='beta', enforce_min_max_values=True, enforce_rounding=True).

Prints exactly one JSON line:
  fit_seconds     synthesizer.fit(df)  (includes SDV/RDT preprocessing of the real data)
  sample_seconds  synthesizer.sample(num_rows=--rows)
  write_seconds   DataFrame.to_csv(--out, index=False)
  total_seconds   wall clock of the whole run: read_csv + metadata detection + fit + sample + write
                  (imports excluded)
  peak_rss_mb     peak resident memory of the process (MiB, getrusage ru_maxrss)
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _oracle_common import TABLE, detect_metadata, peak_rss_mb, quiet  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sdv  # noqa: E402
from sdv.single_table import GaussianCopulaSynthesizer  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0, help="numpy seed (SDV samples via numpy)")
    args = ap.parse_args()
    quiet()
    np.random.seed(args.seed)

    t_start = time.perf_counter()
    df = pd.read_csv(args.data)
    metadata = detect_metadata(df)
    synth = GaussianCopulaSynthesizer(metadata)

    # SDV 2.x takes and returns {table_name: DataFrame}; SDV 1.x took/returned a DataFrame.
    sdv2 = int(sdv.__version__.split(".")[0]) >= 2

    t0 = time.perf_counter()
    synth.fit({TABLE: df} if sdv2 else df)
    t1 = time.perf_counter()
    sample = synth.sample(num_rows=args.rows)
    if isinstance(sample, dict):
        sample = next(iter(sample.values()))
    t2 = time.perf_counter()
    sample.to_csv(args.out, index=False)
    t3 = time.perf_counter()

    print(json.dumps({
        "fit_seconds": round(t1 - t0, 3),
        "sample_seconds": round(t2 - t1, 3),
        "write_seconds": round(t3 - t2, 3),
        "total_seconds": round(t3 - t_start, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }))


if __name__ == "__main__":
    main()
