#!/usr/bin/env python3
"""Time SDMetrics' QualityReport and Anonymeter's evaluators on one train/holdout/synthetic triple.

Usage: python scripts/bench_sdmetrics_anonymeter.py --train A.csv --holdout B.csv --synthetic C.csv
           [--n-attacks 2000] [--budget-seconds 1200] [--max-secrets N] [--skip-multivariate]

Steps (each timed on its own; metadata auto-detected from --train, id-sdtype columns dropped
for Anonymeter):
  quality_report                SDMetrics QualityReport (default settings) on train vs synthetic
  singling_out_univariate       SinglingOutEvaluator(n_attacks).evaluate(mode='univariate')
  singling_out_multivariate     same, mode='multivariate' (n_cols=3, Anonymeter's default)
  linkability                   LinkabilityEvaluator(n_attacks, n_neighbors=10), aux columns =
                                the first 6 columns split 3 + 3
  inference                     InferenceEvaluator(n_attacks) once per secret column (every
                                other column is aux), summed; inference_secrets says how many,
                                inference_secrets_done how many finished
Anonymeter runs with its default n_jobs=-2 (all cores but one, i.e. 1 job on a 2-core box).

Prints one JSON line: setup_seconds (read the CSVs + SDV metadata detection, incl. SDV's lazy
imports), <step>_seconds for each finished step, total_seconds, completed (false if
--budget-seconds ran out; the step running then is reported as interrupted_step and the steps
after it are missing), plus rows and n_attacks.
"""
import argparse
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _oracle_common import detect_metadata, peak_rss_mb, quiet, sdtypes, single_table_dict  # noqa: E402
from crosscheck_metrics import (DISCRETE_SDTYPES, NUMERIC_SDTYPES, align_types,  # noqa: E402
                                quality_report)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


class Budget(Exception):
    pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", required=True)
    ap.add_argument("--holdout", required=True)
    ap.add_argument("--synthetic", required=True)
    ap.add_argument("--n-attacks", type=int, default=2000)
    ap.add_argument("--budget-seconds", type=int, default=1200, help="stop after this (20 min)")
    ap.add_argument("--max-secrets", type=int, help="inference on the first N columns only")
    ap.add_argument("--skip-multivariate", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    quiet()
    np.random.seed(args.seed)
    from anonymeter.evaluators import (InferenceEvaluator, LinkabilityEvaluator,
                                       SinglingOutEvaluator)

    t_start = time.perf_counter()
    train = pd.read_csv(args.train)
    hold = pd.read_csv(args.holdout)
    syn = pd.read_csv(args.synthetic)
    meta = single_table_dict(detect_metadata(train))
    types = sdtypes(meta)
    cols = [c for c, t in types.items() if t in NUMERIC_SDTYPES + DISCRETE_SDTYPES]
    ori = train[cols].copy()
    syn_a, ctl = align_types(ori, syn, hold)
    n = args.n_attacks
    secrets = cols[:args.max_secrets] if args.max_secrets else cols

    out = {"rows": {"train": len(train), "holdout": len(hold), "synthetic": len(syn)},
           "n_attacks": n, "setup_seconds": round(time.perf_counter() - t_start, 3)}

    def inference():
        out["inference_secrets"] = len(secrets)
        out["inference_secrets_done"] = 0
        per = out["inference_seconds_per_secret"] = {}
        for s in secrets:
            t0 = time.perf_counter()
            InferenceEvaluator(ori=ori, syn=syn_a, control=ctl, secret=s, n_attacks=n,
                               aux_cols=[c for c in cols if c != s],
                               regression=types[s] == "numerical").evaluate().risk()
            out["inference_secrets_done"] += 1
            per[s] = round(time.perf_counter() - t0, 3)

    steps = [
        ("quality_report", lambda: quality_report(train, syn, meta)),
        ("singling_out_univariate", lambda: SinglingOutEvaluator(
            ori=ori, syn=syn_a, control=ctl, n_attacks=n).evaluate(mode="univariate").risk()),
    ]
    if not args.skip_multivariate:
        steps.append(("singling_out_multivariate", lambda: SinglingOutEvaluator(
            ori=ori, syn=syn_a, control=ctl, n_attacks=n).evaluate(mode="multivariate").risk()))
    steps += [
        ("linkability", lambda: LinkabilityEvaluator(
            ori=ori, syn=syn_a, control=ctl, n_attacks=min(n, len(ori), len(ctl)),
            aux_cols=(cols[:3], cols[3:6]), n_neighbors=10).evaluate().risk()),
        ("inference", inference),
    ]

    def on_alarm(*_):
        raise Budget()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(args.budget_seconds)
    deadline = time.perf_counter() + args.budget_seconds
    out["completed"] = True
    for name, fn in steps:
        t0 = time.perf_counter()
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            # the alarm can fire inside numba code, which then surfaces as a SystemError
            if not (isinstance(e, Budget) or time.perf_counter() >= deadline):
                out[f"{name}_error"] = f"{type(e).__name__}: {e}"  # record, time the rest
                out[f"{name}_seconds"] = round(time.perf_counter() - t0, 3)
                continue
            out["completed"] = False
            out["interrupted_step"] = name
            out["interrupted_step_seconds_so_far"] = round(time.perf_counter() - t0, 3)
            break
        out[f"{name}_seconds"] = round(time.perf_counter() - t0, 3)
    signal.alarm(0)
    out["total_seconds"] = round(time.perf_counter() - t_start, 3)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
