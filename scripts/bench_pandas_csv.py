#!/usr/bin/env python3
"""Time pandas.read_csv(PATH) with default options (reference point for Doppel's CSV reader).

Usage: python scripts/bench_pandas_csv.py PATH [--repeats 3]

Prints exactly one JSON line:
  rows             data rows parsed (header excluded)
  cols             columns parsed
  median_seconds   median wall-clock time of one read_csv call over --repeats runs
  rows_per_second  rows / median_seconds
"""
import argparse
import json
import statistics
import time

import pandas as pd


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    times = []
    for _ in range(max(1, args.repeats)):
        t0 = time.perf_counter()
        df = pd.read_csv(args.path)  # default options on purpose
        times.append(time.perf_counter() - t0)

    median = statistics.median(times)
    print(json.dumps({
        "rows": int(df.shape[0]),
        "cols": int(df.shape[1]),
        "median_seconds": round(median, 6),
        "rows_per_second": round(df.shape[0] / median, 1) if median > 0 else None,
    }))


if __name__ == "__main__":
    main()
