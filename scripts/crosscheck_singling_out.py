#!/usr/bin/env python3
"""Why Doppel's singling-out risk and Anonymeter's differ on small tables (developer-side check).

Runs Anonymeter 1.1's univariate singling-out on a train / holdout / synthetic split, then the same
queries with the estimator Doppel uses: the training table subsampled to the holdout's size, so that
"isolates exactly one row" has the same chance in the attacked set and in the control, with no model of
how that chance grows with size. Anonymeter instead scales the control count by a fitted size model;
with a control smaller than 1,000 rows every subsample it fits on has the control's own size.

    python3 scripts/crosscheck_singling_out.py --dir /tmp/xc/heart_disease_uci   # train.csv, holdout.csv, synthetic.csv
"""
import argparse
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
from anonymeter.evaluators import SinglingOutEvaluator  # noqa: E402
from anonymeter.evaluators.singling_out_evaluator import (  # noqa: E402
    _evaluate_queries_and_return_successful, _generate_singling_out_queries, fit_correction_term)
from anonymeter.stats.confidence import EvaluationResults  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True, help="folder with train.csv, holdout.csv, synthetic.csv")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--subsamples", type=int, default=20)
    a = ap.parse_args()
    tr, ho, sy = (pd.read_csv(f"{a.dir}/{n}.csv") for n in ("train", "holdout", "synthetic"))
    print(f"rows: train {len(tr)}, holdout {len(ho)}, synthetic {len(sy)}")
    for seed in range(a.seeds):
        ev = SinglingOutEvaluator(ori=tr, syn=sy, control=ho, n_attacks=500, seed=seed).evaluate(mode="univariate")
        r = ev.risk()
        print(f"seed {seed}: Anonymeter: {ev._n_success} queries isolate in train, control {ev._n_control:.1f} after its "
              f"size correction; risk {r.value:.4f}, CI [{r.ci[0]:.4f}, {r.ci[1]:.4f}]")
        queries = _generate_singling_out_queries(df=ev._syn, mode="univariate", n_attacks=500, n_cols=1,
                                                 max_attempts=None, rng=np.random.default_rng(seed))
        nc = len(_evaluate_queries_and_return_successful(df=ev._control, queries=queries))
        risks = []
        for rep in range(a.subsamples):
            sub = ev._ori.sample(len(ev._control), seed=rep)
            ns = len(_evaluate_queries_and_return_successful(df=sub, queries=queries))
            risks.append(EvaluationResults(n_attacks=len(queries), n_success=ns, n_baseline=0, n_control=nc,
                                           confidence_level=0.95).risk().value)
        fm = fit_correction_term(df=ev._control, queries=queries)
        print(f"   equal sizes ({len(queries)} queries, train subsampled to {len(ev._control)} rows, {a.subsamples} subsamples): "
              f"risk mean {np.mean(risks):.4f}, range {min(risks):.4f}-{max(risks):.4f}; Anonymeter's correction factor "
              f"{fm(len(ev._ori)) / fm(len(ev._control)):.3f} (size ratio {len(ev._control) / len(ev._ori):.3f})")


if __name__ == "__main__":
    main()
