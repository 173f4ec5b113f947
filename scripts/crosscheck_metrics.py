#!/usr/bin/env python3
"""Reference ("oracle") values for Doppel's quality / privacy / utility metrics.

Usage:
  python scripts/crosscheck_metrics.py --real REAL.csv --synthetic SYN.csv \
      [--holdout HOLD.csv] [--target COL] [--metadata meta.json] --out result.json \
      [--n-attacks 500] [--dcr-subsample N] [--per-row] [--no-anonymeter] [--seed 0]

Sections of the output JSON (NaN is written as null):
  versions               python package versions that produced the numbers
  sdtypes                column -> SDV sdtype (from --metadata, else auto-detected from REAL)
  quality_report         SDMetrics QualityReport, default settings (pair thresholds on)
  quality_report_all_pairs  same report with both pair thresholds set to 0 (every pair counts)
  single_column          direct sdmetrics.single_column KSComplement / TVComplement per column
  dcr                    distance-to-closest-record figures (needs --holdout)
  ml_efficacy            TSTR / TRTR ROC AUC with LogisticRegression (needs --holdout, --target)
  detection              SDMetrics LogisticDetection score (1 - (2*max(AUC,0.5) - 1), 3-fold CV)
  anonymeter             singling-out / linkability / inference risks (needs --holdout)
See scripts/README.md for the exact definition of every figure.
"""
import argparse
import json
import math
import os
import sys
import time
from importlib.metadata import version

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _oracle_common import (  # noqa: E402
    TABLE, detect_metadata, load_metadata, quiet, sdtypes, single_table_dict,
)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

NUMERIC_SDTYPES = ("numerical", "datetime")
DATETIME_FORMATS = {}  # column -> metadata datetime_format (set in main)


def to_datetime(s):
    """Parse with the metadata's datetime_format: without it pandas infers the format from each
    file's first value, so e.g. %d-%m-%Y dates turn into NaT differently in train and synthetic."""
    return pd.to_datetime(s, format=DATETIME_FORMATS.get(s.name), errors="coerce")
DISCRETE_SDTYPES = ("categorical", "boolean", "ordinal")


# ----------------------------------------------------------------------------- helpers
def clean(obj):
    """Make an object JSON-safe: numpy scalars -> python, NaN/inf -> None."""
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return None if not math.isfinite(float(obj)) else float(obj)
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


def records(df):
    """DataFrame -> list of dicts (JSON-safe)."""
    return clean(df.astype(object).where(df.notna(), None).to_dict(orient="records"))


def summary(values):
    """Distribution summary of a 1-D array of distances."""
    v = np.asarray(values, dtype=float)
    q = np.quantile(v, [0.05, 0.25, 0.5, 0.75, 0.95])
    return {"n": int(v.size), "mean": v.mean(), "min": v.min(), "p05": q[0], "p25": q[1],
            "median": q[2], "p75": q[3], "p95": q[4], "max": v.max(),
            "share_zero": float((v == 0).mean())}


# ----------------------------------------------------------------------------- quality
def quality_report(real, syn, meta, thresholds=True):
    """SDMetrics QualityReport (single table). thresholds=False zeroes the pair thresholds."""
    try:  # SDMetrics >= 0.2x unified report: takes {table: df} and V2 metadata {'tables': ...}
        from sdmetrics.reports import QualityReport
        report, args, kw = QualityReport(), ({TABLE: real}, {TABLE: syn}, {"tables": {TABLE: meta}}), \
            {"table_name": TABLE}
    except ImportError:  # older SDMetrics: single-table report on plain DataFrames
        from sdmetrics.reports.single_table import QualityReport
        report, args, kw = QualityReport(), (real, syn, meta), {}
    if not thresholds:
        report.real_correlation_threshold = 0
        report.real_association_threshold = 0
    report.generate(*args, verbose=False)
    shapes = report.get_details("Column Shapes", **kw)
    pairs = report.get_details("Column Pair Trends", **kw)
    props = report.get_properties()
    return {
        "overall_score": report.get_score(),  # nanmean of the two property scores below
        "column_shapes_score": float(props.loc[props.Property == "Column Shapes", "Score"].iloc[0]),
        "column_pair_trends_score": float(
            props.loc[props.Property == "Column Pair Trends", "Score"].iloc[0]),
        "real_correlation_threshold": getattr(report, "real_correlation_threshold", None),
        "real_association_threshold": getattr(report, "real_association_threshold", None),
        # per column: Column, Metric (KSComplement|TVComplement), Score
        "column_shapes": records(shapes),
        # per pair: Column 1, Column 2, Metric (CorrelationSimilarity|ContingencySimilarity),
        # Score, Real/Synthetic Correlation, Real Association, Meets Threshold?
        "column_pair_trends": records(pairs),
    }


