#!/usr/bin/env python3
"""Cross-check Doppel's evaluate report against the Python reference tools, on every dataset.

Usage:
  python scripts/crosscheck_doppel.py [--doppel /tmp/xcheck-bin/doppel] [--data-dir ../shared/data]
      [--work /tmp/xc] [--datasets heart_disease_uci,pbc_mayo] [--n-attacks 500]
      [--dcr-subsample-big 1000] [--render-only] [--out scripts/CROSSCHECK.md]

Per dataset D (target T from TARGETS):
  1. train/holdout = seeded 80/20 row split (pandas sample(frac=0.8, random_state=0)); values kept as text.
  2. doppel inspect train.csv --schema-out schema.json
     doppel fit train.csv --schema schema.json --seed 1 -o model.doppel
     doppel sample model.doppel -n len(train) --seed 2 -o synthetic.csv
  3. doppel evaluate --train train.csv --holdout holdout.csv --synthetic synthetic.csv
       --schema schema.json --target T -o out   (exit 3 = release gate failed: fine)
     heart_disease_uci also gets --sensitive sex --quasi-identifiers age,sex,dataset
  4. schema.json -> SDV metadata (numeric -> numerical, datetime -> datetime + datetime_format,
     categorical -> categorical, identifier -> id, text -> id) and
     python scripts/crosscheck_metrics.py --real train.csv --synthetic synthetic.csv
       --holdout holdout.csv --target T --metadata sdv_metadata.json --no-anonymeter --out ref.json
     (+ --dcr-subsample N on the big tables: SDMetrics' DCR is quadratic)
  5. extra references computed here: a scikit-learn logistic regression matched to Doppel's
     settings (see doppel_matched_lr), per-column KS/TV recomputed in numpy, and for heart the
     Anonymeter risks with Doppel's attack settings.
  6. one Markdown table -> --out, also printed.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from importlib.metadata import version

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _oracle_common import quiet  # noqa: E402

TARGETS = {
    "heart_disease_uci": "num",
    "support2": "hospdead",
    "thyroid0387": "target",
    "covid_testing_chop": "result",
    "gbsg_lymph_node_dates": "censdead",
    "pbc_mayo": "status",
}
BIG = {"support2", "thyroid0387", "covid_testing_chop"}
EXTRA_EVAL = {"heart_disease_uci": ["--sensitive", "sex", "--quasi-identifiers", "age,sex,dataset"]}
COMMANDS = []  # every external command run, for the report


def run(cmd, cwd, ok=(0,)):
    COMMANDS.append(f"(cd {cwd} && {' '.join(cmd)})")
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if p.returncode not in ok:
        raise RuntimeError(f"{cmd} -> {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p, time.perf_counter() - t0


# ----------------------------------------------------------------------------- steps 1-3
def split(src, wd):
    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    tr = df.sample(frac=0.8, random_state=0)
    ho = df.drop(tr.index)
    tr.to_csv(os.path.join(wd, "train.csv"), index=False)
    ho.to_csv(os.path.join(wd, "holdout.csv"), index=False)
    return len(tr), len(ho)


def doppel_pipeline(doppel, wd, n_train, target, extra):
    run([doppel, "inspect", "train.csv", "--schema-out", "schema.json"], wd)
    run([doppel, "fit", "train.csv", "--schema", "schema.json", "--seed", "1", "-o", "model.doppel"], wd)
    run([doppel, "sample", "model.doppel", "-n", str(n_train), "--seed", "2", "-o", "synthetic.csv"], wd)
    ev = [doppel, "evaluate", "--train", "train.csv", "--holdout", "holdout.csv",
          "--synthetic", "synthetic.csv", "--schema", "schema.json", "--target", target, *extra, "-o", "out"]
    dropped = drop_unseen_holdout_categories(wd)  # doppel evaluate exits 65 on them
    p, sec = run(ev, wd, ok=(0, 3))
    with open(os.path.join(wd, "out", "report.json")) as f:
        return json.load(f), p.returncode, sec, dropped


def drop_unseen_holdout_categories(wd):
    """`doppel evaluate` rejects (exit 65) holdout values of a categorical column that are not among
    the schema's categories (the schema comes from train). Drop those holdout rows, rewrite holdout.csv
    and return {column: [dropped values]} (empty when nothing was dropped)."""
    schema = json.load(open(os.path.join(wd, "schema.json")))
    ho = pd.read_csv(os.path.join(wd, "holdout.csv"), dtype=str, keep_default_na=False)
    keep = np.ones(len(ho), bool)
    dropped = {}
    for c in schema["columns"]:
        if c["kind"] != "categorical":
            continue
        bad = ~ho[c["name"]].isin(c["categories"] + [""])
        if bad.any():
            dropped[c["name"]] = sorted(ho.loc[bad, c["name"]].unique().tolist())
            keep &= ~bad.to_numpy()
    if dropped:
        ho[keep].to_csv(os.path.join(wd, "holdout.csv"), index=False)
    return dropped


# ----------------------------------------------------------------------------- step 4
def schema_to_sdv(schema):
    cols = {}
    for c in schema["columns"]:
        k = c["kind"]
        if k == "numeric":
            cols[c["name"]] = {"sdtype": "numerical"}
        elif k == "datetime":
            cols[c["name"]] = {"sdtype": "datetime", "datetime_format": c["format"]}
        elif k == "categorical":
            cols[c["name"]] = {"sdtype": "categorical"}
        else:  # identifier, text: not modelled on either side
            cols[c["name"]] = {"sdtype": "id"}
    return {"columns": cols, "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1"}


# ----------------------------------------------------------------------------- numpy helpers
def read_typed(path, schema):
    """Read a CSV as text and convert per Doppel kind: numeric -> float, datetime -> seconds,
    categorical -> str with '' = missing (None)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    out = {}
    for c in schema["columns"]:
        n, k = c["name"], c["kind"]
        s = df[n]
        if k == "numeric":
            out[n] = pd.to_numeric(s.where(s != ""), errors="coerce").to_numpy(float)
        elif k == "datetime":
            d = pd.to_datetime(s.where(s != ""), format=c["format"], errors="coerce")
            out[n] = np.where(d.isna(), np.nan, d.astype("int64") / 1e9)
        elif k == "categorical":
            out[n] = s.where(s != "", None).to_numpy(object)
    return out


