#!/usr/bin/env python3
"""Anchor Doppel's MST / AIM against smartnoise-synth's MST / AIM at the same (epsilon, delta).

Developer-side only: nothing in the Swift package, its tests or CI runs or needs this script.

Written and run against (Python 3.11.7, installed with
`pip install -c CONSTRAINTS smartnoise-synth`, CONSTRAINTS = numpy==1.26.4 + pandas==2.3.3 so the
existing oracle pins in requirements.txt stay satisfied; torch 2.13.0+cpu was already installed
from /opt/wheels, so opacus did not pull a CUDA build):
    smartnoise-synth 1.0.8, smartnoise-sql 1.0.10, mbi (private-pgm) 1.1.0, opendp 0.14.2,
    jax 0.7.1 / jaxlib 0.7.1, numpy 1.26.4, pandas 2.3.3, scipy 1.17.1, networkx 3.6.1,
    disjoint-set 0.9.0

What it measures
----------------
For one train CSV it fits snsynth's ``MSTSynthesizer`` or ``AIMSynthesizer`` at (epsilon, delta),
times the fit only (``Synthesizer.fit``: snsynth's table transformer + the private-pgm model),
samples as many rows as the train table has, writes the synthetic CSV and prints one JSON line

    {"dataset", "synthesizer", "epsilon", "delta", "fit_seconds", "synthetic",
     "status", "sample_seconds", "rows", "seed", ...}

``status`` is "ok", or "timeout" when the fit ran longer than ``--timeout`` seconds (default 900 =
15 min; AIM's default round count is 16 x model columns, which is slow on wide tables). On a
timeout no synthetic file is written and ``synthetic`` is null. AIM runs verbose, so its stderr has
one "Selected <clique> Size <cells> Budget Used <share of rho>" line per round (how far a timed-out
run got). ``--aim-rounds T`` overrides AIM's planned round count (off by default; results with it
are a different configuration and are tagged ``.T<T>`` in file names and ``aim_rounds`` in the JSON).

With ``--doppel BIN --holdout H --target T`` it also runs
``BIN evaluate --train TRAIN --holdout H --synthetic SYN --target T -o OUTDIR`` and adds
``report`` plus the headline numbers from OUTDIR/report.json (quality.score, columnShapes,
columnPairTrends, utility.tstr[0].auc, utility.trtr[0].auc, privacy.dcrShare.value) to the line.
Exit code 3 of ``doppel evaluate`` only means the release gate failed; the report is still read.

How the table is prepared for snsynth (all of it snsynth's own "cube" preprocessing)
-----------------------------------------------------------------------------------
* Column kinds follow Doppel's schema-inference rules (Sources/DoppelData/SchemaInference.swift)
  so both tools model the same columns the same way:
    - numeric column named like an id (id, *_id, ...), whole numbers, >= 30 % distinct ->
      identifier: not modelled; written back as a fresh 1..n record number (Doppel regenerates
      identifiers too, and its evaluator never scores them);
    - whole numbers with <= 5 distinct values, each seen twice on average -> categorical (codes);
    - other numbers -> continuous;
    - anything else (text, booleans) -> categorical.
* Categorical -> ``snsynth.transform.LabelTransformer``. As in snsynth, the category set is read
  from the train data (treated as public domain knowledge; no budget).
* Continuous -> ``snsynth.transform.BinTransformer(bins=--bins, lower=train min, upper=train max)``
  (10 equal-width bins = snsynth's default). Because lower/upper are given, the transformer needs
  no privacy budget and ``preprocessor_eps=0.0`` is passed: all of epsilon goes to MST/AIM.
  NOTE: train min/max are *treated as public* bounds here, as the benchmark brief asks; strictly
  they are data-dependent. A constant numeric column (min == max) is treated as categorical.
  Decoding gives the bin midpoint (snsynth's inverse transform); as free post-processing the
  script rounds integer-valued train columns back to integers and other columns to <= 6 decimals.
* Missing values (empty CSV field) use snsynth's built-in null support, enabled only on columns
  that have missing values in the train table:
    - categorical: ``LabelTransformer(nullable=True)`` makes "missing" one more category;
    - continuous: ``BinTransformer(nullable=True)`` emits two model columns (bin, is-null flag);
      a sampled flag of 1 decodes to missing.
  Missing values are written back as empty fields, which Doppel reads as missing.

Seeds: ``np.random.seed(--seed)`` fixes everything snsynth/mbi draw from numpy (MST's edge
selection and domain de-compression, AIM's exponential mechanism, mbi's sampling). The Gaussian
measurement noise comes from OpenDP's ``make_gaussian`` (a CSPRNG that cannot be seeded), so two
runs with the same seed still differ.

Usage
-----
    python scripts/bench_smartnoise.py --train /tmp/splits/pbc_mayo.train.csv \\
        --synthesizer mst --epsilon 1 [--delta 1e-9] [--seed 0] [--bins 10] [--timeout 900] \\
        [--out-dir /tmp/snbench] [--aim-rounds T] \\
        [--doppel /tmp/helper-bin/doppel --holdout /tmp/splits/pbc_mayo.holdout.csv --target status]
"""
import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd

