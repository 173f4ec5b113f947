#!/usr/bin/env python3
"""Make throw-away inputs for the oracle scripts (NOT a synthesizer; just to exercise metrics).

  split    IN --train-frac 0.8 --train OUT --holdout OUT
           first train-frac of the rows -> train, the rest -> holdout (file order, no shuffle)
  resample IN --rows N --seed S --out OUT [--noise 0.0]
           bootstrap N rows (with replacement) from IN; if --noise > 0, add Gaussian noise
           with sd = noise * column std to every numeric column (missing cells stay missing;
           integer-valued columns are rounded back so their dtype is unchanged)
"""
import argparse

import numpy as np
import pandas as pd


def split(args):
    df = pd.read_csv(args.input)
    n_train = int(round(len(df) * args.train_frac))
    df.iloc[:n_train].to_csv(args.train, index=False)
    df.iloc[n_train:].to_csv(args.holdout, index=False)


def resample(args):
    df = pd.read_csv(args.input)
    rng = np.random.default_rng(args.seed)
    out = df.iloc[rng.integers(0, len(df), size=args.rows)].reset_index(drop=True)
    if args.noise > 0:
        for col in out.select_dtypes("number").columns:
            x = out[col]
            noisy = x + rng.normal(0.0, args.noise * (df[col].std() or 0.0), size=len(x))
            # keep integer-valued columns integer-valued (int dtype, or floats that are all whole)
            whole = df[col].dropna()
            if pd.api.types.is_integer_dtype(x) or (len(whole) and (whole % 1 == 0).all()):
                noisy = noisy.round()
                if pd.api.types.is_integer_dtype(x):
                    noisy = noisy.astype(x.dtype)
            out[col] = noisy
    out.to_csv(args.out, index=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("split")
    s.add_argument("input")
    s.add_argument("--train-frac", type=float, default=0.8)
    s.add_argument("--train", required=True)
    s.add_argument("--holdout", required=True)
    r = sub.add_parser("resample")
    r.add_argument("input")
    r.add_argument("--rows", type=int, required=True)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--noise", type=float, default=0.0)
    r.add_argument("--out", required=True)
    args = ap.parse_args()
    split(args) if args.cmd == "split" else resample(args)


if __name__ == "__main__":
    main()
