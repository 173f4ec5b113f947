#!/usr/bin/env python3
"""Seconds per training epoch of SDV's TVAE and CTGAN (default architecture, CPU torch).

Anchor for Doppel's Swift neural synthesizers: how long one epoch of SDV's own implementation
takes on the same table, separated from the preprocessing both do before training.

Usage: python scripts/bench_sdv_neural.py --data ../shared/data/support2.csv \
           [--synthesizers tvae,ctgan] [--epochs-a 2] [--epochs-b 6] [--threads N] [--rows N] \
           [--seed 0] [--id-column id] [--no-warmup] [--isa native|avx2] [--out result.json]

Method: each synthesizer is fitted twice on the same dataframe and metadata, once with
--epochs-a and once with --epochs-b epochs (fresh synthesizer each time, Python/numpy/torch
seeded with --seed right before each fit), and

    per_epoch_seconds  = (t_b - t_a) / (epochs_b - epochs_a)
    preprocess_seconds = t_a - epochs_a * per_epoch_seconds

where t_x is the wall clock of synthesizer.fit(). Everything a fit does besides the epochs (SDV's
RDT HyperTransformer fit/transform, then ctgan's DataTransformer: one Bayesian Gaussian mixture
per continuous column, one-hot encoding, building the data sampler) is identical in both fits, so
it cancels from per_epoch and ends up in preprocess_seconds.

That preprocessing is far larger than a few epochs (on support2 it is most of a short fit), so
(t_b - t_a) is a small difference of two large, noisy wall-clock numbers on a shared machine. Each
fit is therefore also split by instrumentation (no change to what runs): `sdv_preprocess` =
fit minus the synthesizer's model fit (`_fit`), `transformer` = ctgan DataTransformer.fit +
.transform (timed by wrapping those two methods), `train` = model fit minus transformer (network
and optimiser set-up, data sampler, the epochs). per_epoch_seconds_train_only =
(train_b - train_a) / (epochs_b - epochs_a) is the same epoch cost without the preprocessing
noise; prefer it when the two figures disagree.

Unless --no-warmup, each synthesizer first does an untimed 1-epoch fit on a small slice (500
rows, <= 2 columns per sdtype) so one-time costs do not land in t_a only (which would bias
per_epoch low, even negative): lazy imports, torch start-up, and above all the joblib/loky worker
processes ctgan's DataTransformer.transform starts on first use (it runs Parallel(n_jobs=-1)
for >= 500 rows; several seconds on this machine). loky drops idle workers after 300 s, so on a
large table whose Bayesian-GMM fit alone takes minutes the workers may be restarted inside a fit
again; that lands in `transformer`, not in per_epoch_seconds_train_only.

Synthesizer options are SDV 2.0's defaults except epochs: batch_size 500;
TVAE embedding 128, compress/decompress (128, 128), l2scale 1e-5, loss_factor 2;
CTGAN embedding 128, generator/discriminator (256, 256), pac 10, discriminator_steps 1,
lr 2e-4 (both nets); the actual values are read back from the synthesizer and reported.
Steps per epoch: TVAE ceil(rows / batch) (DataLoader, drop_last=False); CTGAN
max(rows // batch, 1) generator steps, each after discriminator_steps discriminator steps.

Data and metadata: read with only an empty field as missing (as bench_sdv_synthesizers.py);
--rows N takes a seeded random subset of N rows (file order kept). Metadata is SDV's
auto-detection (_oracle_common.detect_metadata); a column named --id-column (default `id`), if
present, is forced to sdtype id / primary key (same rule as bench_sdv_synthesizers.py; not
modelled). support2.csv has no such column; its detected sdtypes are reported.

Instruction set: --isa avx2 restricts PyTorch to AVX2 on a CPU that has AVX-512, to stand in for a
CPU without it (Doppel's `doppel-bench neural --avx2-only` does the same to its own GEMM). Before
torch is imported it sets ATEN_CPU_CAPABILITY=avx2 (PyTorch's own vectorised kernels),
MKL_ENABLE_INSTRUCTIONS=AVX2 (MKL's sgemm, which PyTorch's matmul and linear layers call) and
ONEDNN_MAX_CPU_ISA=AVX2 (oneDNN). On the Xeon these figures were measured on, a single-threaded
500 x 686 x 451 matmul drops from about 134 to 79 GFLOP/s with them. The capability torch reports
(torch.backends.cpu.get_cpu_capability()) is in the summary either way. The default, "native",
sets nothing.

Threads: --threads N sets OMP/MKL/OPENBLAS_NUM_THREADS before numpy/torch are imported (the
Bayesian-GMM preprocessing runs on numpy/scikit-learn) and calls torch.set_num_threads(N).
Without it the defaults are used. torch.get_num_threads() is reported either way.

Prints (stdout) one JSON line per synthesizer:
  {"synthesizer","rows","columns","data_dim","cond_dim","batch_size","steps_per_epoch",
   "epochs_a","epochs_b","fit_a_seconds","fit_b_seconds","per_epoch_seconds",
   "per_step_seconds","rows_per_second","preprocess_seconds","projected_300_epoch_seconds",
   "per_epoch_seconds_train_only","breakdown_a","breakdown_b","options",...}
then one summary line {"summary": {...versions, threads, data, per-synthesizer per_epoch and
preprocess seconds}}. Progress goes to stderr. --out writes {"summary": ..., "rows": [...]}.
(projected_300_epoch_seconds = preprocess + 300 x per_epoch, SDV's default epochs.)
"""
import argparse
import json
import math
import os
import platform
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