MAX_INTEGER_LEVELS = 5  # Doppel's SchemaInference.maxIntegerLevels


class FitTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise FitTimeout()


# ---------------------------------------------------------------------------------------------
# Column kinds (Doppel's rules, simplified to what these CSVs need)
# ---------------------------------------------------------------------------------------------

_ID_NAME = re.compile(r"^(id|.*[_.\- ]id|.*_?(record|row|patient|subject)_?(id|no|num|number))$", re.I)


def infer_kinds(raw: pd.DataFrame) -> dict:
    """Return {column: 'identifier' | 'categorical' | 'continuous'} for a table read as strings."""
    kinds = {}
    for col in raw.columns:
        s = raw[col].dropna()
        num = pd.to_numeric(s, errors="coerce")
        all_numeric = len(s) > 0 and num.notna().all()
        if not all_numeric:
            kinds[col] = "categorical"
            continue
        integral = bool(np.all(num == np.round(num))) and not s.str.contains(r"[.eE]").any()
        distinct = s.nunique()
        if _ID_NAME.match(col) and integral and distinct >= 0.3 * len(s):
            kinds[col] = "identifier"
        elif integral and distinct <= MAX_INTEGER_LEVELS and distinct * 2 <= len(s):
            kinds[col] = "categorical"
        elif num.min() == num.max():
            kinds[col] = "categorical"  # constant: BinTransformer would divide by zero
        else:
            kinds[col] = "continuous"
    return kinds


def decimals_of(s: pd.Series) -> int:
    """Largest number of decimals written in a string column (capped at 6)."""
    frac = s.dropna().str.extract(r"\.(\d+)$")[0].dropna()
    return min(6, int(frac.str.len().max())) if len(frac) else 0


# ---------------------------------------------------------------------------------------------
# Fit / sample
# ---------------------------------------------------------------------------------------------