def single_column_scores(real, syn, types):
    """Direct sdmetrics.single_column KSComplement (numerical/datetime) or TVComplement (discrete)."""
    from sdmetrics.single_column import KSComplement, TVComplement
    out = {}
    for col, sdtype in types.items():
        if sdtype in NUMERIC_SDTYPES:
            metric = KSComplement
        elif sdtype in DISCRETE_SDTYPES:
            metric = TVComplement
        else:
            continue  # id / pii / unknown columns are not scored
        r, s = real[col], syn[col]
        if sdtype == "datetime":
            r, s = to_datetime(r), to_datetime(s)
        try:
            out[col] = {"metric": metric.__name__, "score": metric.compute(r, s)}
        except Exception as e:  # noqa: BLE001
            out[col] = {"metric": metric.__name__, "score": None, "error": f"{type(e).__name__}: {e}"}
    return out


# ----------------------------------------------------------------------------- DCR
def encode_for_dcr(df, cols, types, ranges):
    """Numeric columns: value / range (NaN kept). Discrete: integer codes, NaN -> -1."""
    num = [c for c in cols if types[c] in NUMERIC_SDTYPES]
    cat = [c for c in cols if types[c] not in NUMERIC_SDTYPES]
    X = np.column_stack([pd.to_numeric(df[c], errors="coerce").to_numpy(float) for c in num]) \
        if num else np.zeros((len(df), 0))
    def key(s):  # numeric-looking categories compared by value: 4 (int64) == 4.0 (float64 with NaN)
        k = s.map(lambda v: repr(float(v))) if pd.api.types.is_numeric_dtype(s) else s.astype(str)
        return k.where(s.notna(), "\0NA").to_numpy()
    C = np.column_stack([key(df[c]) for c in cat]) if cat else np.zeros((len(df), 0), dtype=object)
    return X, C, np.array([ranges[c] for c in num], dtype=float), num, cat