SYNTHESIZERS = {"tvae": "TVAESynthesizer", "ctgan": "CTGANSynthesizer"}
OPTION_KEYS = ("embedding_dim", "compress_dims", "decompress_dims", "generator_dim",
               "discriminator_dim", "batch_size", "pac", "discriminator_steps", "l2scale",
               "loss_factor", "generator_lr", "discriminator_lr", "log_frequency")
SDV_DEFAULT_EPOCHS = 300
WARMUP_ROWS = 500  # ctgan's DataTransformer.transform goes parallel (joblib) from 500 rows
WARMUP_COLUMNS_PER_SDTYPE = 2


def fmt_parts(p):
    return (f"fit {p['fit']:.2f} s (SDV preprocess {p['sdv_preprocess']:.2f}, DataTransformer "
            f"{p['transformer']:.2f}, train {p['train']:.2f})")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--synthesizers", default="tvae,ctgan")
    ap.add_argument("--epochs-a", type=int, default=2)
    ap.add_argument("--epochs-b", type=int, default=6)
    ap.add_argument("--threads", type=int, help="torch (and BLAS/OpenMP) threads")
    ap.add_argument("--rows", type=int, help="use a seeded random subset of this many rows")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--id-column", default="id")
    ap.add_argument("--no-warmup", action="store_true")
    ap.add_argument("--isa", choices=["native", "avx2"], default="native",
                    help="avx2: keep torch, MKL and oneDNN on AVX2 (see the module doc)")
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.epochs_b <= args.epochs_a or args.epochs_a < 1:
        ap.error("need 1 <= --epochs-a < --epochs-b")
    bad = [s for s in args.synthesizers.split(",") if s not in SYNTHESIZERS]
    if bad:
        ap.error(f"unknown synthesizer(s) {bad}; choose from {list(SYNTHESIZERS)}")
    return args


def build_metadata(df, id_column):
    from _oracle_common import TABLE, detect_metadata
    md = detect_metadata(df)
    if id_column in df.columns:
        md.update_column(id_column, table_name=TABLE, sdtype="id")
        pk = md.to_dict()["tables"][TABLE].get("primary_key")
        if pk != id_column:
            if pk is not None:
                md.remove_primary_key(table_name=TABLE)
            md.set_primary_key(id_column, table_name=TABLE)
    md.validate()
    return md


def seed_everything(seed):
    import numpy as np
    import torch
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def jsonable(v):
    return list(v) if isinstance(v, tuple) else v


_TIMERS = {"transformer": 0.0}


def instrument_data_transformer():
    """Accumulate the wall clock of ctgan's DataTransformer.fit/transform (the Bayesian-GMM
    mode-specific normalisation + one-hot encoding) in _TIMERS["transformer"]."""
    from ctgan.data_transformer import DataTransformer

    def timed(method):
        def wrapper(*a, **kw):
            t0 = time.perf_counter()
            try:
                return method(*a, **kw)
            finally:
                _TIMERS["transformer"] += time.perf_counter() - t0
        return wrapper

    if not getattr(DataTransformer, "_bench_timed", False):
        DataTransformer.fit = timed(DataTransformer.fit)
        DataTransformer.transform = timed(DataTransformer.transform)
        DataTransformer._bench_timed = True


