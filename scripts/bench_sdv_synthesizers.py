#!/usr/bin/env python3
"""Utility of SDV's single-table synthesizers on small tables, scored by `doppel evaluate`.

What it measures: for each dataset (a train/holdout CSV pair) and each SDV synthesizer
(GaussianCopula, CTGAN, TVAE, CopulaGAN; the GANs/VAE with --epochs, default 300, SDV defaults
otherwise) it fits on the train file, times the fit, samples as many rows as train, writes the
synthetic CSV, then runs

    doppel evaluate --train TRAIN --holdout HOLDOUT --synthetic SYN --target TARGET -o OUTDIR

and reads OUTDIR/report.json: quality.score, detection.auc, utility.tstr[*].auc and
utility.trtr[*].auc for every learner (the first learner is Doppel's headline one), and
privacy.dcrShare (value and 95% CI). Exit code 3 from doppel only means the release gate failed;
the report is still written and used. The point is a reference row for "SDV's best
synthesizer" next to Doppel's own synthesizers (e.g. CART) under the same evaluator.

Run (developer-side only; never needed by `swift test`; see scripts/README.md for installing
sdv with the CPU-only torch wheel first):

    python3 scripts/bench_sdv_synthesizers.py \
        [--datasets pbc_mayo:status,heart_disease_uci:num] [--splits /tmp/splits] \
        [--doppel /tmp/helper-bin/doppel] [--work /tmp/sdv_bench] \
        [--synthesizers gaussiancopula,ctgan,tvae,copulagan] [--epochs 300] [--seed 0] \
        [--evaluate-only]

Inputs: SPLITS/NAME.train.csv and SPLITS/NAME.holdout.csv; only an empty field is missing
(read with keep_default_na=False, na_values=[""]). Metadata is SDV's auto-detection on the train
dataframe, then `id` (if present) is forced to sdtype id / primary key (a row identifier, not
modelled; SDV generates fresh ids) and the target is forced to categorical.

Seeding: Python's random, numpy and torch are seeded with --seed right before every fit (SDV
exposes no public fit seed); sampling uses SDV's own fixed sampling seed (73251 in SDV 2.0).
Fits run one at a time, in this process (the machine is small and shared).

Output formatting: a column whose non-empty train values are all written as integers ("1", not
"1.0") is written as integers in the synthetic CSV (SDV returns floats for integer columns with
missing values, and `doppel evaluate` would otherwise see category "1.0" against "1"); missing
values are written as empty fields.

Writes WORK/NAME.SYNTH.csv, WORK/NAME.SYNTH.eval/report.json, WORK/results.json (all rows) and
WORK/results.md (a markdown table); prints the table and the best TSTR synthesizer per dataset.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _oracle_common import TABLE, detect_metadata, quiet  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

SYNTHESIZERS = {
    "gaussiancopula": "GaussianCopulaSynthesizer",
    "ctgan": "CTGANSynthesizer",
    "tvae": "TVAESynthesizer",
    "copulagan": "CopulaGANSynthesizer",
}
EPOCH_SYNTHESIZERS = {"ctgan", "tvae", "copulagan"}
INT_TEXT = re.compile(r"^[+-]?\d+$")


def read_csv(path):
    """Only an empty field is missing ("NA", "None" etc. stay text)."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def integer_text_columns(path):
    """Columns whose non-empty values in the CSV text are all integers (no decimal point)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    out = set()
    for col in raw.columns:
        vals = raw[col][raw[col] != ""]
        if len(vals) and vals.map(lambda v: bool(INT_TEXT.match(v))).all():
            out.add(col)
    return out


def build_metadata(df, target):
    md = detect_metadata(df)
    if "id" in df.columns:
        md.update_column("id", table_name=TABLE, sdtype="id")
        pk = md.to_dict()["tables"][TABLE].get("primary_key")
        if pk != "id":
            if pk is not None:
                md.remove_primary_key(table_name=TABLE)
            md.set_primary_key("id", table_name=TABLE)
    md.update_column(target, table_name=TABLE, sdtype="categorical")
    md.validate()
    return md


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch
        torch.manual_seed(seed)
    except ImportError:
        pass


def format_like_train(syn, train_cols, int_cols):
    """Column order as train; integer-text columns as nullable integers (no trailing .0)."""
    syn = syn[list(train_cols)].copy()
    for col in int_cols:
        s = syn[col]
        if pd.api.types.is_bool_dtype(s) or s.dtype == object:
            continue
        if pd.api.types.is_numeric_dtype(s):
            syn[col] = np.round(s.astype(float)).astype("Int64")
    return syn


def fit_and_sample(name, key, train_path, target, epochs, seed, out_csv):
    import sdv
    import sdv.single_table as st
    df = read_csv(train_path)
    md = build_metadata(df, target)
    cls = getattr(st, SYNTHESIZERS[key])
    kwargs = {"epochs": epochs} if key in EPOCH_SYNTHESIZERS else {}
    synth = cls(md, **kwargs)
    sdv2 = int(sdv.__version__.split(".")[0]) >= 2
    seed_everything(seed)
    t0 = time.perf_counter()
    synth.fit({TABLE: df} if sdv2 else df)
    t1 = time.perf_counter()
    syn = synth.sample(num_rows=len(df))
    if isinstance(syn, dict):
        syn = next(iter(syn.values()))
    t2 = time.perf_counter()
    syn = format_like_train(syn, df.columns, integer_text_columns(train_path))
    syn.to_csv(out_csv, index=False, na_rep="")
    return {"fit_seconds": round(t1 - t0, 2), "sample_seconds": round(t2 - t1, 2),
            "rows": len(syn)}


def evaluate(doppel, train, holdout, syn_csv, target, outdir):
    os.makedirs(outdir, exist_ok=True)
    cmd = [doppel, "evaluate", "--train", train, "--holdout", holdout, "--synthetic", syn_csv,
           "--target", target, "-o", outdir]
    p = subprocess.run(cmd, capture_output=True, text=True)
    report = os.path.join(outdir, "report.json")
    if p.returncode not in (0, 3) or not os.path.exists(report):
        return {"eval_error": f"exit {p.returncode}: {(p.stderr or p.stdout).strip()[-800:]}"}
    with open(report) as f:
        r = json.load(f)
    u = r.get("utility") or {}
    dcr = (r.get("privacy") or {}).get("dcrShare") or {}
    return {
        "eval_exit": p.returncode,
        "quality": r["quality"]["score"],
        "detection_auc": (r.get("detection") or {}).get("auc"),
        "tstr": {x["learner"]: x.get("auc") for x in u.get("tstr", [])},
        "trtr": {x["learner"]: x.get("auc") for x in u.get("trtr", [])},
        "headline_learner": (u.get("tstr") or [{}])[0].get("learner"),
        "dcr_share": dcr.get("value"),
        "dcr_share_ci": [dcr.get("lower"), dcr.get("upper")],
    }


def fmt(x, nd=3):
    return "—" if x is None else f"{x:.{nd}f}"


def render(rows):
    learners = []
    for r in rows:
        for k in r.get("tstr", {}):
            if k not in learners:
                learners.append(k)
    head = (["dataset", "synthesizer", "fit s", "quality", "detection AUC"]
            + [f"TSTR {k}" for k in learners] + [f"TRTR {k}" for k in learners]
            + ["DCR share"])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        if "eval_error" in r or "fit_error" in r:
            err = r.get("fit_error") or r.get("eval_error")
            lines.append(f"| {r['dataset']} | {r['synthesizer']} | {fmt(r.get('fit_seconds'), 1)}"
                         f" | failed: {err.splitlines()[-1][:120]} |")
            continue
        cells = [r["dataset"], r["synthesizer"], fmt(r["fit_seconds"], 1), fmt(r["quality"]),
                 fmt(r["detection_auc"])]
        cells += [fmt(r["tstr"].get(k)) for k in learners]
        cells += [fmt(r["trtr"].get(k)) for k in learners]
        cells += [fmt(r["dcr_share"])]
        lines.append("| " + " | ".join(cells) + " |")
    best = []
    for ds in dict.fromkeys(r["dataset"] for r in rows):
        ok = [r for r in rows if r["dataset"] == ds and r.get("headline_learner")
              and r["tstr"].get(r["headline_learner"]) is not None]
        if ok:
            b = max(ok, key=lambda r: r["tstr"][r["headline_learner"]])
            best.append(f"- {ds}: best TSTR ({b['headline_learner']}) = {b['synthesizer']} "
                        f"{b['tstr'][b['headline_learner']]:.3f} (TRTR "
                        f"{b['trtr'].get(b['headline_learner'], float('nan')):.3f})")
    return "\n".join(lines) + "\n\n" + "\n".join(best) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", default="pbc_mayo:status,heart_disease_uci:num",
                    help="comma-separated NAME:TARGET")
    ap.add_argument("--splits", default="/tmp/splits")
    ap.add_argument("--doppel", default="/tmp/helper-bin/doppel")
    ap.add_argument("--work", default="/tmp/sdv_bench")
    ap.add_argument("--synthesizers", default=",".join(SYNTHESIZERS))
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--evaluate-only", action="store_true",
                    help="skip fitting; evaluate the synthetic CSVs already in --work")
    args = ap.parse_args()
    quiet()
    os.makedirs(args.work, exist_ok=True)
    import sdv
    versions = {"sdv": sdv.__version__, "pandas": pd.__version__, "numpy": np.__version__}
    try:
        import torch
        versions["torch"] = torch.__version__
    except ImportError:
        pass

    results_path = os.path.join(args.work, "results.json")
    previous = {}
    if args.evaluate_only and os.path.exists(results_path):
        with open(results_path) as f:
            previous = {(r["dataset"], r["synthesizer"]): r for r in json.load(f)["rows"]}

    rows = []
    for spec in args.datasets.split(","):
        name, target = spec.split(":")
        train = os.path.join(args.splits, f"{name}.train.csv")
        holdout = os.path.join(args.splits, f"{name}.holdout.csv")
        for key in args.synthesizers.split(","):
            row = {"dataset": name, "synthesizer": SYNTHESIZERS[key].replace("Synthesizer", ""),
                   "target": target, "epochs": args.epochs if key in EPOCH_SYNTHESIZERS else None}
            syn_csv = os.path.join(args.work, f"{name}.{key}.csv")
            if args.evaluate_only:
                old = previous.get((name, row["synthesizer"]), {})
                for k in ("fit_seconds", "sample_seconds", "rows"):
                    row[k] = old.get(k)
            else:
                print(f"[{name}] fitting {row['synthesizer']} ...", file=sys.stderr, flush=True)
                try:
                    row.update(fit_and_sample(name, key, train, target, args.epochs, args.seed,
                                              syn_csv))
                except Exception as e:  # keep going with the other synthesizers
                    row["fit_error"] = f"{type(e).__name__}: {e}"
                    rows.append(row)
                    print(f"  fit failed: {row['fit_error']}", file=sys.stderr, flush=True)
                    continue
                print(f"  fit {row['fit_seconds']} s", file=sys.stderr, flush=True)
            row["synthetic_csv"] = syn_csv
            row.update(evaluate(args.doppel, train, holdout, syn_csv, target,
                                os.path.join(args.work, f"{name}.{key}.eval")))
            rows.append(row)
            with open(results_path, "w") as f:
                json.dump({"versions": versions, "seed": args.seed, "rows": rows}, f, indent=1)

    with open(results_path, "w") as f:
        json.dump({"versions": versions, "seed": args.seed, "rows": rows}, f, indent=1)
    table = render(rows)
    with open(os.path.join(args.work, "results.md"), "w") as f:
        f.write(f"versions: {json.dumps(versions)}; seed {args.seed}\n\n" + table)
    print(f"versions: {json.dumps(versions)}")
    print(table)


if __name__ == "__main__":
    main()