def plain_dcr(query, reference, cols, types, range_source, chunk=256):
    """Gower-like DCR of every query row to its closest reference row.

    per column distance d_c:
      numerical/datetime: |a - b| / range, capped at 1; range == 0 -> 0 if equal else 1;
                          exactly one side missing -> 1; both missing -> 0
      categorical/boolean/ordinal: 0 if equal (missing == missing) else 1
    distance = mean over the columns of d_c;  DCR = min over reference rows.
    range_source: DataFrame whose max - min gives each numeric column's range.
    """
    def to_num(s):
        if types.get(s.name) == "datetime":
            return to_datetime(s).astype("int64").where(s.notna()) / 1e9
        return pd.to_numeric(s, errors="coerce")

    q = query[cols].copy()
    r = reference[cols].copy()
    rng_df = range_source[cols].copy()
    for c in cols:
        if types[c] in NUMERIC_SDTYPES:
            q[c], r[c], rng_df[c] = to_num(q[c]), to_num(r[c]), to_num(rng_df[c])
    ranges = {c: float(rng_df[c].max() - rng_df[c].min()) for c in cols if types[c] in NUMERIC_SDTYPES}
    qx, qc, rg, num, cat = encode_for_dcr(q, cols, types, ranges)
    rx, rc, _, _, _ = encode_for_dcr(r, cols, types, ranges)
    out = np.empty(len(q))
    for i in range(0, len(q), chunk):
        a = qx[i:i + chunk, None, :]
        b = rx[None, :, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            diff = np.abs(a - b)
            d = np.where(rg > 0, np.minimum(diff / np.where(rg > 0, rg, 1), 1.0), (diff > 0) * 1.0)
        na, nb = np.isnan(a), np.isnan(b)
        d = np.where(na ^ nb, 1.0, np.where(na & nb, 0.0, d))
        total = d.sum(axis=2) + (qc[i:i + chunk, None, :] != rc[None, :, :]).sum(axis=2)
        out[i:i + chunk] = (total / len(cols)).min(axis=1)
    return out


def dcr_section(real, syn, hold, meta, types, subsample, per_row, seed):
    """DCR via SDMetrics (if available) and via plain_dcr; see README for definitions."""
    res = {}
    if subsample:  # same row subsample for every computation below
        real = real.sample(n=min(subsample, len(real)), random_state=seed)
        syn = syn.sample(n=min(subsample, len(syn)), random_state=seed + 1)
        hold = hold.sample(n=min(subsample, len(hold)), random_state=seed + 2)
        res["subsample_rows"] = subsample
    res["rows"] = {"train": len(real), "synthetic": len(syn), "holdout": len(hold)}

    # ---- SDMetrics
    try:
        from sdmetrics.single_table import DCRBaselineProtection, DCROverfittingProtection
        from sdmetrics.single_table.privacy.dcr_utils import calculate_dcr
        sdm = {}
        DCRBaselineProtection._seed = seed  # its uniform-random baseline table is otherwise unseeded
        t0 = time.perf_counter()
        # score = min(median DCR(syn->train) / median DCR(uniform-random->train), 1)
        sdm["DCRBaselineProtection"] = DCRBaselineProtection.compute_breakdown(
            real_data=real, synthetic_data=syn, metadata=meta, table_name=None)
        # score = min(2 * (1 - share of syn rows strictly closer to train than to holdout), 1)
        sdm["DCROverfittingProtection"] = DCROverfittingProtection.compute_breakdown(
            real_training_data=real, synthetic_data=syn, real_validation_data=hold,
            metadata=meta, table_name=None)
        # per-row DCRs with SDMetrics' own distance (numeric ranges taken from the REFERENCE set)
        d_syn_train = calculate_dcr(dataset=syn, reference_dataset=real, metadata=meta).to_numpy()
        d_syn_hold = calculate_dcr(dataset=syn, reference_dataset=hold, metadata=meta).to_numpy()
        d_hold_train = calculate_dcr(dataset=hold, reference_dataset=real, metadata=meta).to_numpy()
        sdm["dcr_synthetic_to_train"] = summary(d_syn_train)
        sdm["dcr_synthetic_to_holdout"] = summary(d_syn_hold)
        sdm["dcr_holdout_to_train"] = summary(d_hold_train)
        sdm["dcr_share_closer_to_train"] = float((d_syn_train < d_syn_hold).mean())
        sdm["seconds"] = time.perf_counter() - t0
        if per_row:
            sdm["per_row"] = {"synthetic_to_train": d_syn_train.tolist(),
                              "synthetic_to_holdout": d_syn_hold.tolist(),
                              "holdout_to_train": d_hold_train.tolist()}
        res["sdmetrics"] = sdm
    except ImportError as e:
        res["sdmetrics"] = {"error": f"not available in this sdmetrics: {e}"}
        d_syn_train = None

    # ---- plain Gower-like version; numeric ranges from the REAL (train) data for every distance.
    # Same columns as SDMetrics' calculate_dcr + ordinal columns (compared as 0/1 mismatch).
    cols = [c for c, t in types.items() if t in NUMERIC_SDTYPES + DISCRETE_SDTYPES]
    p_syn_train = plain_dcr(syn, real, cols, types, range_source=real)
    p_syn_hold = plain_dcr(syn, hold, cols, types, range_source=real)
    p_hold_train = plain_dcr(hold, real, cols, types, range_source=real)
    share = float((p_syn_train < p_syn_hold).mean())
    plain = {
        "columns": cols,
        "dcr_synthetic_to_train": summary(p_syn_train),
        "dcr_synthetic_to_holdout": summary(p_syn_hold),
        "dcr_holdout_to_train": summary(p_hold_train),
        # "DCR share" = share of synthetic rows with DCR(train) < DCR(holdout), strict '<'
        "dcr_share_closer_to_train": share,
        "overfitting_protection_score": min(2 * (1 - share), 1.0),
    }
    if per_row:
        plain["per_row"] = {"synthetic_to_train": p_syn_train.tolist(),
                            "synthetic_to_holdout": p_syn_hold.tolist(),
                            "holdout_to_train": p_hold_train.tolist()}
    res["plain"] = plain

    # ---- self-check: plain_dcr restricted to SDMetrics' columns (no ordinal) and with the
    # reference set's own ranges must reproduce SDMetrics' per-row values exactly.
    if d_syn_train is not None:
        sdm_cols = [c for c, t in types.items() if t in ("numerical", "datetime", "categorical", "boolean")]
        chk_train = plain_dcr(syn, real, sdm_cols, types, range_source=real)
        chk_hold = plain_dcr(syn, hold, sdm_cols, types, range_source=hold)
        res["plain_vs_sdmetrics_max_abs_diff"] = float(max(
            np.abs(chk_train - d_syn_train).max(), np.abs(chk_hold - d_syn_hold).max()))
    return res


# ----------------------------------------------------------------------------- utility
def ml_efficacy(real, syn, hold, target, types):
    """TSTR / TRTR ROC AUC of a LogisticRegression evaluated on the holdout."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    feats = [c for c, t in types.items() if c != target and t in NUMERIC_SDTYPES + DISCRETE_SDTYPES]
    # numeric features: numeric pandas dtype in REAL and sdtype numerical/ordinal/datetime;
    # everything else is one-hot encoded (missing -> its own category)
    num = [c for c in feats if types[c] in ("numerical", "ordinal", "datetime")
           and (pd.api.types.is_numeric_dtype(real[c]) or types[c] == "datetime")]
    cat = [c for c in feats if c not in num]

    def prep(df):
        df = df.dropna(subset=[target]).copy()
        for c in num:
            df[c] = (to_datetime(df[c]).astype("int64").where(df[c].notna()) / 1e9
                     if types[c] == "datetime" else pd.to_numeric(df[c], errors="coerce"))
        for c in cat:
            df[c] = df[c].astype(str).where(df[c].notna(), "__missing__")
        return df[num + cat], df[target].astype(str)

    Xh, yh = prep(hold)
    classes = sorted(set(yh))

    def auc(train):
        X, y = prep(train)
        model = Pipeline([
            ("pre", ColumnTransformer([
                ("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), num),
                ("cat", OneHotEncoder(handle_unknown="ignore"), cat)])),
            ("lr", LogisticRegression(max_iter=1000)),
        ]).fit(X, y)
        proba = pd.DataFrame(model.predict_proba(Xh), columns=model.classes_)
        proba = proba.reindex(columns=sorted(set(model.classes_) | set(classes)), fill_value=0.0)
        if len(classes) == 2:  # binary: score of the larger label (sorted as strings)
            return roc_auc_score(yh == classes[1], proba[classes[1]])
        # multiclass: macro average of one-vs-rest AUCs over the classes present in the holdout
        # (same value as sklearn roc_auc_score(multi_class='ovr', average='macro'))
        return float(np.mean([roc_auc_score(yh == c, proba[c]) for c in classes]))

    return {
        "target": target,
        "kind": "binary" if len(classes) == 2 else f"multiclass_{len(classes)}_macro_ovr",
        "holdout_classes": classes,
        "numeric_features": num,
        "categorical_features": cat,
        "tstr_auc": auc(syn),   # Train on Synthetic, Test on Real holdout
        "trtr_auc": auc(real),  # Train on Real, Test on Real holdout
    }


# ----------------------------------------------------------------------------- detection
def detection_section(real, syn, meta):
    """SDMetrics LogisticDetection: RDT HyperTransformer -> SimpleImputer -> RobustScaler ->
    LogisticRegression(lbfgs), StratifiedKFold(3, shuffle=True; global numpy seed), mean ROC AUC.
    score = 1 - (2 * max(mean AUC, 0.5) - 1); the AUC is recoverable only when it is > 0.5."""
    from sdmetrics.single_table import LogisticDetection
    score = LogisticDetection.compute(real, syn, metadata=meta)
    return {"score": score, "auc_if_above_half": None if score >= 1 else 1 - score / 2}


# ----------------------------------------------------------------------------- anonymeter
def align_types(real, *others):
    """Anonymeter needs identical numeric/non-numeric column kinds in all frames."""
    out = []
    for df in others:
        df = df[real.columns].copy()
        for c in real.columns:
            if pd.api.types.is_numeric_dtype(real[c]):
                df[c] = pd.to_numeric(df[c], errors="coerce")
            else:
                df[c] = df[c].astype(object)
        out.append(df)
    return out


def risk_dict(ev):
    r = ev.risk()
    res = ev.results()
    return {"risk": r.value, "ci": list(r.ci),
            "attack_rate": res.attack_rate.value, "baseline_rate": res.baseline_rate.value,
            "control_rate": None if res.control_rate is None else res.control_rate.value}


def anonymeter_section(real, syn, hold, types, n_attacks, seed, n_link_cols=6, n_neighbors=10):
    from anonymeter.evaluators import (InferenceEvaluator, LinkabilityEvaluator,
                                       SinglingOutEvaluator)
    cols = [c for c, t in types.items() if t in NUMERIC_SDTYPES + DISCRETE_SDTYPES]  # no ids
    ori = real[cols].copy()
    for c in cols:  # bools as object: polars/anonymeter choke on mixed bool/NaN columns
        if ori[c].dtype == bool:
            ori[c] = ori[c].astype(object)
    syn_, ctl = align_types(ori, syn, hold)
    out = {"columns": cols}
    t = {}

    for mode in ("univariate", "multivariate"):
        t0 = time.perf_counter()
        try:
            ev = SinglingOutEvaluator(ori=ori, syn=syn_, control=ctl, n_attacks=n_attacks, seed=seed)
            out[f"singling_out_{mode}"] = risk_dict(ev.evaluate(mode=mode))
        except Exception as e:  # noqa: BLE001  (e.g. too few successful queries)
            out[f"singling_out_{mode}"] = {"error": f"{type(e).__name__}: {e}"}
        t[f"singling_out_{mode}"] = time.perf_counter() - t0

    # Linkability: the first n_link_cols columns split into two halves = the attacker's two
    # datasets. Targets are sampled without replacement, so n_attacks <= rows of train/holdout.
    k = min(n_link_cols, len(cols)) // 2
    aux = (cols[:k], cols[k:2 * k])
    n_link = min(n_attacks, len(ori), len(ctl))
    t0 = time.perf_counter()
    ev = LinkabilityEvaluator(ori=ori, syn=syn_, control=ctl, n_attacks=n_link,
                              aux_cols=aux, n_neighbors=n_neighbors)
    out["linkability"] = {"aux_cols": list(aux), "n_attacks": n_link, "n_neighbors": n_neighbors,
                          **risk_dict(ev.evaluate(n_jobs=1))}
    t["linkability"] = time.perf_counter() - t0

    # Inference: each column in turn is the secret, all other columns are the attacker's aux.
    t0 = time.perf_counter()
    inf = {}
    for secret in cols:
        aux_cols = [c for c in cols if c != secret]
        ev = InferenceEvaluator(ori=ori, syn=syn_, control=ctl, aux_cols=aux_cols, secret=secret,
                                regression=types[secret] == "numerical", n_attacks=n_attacks)
        try:
            inf[secret] = risk_dict(ev.evaluate(n_jobs=1))
        except Exception as e:  # noqa: BLE001
            inf[secret] = {"error": f"{type(e).__name__}: {e}"}
    out["inference"] = inf
    t["inference"] = time.perf_counter() - t0
    out["n_attacks"] = n_attacks
    out["seconds"] = t
    return out


# ----------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", required=True)
    ap.add_argument("--synthetic", required=True)
    ap.add_argument("--holdout")
    ap.add_argument("--target")
    ap.add_argument("--metadata", help="SDV single-table metadata JSON (V1 table dict or V2)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--n-attacks", type=int, default=500)
    ap.add_argument("--dcr-subsample", type=int, help="subsample each set to N rows for DCR")
    ap.add_argument("--per-row", action="store_true", help="also write per-row DCR arrays")
    ap.add_argument("--no-anonymeter", action="store_true")
    ap.add_argument("--no-detection", action="store_true", help="skip SDMetrics LogisticDetection")
    ap.add_argument("--seed", type=int, default=0, help="numpy / sampling seed")
    args = ap.parse_args()
    quiet()
    np.random.seed(args.seed)

    real = pd.read_csv(args.real)
    syn = pd.read_csv(args.synthetic)
    hold = pd.read_csv(args.holdout) if args.holdout else None

    md = load_metadata(args.metadata) if args.metadata else detect_metadata(real)
    meta = single_table_dict(md)
    types = sdtypes(meta)
    DATETIME_FORMATS.update({c: m["datetime_format"] for c, m in meta["columns"].items()
                             if m.get("sdtype") == "datetime" and m.get("datetime_format")})
    print(("metadata from " + args.metadata) if args.metadata else "detected SDV sdtypes:")
    for c, t in types.items():
        print(f"  {c:24s} {t}")

    result = {"inputs": {"real": args.real, "synthetic": args.synthetic, "holdout": args.holdout,
                         "target": args.target, "rows_real": len(real), "rows_synthetic": len(syn),
                         "rows_holdout": None if hold is None else len(hold)},
              "versions": {p: version(p) for p in ("sdv", "sdmetrics", "scikit-learn", "pandas",
                                                   "numpy")},
              "metadata": meta, "sdtypes": types, "seconds": {}}

    def timed(key, fn):
        t0 = time.perf_counter()
        result[key] = fn()
        result["seconds"][key] = time.perf_counter() - t0

    timed("quality_report", lambda: quality_report(real, syn, meta))
    timed("quality_report_all_pairs", lambda: quality_report(real, syn, meta, thresholds=False))
    timed("single_column", lambda: single_column_scores(real, syn, types))
    if not args.no_detection:
        timed("detection", lambda: detection_section(real, syn, meta))
    if hold is not None:
        timed("dcr", lambda: dcr_section(real, syn, hold, meta, types, args.dcr_subsample,
                                         args.per_row, args.seed))
        if args.target:
            timed("ml_efficacy", lambda: ml_efficacy(real, syn, hold, args.target, types))
        if not args.no_anonymeter:
            try:
                import anonymeter  # noqa: F401
                result["versions"]["anonymeter"] = version("anonymeter")
                timed("anonymeter", lambda: anonymeter_section(real, syn, hold, types,
                                                               args.n_attacks, args.seed))
            except ImportError:
                result["anonymeter"] = {"error": "anonymeter not installed"}

    with open(args.out, "w") as f:
        json.dump(clean(result), f, indent=1)
    print_summary(result)


def print_summary(r):
    q, qa = r["quality_report"], r["quality_report_all_pairs"]
    print(f"QualityReport overall {q['overall_score']:.4f}  shapes {q['column_shapes_score']:.4f}"
          f"  pair trends {q['column_pair_trends_score']:.4f}"
          f"  (all pairs, no thresholds: overall {qa['overall_score']:.4f},"
          f" pair trends {qa['column_pair_trends_score']:.4f})")
    sc = r["single_column"]
    print("single column: " + ", ".join(
        f"{c}={v['score']:.3f}" if v.get("score") is not None else f"{c}=NA" for c, v in sc.items()))
    if "dcr" in r:
        d = r["dcr"]
        s = d.get("sdmetrics", {})
        if "DCROverfittingProtection" in s:
            print(f"SDMetrics DCRBaselineProtection {s['DCRBaselineProtection']}")
            print(f"SDMetrics DCROverfittingProtection {s['DCROverfittingProtection']}")
            print(f"  median DCR syn->train {s['dcr_synthetic_to_train']['median']:.4f}"
                  f"  holdout->train {s['dcr_holdout_to_train']['median']:.4f}")
        p = d["plain"]
        print(f"plain DCR share (syn closer to train) {p['dcr_share_closer_to_train']:.4f}"
              f"  median syn->train {p['dcr_synthetic_to_train']['median']:.4f}"
              f"  holdout->train {p['dcr_holdout_to_train']['median']:.4f}"
              f"  | plain-vs-SDMetrics max |diff| {d.get('plain_vs_sdmetrics_max_abs_diff')}")
    if "detection" in r:
        print(f"SDMetrics LogisticDetection score {r['detection']['score']:.4f}")
    if "ml_efficacy" in r:
        m = r["ml_efficacy"]
        print(f"ML efficacy ({m['kind']}, target {m['target']}): TSTR AUC {m['tstr_auc']:.4f}"
              f"  TRTR AUC {m['trtr_auc']:.4f}")
    a = r.get("anonymeter")
    if a and "error" not in a:
        for k in ("singling_out_univariate", "singling_out_multivariate", "linkability"):
            v = a[k]
            print(f"anonymeter {k}: " + (v["error"] if "error" in v else
                                         f"risk {v['risk']:.4f} ci [{v['ci'][0]:.4f}, {v['ci'][1]:.4f}]"))
        print("anonymeter inference risk: " + ", ".join(
            f"{c}={v['risk']:.3f}" if "risk" in v else f"{c}=err" for c, v in a["inference"].items()))
    print("seconds: " + ", ".join(f"{k}={v:.1f}" for k, v in r["seconds"].items()))


if __name__ == "__main__":
    main()