def timed_fit(key, metadata, df, epochs, seed):
    """Fit a fresh synthesizer; returns ({fit, sdv_preprocess, transformer, train} seconds,
    synthesizer). train = model fit minus DataTransformer (network set-up + the epochs)."""
    import sdv.single_table as st
    from _oracle_common import TABLE
    synth = getattr(st, SYNTHESIZERS[key])(metadata, epochs=epochs)
    inner = synth._fit  # SDV: fit -> preprocess (RDT) -> fit_processed_data -> self._fit
    model_time = {}

    def fit_model(processed):
        t = time.perf_counter()
        try:
            return inner(processed)
        finally:
            model_time["s"] = time.perf_counter() - t

    synth._fit = fit_model
    _TIMERS["transformer"] = 0.0
    seed_everything(seed)
    t0 = time.perf_counter()
    synth.fit({TABLE: df})
    total = time.perf_counter() - t0
    del synth._fit
    model = model_time.get("s", float("nan"))
    parts = {"fit": total, "sdv_preprocess": total - model,
             "transformer": _TIMERS["transformer"], "train": model - _TIMERS["transformer"]}
    return parts, synth


def model_facts(key, synth, rows):
    """Architecture read back from the fitted synthesizer, data width and steps per epoch."""
    facts = {"options": {k: jsonable(v) for k, v in getattr(synth, "_model_kwargs", {}).items()
                         if k in OPTION_KEYS}}
    model = getattr(synth, "_model", None)
    transformer = getattr(model, "transformer", None) or getattr(model, "_transformer", None)
    dim = getattr(transformer, "output_dimensions", None)
    facts["data_dim"] = int(dim) if dim is not None else None
    sampler = getattr(model, "_data_sampler", None)
    facts["cond_dim"] = int(sampler.dim_cond_vec()) if sampler is not None else None
    batch = facts["options"].get("batch_size", 500)
    facts["batch_size"] = batch
    facts["steps_per_epoch"] = (max(rows // batch, 1) if key == "ctgan"
                                else math.ceil(rows / batch))
    return facts


def main():
    args = parse_args()
    if args.threads:
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    if args.isa == "avx2":
        os.environ["ATEN_CPU_CAPABILITY"] = "avx2"
        os.environ["MKL_ENABLE_INSTRUCTIONS"] = "AVX2"
        os.environ["ONEDNN_MAX_CPU_ISA"] = "AVX2"

    from _oracle_common import quiet, sdtypes, single_table_dict
    quiet()
    import numpy as np
    import pandas as pd
    import sdv
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)

    df = pd.read_csv(args.data, keep_default_na=False, na_values=[""])
    total_rows = len(df)
    if args.rows and args.rows < len(df):
        df = df.sample(n=args.rows, random_state=args.seed).sort_index().reset_index(drop=True)
    metadata = build_metadata(df, args.id_column)
    kinds = sdtypes(single_table_dict(metadata))
    counts = {k: sum(1 for v in kinds.values() if v == k) for k in sorted(set(kinds.values()))}
    modelled = sum(1 for v in kinds.values() if v != "id")

    versions = {"sdv": sdv.__version__, "torch": torch.__version__, "numpy": np.__version__,
                "pandas": pd.__version__, "python": platform.python_version()}
    try:
        import ctgan
        versions["ctgan"] = ctgan.__version__
    except (ImportError, AttributeError):
        pass
    threads = {"requested": args.threads, "torch_num_threads": torch.get_num_threads(),
               "torch_interop_threads": torch.get_num_interop_threads(),
               "cpu_count": os.cpu_count()}
    isa = {"requested": args.isa, "torch_cpu_capability": torch.backends.cpu.get_cpu_capability()}
    try:
        from threadpoolctl import threadpool_info
        threads["blas_threads"] = [p.get("num_threads") for p in threadpool_info()
                                   if p.get("user_api") == "blas"]
    except ImportError:
        pass
    print(f"[data] {args.data}: {len(df)} of {total_rows} rows, {df.shape[1]} columns; "
          f"sdtypes {counts}; torch threads {threads['torch_num_threads']}",
          file=sys.stderr, flush=True)

    warm_df = warm_md = None
    if not args.no_warmup:
        per_kind = {}
        for col, kind in kinds.items():
            if kind != "id" and len(per_kind.setdefault(kind, [])) < WARMUP_COLUMNS_PER_SDTYPE:
                per_kind[kind].append(col)
        warm_cols = [c for c in df.columns if any(c in v for v in per_kind.values())]
        warm_df = df[warm_cols].head(WARMUP_ROWS).reset_index(drop=True)
        warm_md = build_metadata(warm_df, args.id_column)
    instrument_data_transformer()

    rows = []
    for key in args.synthesizers.split(","):
        name = SYNTHESIZERS[key].replace("Synthesizer", "")
        row = {"synthesizer": name, "rows": len(df), "columns": modelled}
        try:
            if warm_df is not None:
                w, _ = timed_fit(key, warm_md, warm_df, 1, args.seed)
                row["warmup_seconds"] = round(w["fit"], 3)
                print(f"[{name}] warm-up fit (1 epoch, {warm_df.shape[0]} rows x "
                      f"{warm_df.shape[1]} columns) {w['fit']:.1f} s", file=sys.stderr, flush=True)
            fa, _ = timed_fit(key, metadata, df, args.epochs_a, args.seed)
            print(f"[{name}] {args.epochs_a} epochs: {fmt_parts(fa)}", file=sys.stderr, flush=True)
            fb, synth = timed_fit(key, metadata, df, args.epochs_b, args.seed)
            print(f"[{name}] {args.epochs_b} epochs: {fmt_parts(fb)}", file=sys.stderr, flush=True)
        except Exception as e:  # keep going with the other synthesizer
            row["error"] = f"{type(e).__name__}: {e}"
            rows.append(row)
            print(json.dumps(row), flush=True)
            continue
        facts = model_facts(key, synth, len(df))
        d_epochs = args.epochs_b - args.epochs_a
        t_a, t_b = fa["fit"], fb["fit"]
        per_epoch = (t_b - t_a) / d_epochs
        per_epoch_train = (fb["train"] - fa["train"]) / d_epochs
        preprocess = t_a - args.epochs_a * per_epoch
        row.update({
            "data_dim": facts["data_dim"], "cond_dim": facts["cond_dim"],
            "batch_size": facts["batch_size"], "steps_per_epoch": facts["steps_per_epoch"],
            "epochs_a": args.epochs_a, "epochs_b": args.epochs_b,
            "fit_a_seconds": round(t_a, 3), "fit_b_seconds": round(t_b, 3),
            "per_epoch_seconds": round(per_epoch, 4),
            "per_step_seconds": round(per_epoch / facts["steps_per_epoch"], 5),
            "rows_per_second": round(len(df) / per_epoch, 1) if per_epoch > 0 else None,
            "preprocess_seconds": round(preprocess, 3),
            "projected_300_epoch_seconds": round(preprocess + SDV_DEFAULT_EPOCHS * per_epoch, 1),
            "per_epoch_seconds_train_only": round(per_epoch_train, 4),
            "breakdown_a": {k: round(v, 3) for k, v in fa.items()},
            "breakdown_b": {k: round(v, 3) for k, v in fb.items()},
            "options": facts["options"],
        })
        if per_epoch <= 0:
            row["warning"] = "t_b <= t_a: timing noise exceeds the epoch cost; raise --epochs-b"
        rows.append(row)
        print(json.dumps(row), flush=True)

    summary = {
        "data": os.path.basename(args.data), "rows": len(df), "rows_in_file": total_rows,
        "columns_modelled": modelled, "sdtypes": counts, "seed": args.seed,
        "warmup": not args.no_warmup, "threads": threads, "isa": isa, "versions": versions,
        "per_epoch_seconds": {r["synthesizer"]: r.get("per_epoch_seconds") for r in rows},
        "per_epoch_seconds_train_only": {r["synthesizer"]: r.get("per_epoch_seconds_train_only")
                                         for r in rows},
        "preprocess_seconds": {r["synthesizer"]: r.get("preprocess_seconds") for r in rows},
    }
    print(json.dumps({"summary": summary}), flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"summary": summary, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
