#!/usr/bin/env python3
"""Time numpy float32 matrix products at the shapes of an MLP training step (batch 500).

Anchor for Doppel's Swift dense kernels: the same three products a fully-connected layer
needs per training step, at the widths SDV's TVAE (128) and CTGAN (256) use, plus 512, a
~300-wide input (roughly the one-hot/mode-specific-normalised width of a wide table such as
support2) and a 1000-wide input.

Usage: python scripts/bench_gemm.py [--repeats 7] [--threads 1] [--out result.json]
           [--shapes 128:128,256:256,...] [--batch 500] [--min-time 0.02] [--seed 0]

--threads sets OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, MKL_NUM_THREADS (and the BLIS/Accelerate
equivalents) before numpy is imported; the thread count BLAS actually reports (threadpoolctl, if
installed) is printed with the results.

--coretype (default auto) sets OPENBLAS_CORETYPE before numpy is imported, unless it is already set:
OpenBLAS 0.3.23 does not know newer Xeons (e.g. family 6 model 207) and falls back to its "Prescott"
SSE kernel there, about a fifth of what the CPU can do, which would make the anchor meaninglessly weak.
auto picks SkylakeX where /proc/cpuinfo lists avx512f, avx512bw and avx512vl, Haswell where it lists
avx2 and fma, and leaves OpenBLAS's own choice otherwise; "none" never sets it. The architecture
OpenBLAS reports (threadpoolctl) is in the printed config.

Forms, with C[M x N] = op(A)[M x K] . op(B)[K x N] (BLAS sgemm conventions, row-major arrays;
numpy passes a transposed view to BLAS as a transpose flag, no copy). For a layer with input
width `in`, output width `out`, batch B (default 500), X[B x in] the layer input, W[in x out]
the weights and G[B x out] the gradient of the loss w.r.t. the layer output:
  nn  forward          Y  = X @ W      A = X[B x in],  B = W[in x out]   M = B,  N = out, K = in
  tn  weight gradient  dW = X.T @ G    A = X[B x in],  B = G[B x out]    M = in, N = out, K = B
  nt  input gradient   dX = G @ W.T    A = G[B x out], B = W[in x out]   M = B,  N = in,  K = out
All three cost 2.M.N.K = 2.B.in.out floating-point operations. The output array is
preallocated (np.matmul(..., out=C)), so allocation is not timed.

Timing: one warm-up call, then the number of inner calls n is doubled until n calls take
>= --min-time (default 20 ms); each of --repeats timings is n back-to-back calls, divided by n.
Reported: median (and min) seconds per product over the repeats and GFLOP/s = 2.M.N.K / median.

Prints one JSON line per (shape, form) on stdout:
  {"in","out","form","M","N","K","inner","median_seconds","min_seconds","gflops"}
then a readable table on stderr (so stdout stays JSON lines). --out writes one JSON document
{"config": {...threads, BLAS, versions}, "rows": [...]}.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

DEFAULT_SHAPES = ("128:128,256:256,512:512,128:256,256:128,128:512,512:128,"
                  "300:128,300:256,128:300,256:300,1000:128")
FORMS = ("nn", "tn", "nt")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads (set before numpy import)")
    ap.add_argument("--out", help="write the full result as one JSON document")
    ap.add_argument("--shapes", default=DEFAULT_SHAPES, help="comma-separated IN:OUT layer widths")
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--min-time", type=float, default=0.02,
                    help="seconds each timing must last at least (sets the inner repetitions)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--coretype", default="auto",
                    help="OPENBLAS_CORETYPE to force: auto (from the CPU flags), none, or a name such as SkylakeX")
    return ap.parse_args()


def set_coretype(choice):
    """Sets OPENBLAS_CORETYPE (see the module doc); returns the value set, or None."""
    if choice == "none" or os.environ.get("OPENBLAS_CORETYPE"):
        return os.environ.get("OPENBLAS_CORETYPE")
    if choice != "auto":
        os.environ["OPENBLAS_CORETYPE"] = choice
        return choice
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return None
    if {"avx512f", "avx512bw", "avx512vl"} <= set(flags):
        os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
    elif {"avx2", "fma"} <= set(flags):
        os.environ["OPENBLAS_CORETYPE"] = "Haswell"
    return os.environ.get("OPENBLAS_CORETYPE")


def set_threads(n):
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = str(n)


def blas_info(np):
    info = {}
    try:
        deps = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["blas"] = deps.get("name")
        info["blas_version"] = deps.get("version")
    except Exception:  # numpy < 1.26 has no mode="dicts"
        pass
    try:
        from threadpoolctl import threadpool_info
        pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        info["blas_pools"] = [{k: p.get(k) for k in ("internal_api", "version", "num_threads",
                                                     "threading_layer", "architecture")}
                              for p in pools]
    except ImportError:
        info["blas_pools"] = None
    return info


def operands(np, rng, form, batch, n_in, n_out):
    """(A, B, C) so that np.matmul(A, B, out=C) is the product of `form`."""
    def rand(*shape):
        return rng.standard_normal(shape, dtype=np.float32)

    x, w, g = rand(batch, n_in), rand(n_in, n_out), rand(batch, n_out)
    if form == "nn":
        return x, w, np.empty((batch, n_out), np.float32), (batch, n_out, n_in)
    if form == "tn":
        return x.T, g, np.empty((n_in, n_out), np.float32), (n_in, n_out, batch)
    if form == "nt":
        return g, w.T, np.empty((batch, n_in), np.float32), (batch, n_in, n_out)
    raise ValueError(form)


def time_product(np, a, b, c, repeats, min_time):
    matmul = np.matmul
    matmul(a, b, out=c)  # warm-up
    inner = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(inner):
            matmul(a, b, out=c)
        dt = time.perf_counter() - t0
        if dt >= min_time:
            break
        # jump close to the target instead of only doubling when far below it
        inner = max(inner * 2, int(inner * min_time / max(dt, 1e-9) * 1.2))
    times = [dt / inner]
    for _ in range(max(1, repeats) - 1):
        t0 = time.perf_counter()
        for _ in range(inner):
            matmul(a, b, out=c)
        times.append((time.perf_counter() - t0) / inner)
    return inner, times


def main():
    args = parse_args()
    set_threads(args.threads)
    coretype = set_coretype(args.coretype)
    import numpy as np  # only now: BLAS reads its thread count when the library loads

    shapes = [tuple(int(v) for v in s.split(":")) for s in args.shapes.split(",") if s]
    rng = np.random.default_rng(args.seed)
    config = {"threads_requested": args.threads, "batch": args.batch, "repeats": args.repeats,
              "min_time": args.min_time, "numpy": np.__version__,
              "python": platform.python_version(), "machine": platform.machine(),
              "cpu_count": os.cpu_count(), "openblas_coretype_set": coretype, **blas_info(np)}
    print(f"config: {json.dumps(config)}", file=sys.stderr)

    rows = []
    for n_in, n_out in shapes:
        for form in FORMS:
            a, b, c, (m, n, k) = operands(np, rng, form, args.batch, n_in, n_out)
            inner, times = time_product(np, a, b, c, args.repeats, args.min_time)
            med = statistics.median(times)
            row = {"in": n_in, "out": n_out, "form": form, "M": m, "N": n, "K": k,
                   "inner": inner, "median_seconds": round(med, 9),
                   "min_seconds": round(min(times), 9),
                   "gflops": round(2.0 * m * n * k / med / 1e9, 3)}
            rows.append(row)
            print(json.dumps(row), flush=True)

    lines = [f"{'in':>5} {'out':>5} {'form':>4} {'M':>5} {'N':>5} {'K':>5} {'inner':>6} "
             f"{'median us':>10} {'GFLOP/s':>8}"]
    for r in rows:
        lines.append(f"{r['in']:>5} {r['out']:>5} {r['form']:>4} {r['M']:>5} {r['N']:>5} "
                     f"{r['K']:>5} {r['inner']:>6} {r['median_seconds'] * 1e6:>10.1f} "
                     f"{r['gflops']:>8.2f}")
    print("\n".join(lines), file=sys.stderr)
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"config": config, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