def ks_complement(a, b):
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    x = np.union1d(a, b)
    fa = np.searchsorted(np.sort(a), x, side="right") / len(a)
    fb = np.searchsorted(np.sort(b), x, side="right") / len(b)
    return 1 - np.abs(fa - fb).max()


def tv_sdmetrics(a, b):
    """SDMetrics TVComplement: missing dropped, union of categories."""
    a = pd.Series(a).dropna(); b = pd.Series(b).dropna()
    pa, pb = a.value_counts(normalize=True), b.value_counts(normalize=True)
    idx = pa.index.union(pb.index)
    return 1 - 0.5 * np.abs(pa.reindex(idx, fill_value=0) - pb.reindex(idx, fill_value=0)).sum()


def tv_doppel_def(a, b):
    """Doppel's definition (ColumnShapes.swift): missing is a category; only categories seen in
    real; synthetic frequencies renormalised over them."""
    a = pd.Series(a).fillna("\0NA"); b = pd.Series(b).fillna("\0NA")
    pa = a.value_counts(normalize=True)
    pb = b.value_counts().reindex(pa.index, fill_value=0)
    pb = pb / pb.sum() if pb.sum() > 0 else pb
    return 1 - 0.5 * np.abs(pa - pb).sum()


# ----------------------------------------------------------------------------- matched LR
def doppel_matched_lr(schema, train, hold, syn, target, lam=1e-3):
    """scikit-learn LogisticRegression with Doppel's settings: encoder fitted on TRAIN (used for
    train, synthetic and holdout alike); numeric/datetime -> (x - mean)/population sd, missing -> 0
    plus a 0/1 indicator if train has missing; categorical -> one-hot over the schema categories
    + a missing level; multinomial L2 with lambda on the mean-loss scale: C = 1/(lambda*n)
    (binary: sklearn's single weight vector = w1 - w0 of Doppel's 2-class softmax, so C = 2/(lambda*n))."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    feats = [c for c in schema["columns"] if c["kind"] in ("numeric", "datetime", "categorical")
             and c["name"] != target]
    tcol = next(c for c in schema["columns"] if c["name"] == target)
    levels = tcol["categories"]

    def enc(tab):
        blocks = []
        for c in feats:
            v = tab[c["name"]]
            if c["kind"] == "categorical":
                cats = c["categories"]
                m = np.zeros((len(v), len(cats) + 1))
                pos = {x: i for i, x in enumerate(cats)}
                for i, x in enumerate(v):
                    m[i, pos.get(x, len(cats)) if x is not None else len(cats)] = 1
                blocks.append(m)
            else:
                r = train[c["name"]]
                pres = r[~np.isnan(r)]
                mu, sd = pres.mean(), max(pres.std(), 1e-12)
                z = np.where(np.isnan(v), 0.0, (v - mu) / sd)
                blocks.append(z[:, None])
                if np.isnan(r).any():
                    blocks.append(np.isnan(v)[:, None].astype(float))
        X = np.hstack(blocks)
        y = tab[target]
        keep = np.array([t is not None for t in y])
        return X[keep], np.array([levels.index(t) if t in levels else -1 for t in y[keep]])

    Xh, yh = enc(hold)
    present = sorted(set(yh))

    def auc(tab):
        X, y = enc(tab)
        k = len(set(y))
        C = (2.0 if k == 2 else 1.0) / (lam * len(y))
        m = LogisticRegression(C=C, max_iter=5000, tol=1e-8).fit(X, y)
        P = np.zeros((len(Xh), len(levels)))
        P[:, m.classes_] = m.predict_proba(Xh)
        if len(present) == 2:
            return roc_auc_score(yh == present[1], P[:, present[1]])
        return float(np.mean([roc_auc_score(yh == c, P[:, c]) for c in present]))

    return {"tstr_auc": auc(syn), "trtr_auc": auc(train)}


# ----------------------------------------------------------------------------- anonymeter
def anonymeter_heart(wd, schema, n_attacks, secret="sex", qi=("age", "sex", "dataset")):
    """Anonymeter with Doppel's settings: inference secret with all other modelled columns as aux;
    linkability aux = first half / second half of the quasi-identifiers; singling-out univariate."""
    from anonymeter.evaluators import InferenceEvaluator, LinkabilityEvaluator, SinglingOutEvaluator
    np.random.seed(0)  # Anonymeter samples attack targets with the global numpy RNG
    kinds = {c["name"]: c["kind"] for c in schema["columns"]}
    cols = [c for c, k in kinds.items() if k in ("numeric", "datetime", "categorical")]
    frames = [pd.read_csv(os.path.join(wd, f))[cols] for f in ("train.csv", "synthetic.csv", "holdout.csv")]
    ori, syn, ctl = frames
    for c in cols:
        num = kinds[c] == "numeric"
        for df in frames:
            df[c] = pd.to_numeric(df[c], errors="coerce") if num else df[c].astype(str).where(df[c].notna(), None)

    def rd(ev):
        r = ev.risk(); res = ev.results()
        return {"risk": r.value, "ci": list(r.ci), "attack_rate": res.attack_rate.value,
                "control_rate": res.control_rate.value if res.control_rate else None,
                "n_attacks": ev.n_attacks if hasattr(ev, "n_attacks") else None}
    out = {}
    n_inf = min(n_attacks, len(ctl))
    ev = InferenceEvaluator(ori=ori, syn=syn, control=ctl, aux_cols=[c for c in cols if c != secret],
                            secret=secret, regression=kinds[secret] == "numeric", n_attacks=n_inf)
    out["inference"] = rd(ev.evaluate(n_jobs=1))
    h = len(qi) // 2
    aux = (list(qi[:h]), list(qi[h:]))
    n_link = min(n_attacks, len(ori), len(ctl))
    ev = LinkabilityEvaluator(ori=ori, syn=syn, control=ctl, n_attacks=n_link, aux_cols=aux, n_neighbors=1)
    out["linkability_k1"] = rd(ev.evaluate(n_jobs=1))
    ev = LinkabilityEvaluator(ori=ori, syn=syn, control=ctl, n_attacks=n_link, aux_cols=aux, n_neighbors=10)
    out["linkability_k10"] = rd(ev.evaluate(n_jobs=1))
    try:
        ev = SinglingOutEvaluator(ori=ori, syn=syn, control=ctl, n_attacks=n_attacks, seed=0)
        out["singling_out_univariate"] = rd(ev.evaluate(mode="univariate"))
    except Exception as e:  # noqa: BLE001
        out["singling_out_univariate"] = {"error": str(e)}
    out["aux_link"] = aux
    return out


def dcr_share_matched(wd, types, meta, reps=5, max_syn=2000):
    """DCR share the way Doppel defines it: the train set subsampled to the holdout's size, then the
    share of synthetic rows closer to that subsample than to the holdout, ties counting 1/2; plain
    Gower distance (crosscheck_metrics.plain_dcr, train ranges). Mean over `reps` random subsamples
    (synthetic rows capped at max_syn)."""
    import crosscheck_metrics as cm
    cm.DATETIME_FORMATS.update({c: m["datetime_format"] for c, m in meta["columns"].items()
                                if m.get("datetime_format")})
    tr, sy, ho = (pd.read_csv(os.path.join(wd, f)) for f in ("train.csv", "synthetic.csv", "holdout.csv"))
    if len(sy) > max_syn:
        sy = sy.sample(n=max_syn, random_state=0)
    cols = [c for c, t in types.items() if t in cm.NUMERIC_SDTYPES + cm.DISCRETE_SDTYPES]
    d_ho = cm.plain_dcr(sy, ho, cols, types, range_source=tr)
    shares = []
    for k in range(reps):
        sub = tr.sample(n=min(len(tr), len(ho)), random_state=k)
        d_tr = cm.plain_dcr(sy, sub, cols, types, range_source=tr)
        shares.append(float(((d_tr < d_ho) + 0.5 * (d_tr == d_ho)).mean()))
    return {"mean": float(np.mean(shares)), "min": min(shares), "max": max(shares), "reps": reps,
            "synthetic_rows": len(sy)}


# ----------------------------------------------------------------------------- per dataset
def process(name, args):
    del COMMANDS[:]
    wd = os.path.join(args.work, name)
    os.makedirs(wd, exist_ok=True)
    target = TARGETS[name]
    n_tr, n_ho = split(os.path.join(args.data_dir, name + ".csv"), wd)
    rep, rc, sec, dropped = doppel_pipeline(args.doppel, wd, n_tr, target, EXTRA_EVAL.get(name, []))
    schema = json.load(open(os.path.join(wd, "schema.json")))
    with open(os.path.join(wd, "sdv_metadata.json"), "w") as f:
        json.dump(schema_to_sdv(schema), f, indent=1)
    cmd = [sys.executable, os.path.join(HERE, "crosscheck_metrics.py"), "--real", "train.csv",
           "--synthetic", "synthetic.csv", "--holdout", "holdout.csv", "--target", target,
           "--metadata", "sdv_metadata.json", "--no-anonymeter", "--out", "ref.json"]
    if name in BIG and args.dcr_subsample_big:
        cmd += ["--dcr-subsample", str(args.dcr_subsample_big)]
    run(cmd, wd)
    ref = json.load(open(os.path.join(wd, "ref.json")))
    tabs = {f: read_typed(os.path.join(wd, f + ".csv"), schema) for f in ("train", "holdout", "synthetic")}
    # per-column KS / TV recomputed in numpy (both definitions for TV)
    hand = {}
    for c in schema["columns"]:
        n = c["name"]
        if c["kind"] in ("numeric", "datetime"):
            hand[n] = {"ks": ks_complement(tabs["train"][n], tabs["synthetic"][n])}
        elif c["kind"] == "categorical":
            hand[n] = {"tv_sdmetrics": tv_sdmetrics(tabs["train"][n], tabs["synthetic"][n]),
                       "tv_doppel_def": tv_doppel_def(tabs["train"][n], tabs["synthetic"][n])}
    dcr_matched = dcr_share_matched(wd, ref["sdtypes"], ref["metadata"])
    matched = doppel_matched_lr(schema, tabs["train"], tabs["holdout"], tabs["synthetic"], target)
    anon = None
    if name == "heart_disease_uci" and not args.no_anonymeter:
        anon = anonymeter_heart(wd, schema, args.n_attacks)
    res = {"name": name, "target": target, "rows": [n_tr, n_ho], "doppel_rc": rc, "holdout_dropped": dropped, "holdout_rows_after_drop": len(pd.read_csv(os.path.join(wd, "holdout.csv"))), "doppel": rep,
           "ref": ref, "hand": hand, "matched_lr": matched, "dcr_share_matched": dcr_matched, "anonymeter": anon,
           "eval_seconds": sec, "commands": list(COMMANDS)}
    with open(os.path.join(wd, "crosscheck.json"), "w") as f:
        json.dump(res, f, indent=1, default=float)
    return res


# ----------------------------------------------------------------------------- table
def fmt(x):
    return "–" if x is None else (f"{x:.4f}" if isinstance(x, (float, int, np.floating)) else str(x))


def rows_for(r):
    d, ref, q = r["doppel"], r["ref"], r["doppel"]["quality"]
    qr, qa = ref["quality_report"], ref["quality_report_all_pairs"]
    out = []

    def add(fig, a, b, note=""):
        diff = abs(a - b) if a is not None and b is not None else None
        flag = " **>0.01**" if diff is not None and diff > 0.01 else ""
        out.append(f"| {r['name']} | {fig} | {fmt(a)} | {fmt(b)} | {fmt(diff)}{flag} | {note} |")

    note = "SDMetrics QualityReport (thresholds on)"
    if r.get("holdout_dropped"):
        note += (f"; {r['rows'][1] - r['holdout_rows_after_drop']} holdout rows dropped (categories unseen in "
                 f"train, doppel evaluate exits 65 on them): {r['holdout_dropped']}")
    add("Quality score", q["score"], qr["overall_score"], note)
    add("Column Shapes", q["columnShapes"], qr["column_shapes_score"])
    add("Column Pair Trends", q["columnPairTrends"], qr["column_pair_trends_score"],
        f"pairs counted: Doppel {sum(p['contributes'] for p in q['pairs'])}/{len(q['pairs'])}, "
        f"SDMetrics {sum(bool(p['Meets Threshold?']) for p in qr['column_pair_trends'])}/{len(qr['column_pair_trends'])}")
    add("Column Pair Trends, all pairs", q["columnPairTrendsAllPairs"], qa["column_pair_trends_score"],
        "SDMetrics thresholds 0")
    sdm = {x["Column"]: x for x in qr["column_shapes"]}
    for metric in ("KSComplement", "TVComplement"):
        diffs = [(abs(s["score"] - sdm[s["columns"][0]]["Score"]), s["columns"][0], s["score"],
                  sdm[s["columns"][0]]["Score"]) for s in q["shapes"]
                 if s["metric"] == metric and s["columns"][0] in sdm and sdm[s["columns"][0]]["Score"] is not None]
        if diffs:
            m = max(diffs)
            bad = [c for dd, c, _, _ in diffs if dd > 0.01]
            add(f"per-column {metric} max", m[2], m[3],
                f"max at `{m[1]}` ({len(diffs)} cols; >0.01: {', '.join(bad) or 'none'})")
    u, me, ml = d.get("utility"), ref.get("ml_efficacy"), r["matched_lr"]
    if u:
        lr_t = next(x for x in u["tstr"] if x["learner"] == "logistic regression")
        lr_r = next(x for x in u["trtr"] if x["learner"] == "logistic regression")
        add("TSTR AUC (LR)", lr_t["auc"], me["tstr_auc"], f"sklearn default C=1; matched: {fmt(ml['tstr_auc'])}")
        add("TSTR AUC (LR), matched settings", lr_t["auc"], ml["tstr_auc"], "C=1/(λn), Doppel encoder")
        add("TRTR AUC (LR)", lr_r["auc"], me["trtr_auc"], f"sklearn default C=1; matched: {fmt(ml['trtr_auc'])}")
        add("TRTR AUC (LR), matched settings", lr_r["auc"], ml["trtr_auc"], "C=1/(λn), Doppel encoder")
    if "detection" in ref:
        add("Detection score", d["detection"]["score"], ref["detection"]["score"],
            f"Doppel AUC {d['detection']['auc']:.3f} ({d['detection'].get('folds', 5)}-fold); SDMetrics 3-fold random CV, RobustScaler, not deterministic")
    p = d["privacy"]
    dcr = ref["dcr"]
    sub = f"ref subsample {dcr['subsample_rows']} rows/set; " if "subsample_rows" in dcr else ""
    sd = dcr.get("sdmetrics", {})
    add("DCR share (syn closer to train)", p["dcrShare"]["value"], dcr["plain"]["dcr_share_closer_to_train"],
        sub + f"ref = plain strict '<'; SDMetrics {fmt(sd.get('dcr_share_closer_to_train'))}; Doppel ties = 1/2")
    if r.get("dcr_share_matched"):
        m = r["dcr_share_matched"]
        add("DCR share, Doppel's definition", p["dcrShare"]["value"], m["mean"],
            f"ref: train subsampled to holdout size, ties 1/2, mean of {m['reps']} subsamples "
            f"(range {m['min']:.3f}–{m['max']:.3f}; {m['synthetic_rows']} syn rows); Doppel: 1 seeded subsample")
    add("median DCR syn→train", p["dcrSyntheticMedian"], dcr["plain"]["dcr_synthetic_to_train"]["median"],
        sub + f"plain (missing=1); SDMetrics {fmt(sd.get('dcr_synthetic_to_train', {}).get('median'))}")
    add("median DCR holdout→train", p["dcrHoldoutMedian"], dcr["plain"]["dcr_holdout_to_train"]["median"],
        sub + f"plain (missing=1); SDMetrics {fmt(sd.get('dcr_holdout_to_train', {}).get('median'))}")
    a = r.get("anonymeter")
    if a:
        rk = d["risks"]
        inf, link = rk["inference"][0], rk["linkability"]
        ai = a["inference"]
        add("Anonymeter inference (sex) risk", inf["risk"]["value"], ai["risk"],
            f"CI Doppel [{inf['risk']['lower']:.3f},{inf['risk']['upper']:.3f}] vs "
            f"[{ai['ci'][0]:.3f},{ai['ci'][1]:.3f}]; attack {inf['attackRate']:.3f}/{ai['attack_rate']:.3f}, "
            f"control {inf['controlRate']:.3f}/{ai['control_rate']:.3f}")
        for key in ("linkability_k1", "linkability_k10"):
            al = a[key]
            add(f"Anonymeter linkability ({key[-3:]})", link["risk"]["value"], al["risk"],
                f"aux {a['aux_link']}; CI Doppel [{link['risk']['lower']:.3f},{link['risk']['upper']:.3f}] vs "
                f"[{al['ci'][0]:.3f},{al['ci'][1]:.3f}]; attack {link['attackRate']:.3f}/{al['attack_rate']:.3f}")
        so, aso = rk["singlingOut"], a["singling_out_univariate"]
        if "risk" in aso:
            add("Anonymeter singling-out univariate", so["risk"]["value"], aso["risk"],
                f"CI Doppel [{so['risk']['lower']:.3f},{so['risk']['upper']:.3f}] vs [{aso['ci'][0]:.3f},{aso['ci'][1]:.3f}]; "
                f"Doppel {so['attacks']} attacks; Anonymeter unseeded parts")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--doppel", default="/tmp/xcheck-bin/doppel")
    ap.add_argument("--data-dir", default=os.path.join(HERE, "..", "..", "shared", "data"))
    ap.add_argument("--work", default="/tmp/xc")
    ap.add_argument("--datasets", default=",".join(TARGETS))
    ap.add_argument("--n-attacks", type=int, default=500)
    ap.add_argument("--dcr-subsample-big", type=int, default=1000)
    ap.add_argument("--no-anonymeter", action="store_true")
    ap.add_argument("--out", default=os.path.join(HERE, "CROSSCHECK.md"))
    ap.add_argument("--render-only", action="store_true",
                    help="only rebuild the table from WORK/<dataset>/crosscheck.json of earlier runs")
    args = ap.parse_args()
    args.data_dir = os.path.abspath(args.data_dir)
    quiet()
    results = []
    for name in args.datasets.split(","):
        t0 = time.perf_counter()
        if args.render_only:
            with open(os.path.join(args.work, name, "crosscheck.json")) as f:
                results.append(json.load(f))
            continue
        results.append(process(name, args))
        print(f"[{name}] done in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    dv = subprocess.run([args.doppel, "--version"], capture_output=True, text=True).stdout.strip()
    vers = {p: version(p) for p in ("sdv", "sdmetrics", "anonymeter", "scikit-learn", "pandas", "numpy")}
    lines = ["# Doppel vs Python reference tools", "",
             f"Doppel {dv} (`{args.doppel}`); Python {sys.version.split()[0]}; "
             + ", ".join(f"{k} {v}" for k, v in vers.items()), "",
             f"Generated by `python scripts/crosscheck_doppel.py --datasets {args.datasets}` "
             f"(work dir `{args.work}`). |diff| > 0.01 flagged in bold.", "",
             "| dataset | figure | Doppel | reference | \\|diff\\| | note |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in results:
        lines += rows_for(r)
    lines += ["", "## Commands", "", "```sh"] + [c for r in results for c in r.get("commands", [])] + ["```", ""]
    text = "\n".join(lines)
    with open(args.out, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