def build_transformer(model_df: pd.DataFrame, kinds: dict, bins: int):
    from snsynth.transform import BinTransformer, LabelTransformer
    from snsynth.transform.table import TableTransformer

    transformers = []
    for col in model_df.columns:
        has_missing = bool(model_df[col].isna().any())
        if kinds[col] == "continuous":
            v = model_df[col]
            transformers.append(BinTransformer(bins=bins, lower=float(v.min()), upper=float(v.max()),
                                               nullable=has_missing))
        else:
            transformers.append(LabelTransformer(nullable=has_missing))
    return TableTransformer(transformers)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", required=True, help="train CSV (empty field = missing)")
    ap.add_argument("--synthesizer", required=True, choices=["mst", "aim"])
    ap.add_argument("--epsilon", type=float, required=True)
    ap.add_argument("--delta", type=float, default=1e-9)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--bins", type=int, default=10, help="equal-width bins per continuous column")
    ap.add_argument("--timeout", type=float, default=900.0, help="give up on the fit after N s")
    ap.add_argument("--aim-rounds", type=int,
                    help="AIM only: planned rounds T (snsynth's `rounds`; default 16 x model columns). "
                         "Not a cap: a smaller T also means less noise per round.")
    ap.add_argument("--out-dir", default="/tmp/snbench")
    ap.add_argument("--dataset", help="name for outputs (default: train file name before .train.csv)")
    ap.add_argument("--doppel", help="doppel binary: also run `doppel evaluate` on the output")
    ap.add_argument("--holdout")
    ap.add_argument("--target")
    args = ap.parse_args()
    if args.doppel and not (args.holdout and args.target):
        ap.error("--doppel needs --holdout and --target")

    dataset = args.dataset or re.sub(r"(\.train)?\.csv$", "", os.path.basename(args.train))
    os.makedirs(args.out_dir, exist_ok=True)
    tag = f"{dataset}.sn-{args.synthesizer}.eps{args.epsilon:g}"
    if args.aim_rounds:
        tag += f".T{args.aim_rounds}"
    syn_path = os.path.abspath(os.path.join(args.out_dir, tag + ".synthetic.csv"))

    # Read everything as text; only an empty field is missing.
    raw = pd.read_csv(args.train, dtype=str, keep_default_na=False, na_values=[""])
    kinds = infer_kinds(raw)
    model_cols = [c for c in raw.columns if kinds[c] != "identifier"]
    model_df = pd.DataFrame({c: (pd.to_numeric(raw[c]) if kinds[c] == "continuous" else raw[c])
                             for c in model_cols})
    integer_cols = {c for c in model_cols if kinds[c] == "continuous"
                    and not raw[c].dropna().str.contains(r"[.eE]").any()}

    from snsynth import Synthesizer  # imported late: pulls jax / opendp

    np.random.seed(args.seed)
    extra = {}
    if args.synthesizer == "aim":
        # verbose: one "Selected <clique> ... Budget Used <share>" line per round on stderr, so a
        # timed-out run's log shows how far it got.
        extra = {"verbose": True, "rounds": args.aim_rounds}
    elif args.aim_rounds is not None:
        ap.error("--aim-rounds applies to aim only")
    synth = Synthesizer.create(args.synthesizer, epsilon=float(args.epsilon), delta=args.delta, **extra)
    transformer = build_transformer(model_df, kinds, args.bins)

    result = {"dataset": dataset, "synthesizer": args.synthesizer, "epsilon": args.epsilon,
              "delta": args.delta, "fit_seconds": None, "synthetic": None, "status": "ok",
              "seed": args.seed, "rows": len(raw), "bins": args.bins,
              **({"aim_rounds": args.aim_rounds} if args.aim_rounds else {}),
              "columns": {k: sum(1 for c in model_cols if kinds[c] == k)
                          for k in ("categorical", "continuous")},
              "identifiers": [c for c in raw.columns if kinds[c] == "identifier"]}

    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, args.timeout)
    t0 = time.perf_counter()
    try:
        # snsynth/AIM print progress on stdout; keep stdout for the JSON line only.
        with contextlib.redirect_stdout(sys.stderr):
            synth.fit(model_df, transformer=transformer, preprocessor_eps=0.0)
        result["fit_seconds"] = round(time.perf_counter() - t0, 3)
    except FitTimeout:
        result["status"] = "timeout"
        result["fit_seconds"] = round(time.perf_counter() - t0, 3)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)

    if result["status"] == "ok":
        t1 = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):
            syn = synth.sample(len(raw))
        result["sample_seconds"] = round(time.perf_counter() - t1, 3)
        out = pd.DataFrame(index=range(len(syn)))
        for c in raw.columns:
            if kinds[c] == "identifier":
                out[c] = np.arange(1, len(syn) + 1)          # fresh record numbers
            elif kinds[c] == "continuous":
                v = pd.to_numeric(syn[c], errors="coerce")
                v = v.round(0).astype("Int64") if c in integer_cols else v.round(decimals_of(raw[c]) or 6)
                out[c] = v
            else:
                out[c] = syn[c]
        out.to_csv(syn_path, index=False, na_rep="")
        result["synthetic"] = syn_path

        if args.doppel:
            outdir = os.path.join(args.out_dir, tag + ".eval")
            cmd = [args.doppel, "evaluate", "--train", args.train, "--holdout", args.holdout,
                   "--synthetic", syn_path, "--target", args.target, "-o", outdir]
            proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            result["evaluate_exit"] = proc.returncode  # 3 = release gate failed, report still written
            rep_path = os.path.join(outdir, "report.json")
            if proc.returncode in (0, 3) and os.path.exists(rep_path):
                rep = json.load(open(rep_path))
                q, u, p = rep.get("quality", {}), rep.get("utility", {}), rep.get("privacy", {})
                tstr, trtr = u.get("tstr") or [{}], u.get("trtr") or [{}]
                result.update({
                    "report": rep_path,
                    "quality": q.get("score"), "column_shapes": q.get("columnShapes"),
                    "column_pair_trends": q.get("columnPairTrends"),
                    "tstr_auc": tstr[0].get("auc"), "trtr_auc": trtr[0].get("auc"),
                    "dcr_share": (p.get("dcrShare") or {}).get("value"),
                })
            else:
                result["evaluate_error"] = proc.stderr.strip()[-500:]

    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
