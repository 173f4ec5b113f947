#!/usr/bin/env python3
"""Reference table from Opacus's RDP accountant for DP-SGD (Poisson-subsampled Gaussian mechanism).

Developer-side oracle only: Doppel's Swift RDP accountant is tested against the numbers this
prints (tolerance 1%). Nothing in the Swift package runs Python.

Usage:
    python scripts/crosscheck_rdp.py --out scripts/fixtures/opacus_rdp_cases.json > /tmp/opacus_rdp_swift.txt
    python scripts/crosscheck_rdp.py --selfcheck     # also check Opacus's series against mpmath quadrature

stdout: two Swift array literals (epsilon cases, noise-calibration cases). stderr: progress,
skipped cases, version info. Works with the installed opacus 0.14.0 (pinned by smartnoise-synth)
and with opacus >= 1.0 (checked against 1.6.0 in a throw-away venv: identical output).

What Opacus computes (read from opacus 0.14.0 `privacy_analysis.py` / `privacy_engine.py`, and
1.6.0 `accountants/{rdp,utils}.py` + `accountants/analysis/rdp.py`; the RDP and conversion
math is the same in both, only the noise-calibration search differs):

Orders. DEFAULT_ALPHAS = [1 + x/10 for x = 1..99] + [12, 13, ..., 63]: 151 orders,
  1.1, 1.2, ..., 10.9 (step 0.1, as the doubles 1 + x/10.0), then the integers 12..63.
  11 is NOT in the list. The entries 2.0, 3.0, ..., 10.0 are integer-valued, so they take
  the integer-order formula below; the other 90 in [1.1, 10.9] take the fractional one.
  (0.14: `opacus.privacy_engine.DEFAULT_ALPHAS`; >= 1.0: `RDPAccountant.DEFAULT_ALPHAS`.)

RDP of one step of the sampled Gaussian mechanism (sampling rate q, noise multiplier sigma,
  sensitivity 1), Mironov, Talwar & Zhang 2019, "Renyi Differential Privacy of the Sampled
  Gaussian Mechanism" (arXiv:1908.10530), Section 3.3:
  - q == 0 -> 0;  sigma == 0 -> inf;  q == 1 -> alpha / (2 sigma^2) (plain Gaussian);
    alpha == inf -> inf.
  - otherwise RDP(alpha) = log(A_alpha) / (alpha - 1), with
    A_alpha = E_{z ~ N(0, sigma^2)} [ ((1-q) + q * exp((2z - 1) / (2 sigma^2)))^alpha ],
    i.e. D_alpha( (1-q) N(0,s^2) + q N(1,s^2) || N(0,s^2) ), the direction the paper proves is
    the larger one.
  - integer alpha: the exact binomial sum
      A_alpha = sum_{k=0..alpha} C(alpha,k) (1-q)^(alpha-k) q^k exp((k^2 - k) / (2 sigma^2)),
    accumulated in log space (log-sum-exp; C(alpha,k) from scipy.special.binom).
  - fractional alpha: split the integral at z0 = sigma^2 log(1/q - 1) + 1/2 and expand both
    parts in generalized binomial series (k = 0, 1, 2, ...):
      A_alpha = A0 + A1,
      A0 = sum_k C(alpha,k) q^k (1-q)^(alpha-k) exp((k^2 - k)/(2 sigma^2)) * 1/2 erfc((k - z0)/(sqrt2 sigma))
      A1 = sum_k C(alpha,k) q^(alpha-k) (1-q)^k exp((j^2 - j)/(2 sigma^2)) * 1/2 erfc((z0 - j)/(sqrt2 sigma)),  j = alpha - k
    in log space; terms whose C(alpha,k) is negative are subtracted (log-sub), log erfc via
    scipy.special.log_ndtr; the loop stops after the first k where both log-terms are < -30.
  - T steps compose linearly: RDP_T(alpha) = T * RDP(alpha) (steps may be a float in 0.14).

RDP -> (eps, delta): Balle et al. 2020 ("Hypothesis testing interpretations and Renyi DP",
  AISTATS; Theorem 21 of arXiv:1905.09982), evaluated at every order and minimised:
      eps(alpha) = RDP_T(alpha) + log((alpha - 1)/alpha) - (log(delta) + log(alpha)) / (alpha - 1)
      eps = min over orders (NaNs ignored via nanargmin); returned with the minimising order.
  Special cases: if every eps(alpha) is NaN -> (inf, NaN). An inf RDP gives eps(alpha) = inf
  (not NaN), so infinite orders simply lose; if all are inf the result is inf with the first
  order. No clamping (eps is not floored at 0), no check of delta. >= 1.0 only warns when the
  optimum is the smallest or largest order; 0.14 does not. (Not the classic
  eps = RDP + log(1/delta)/(alpha-1) of Mironov 2017 / old TF-Privacy: that is larger.)

Noise calibration (what sigma reaches target (eps, delta)):
  - opacus >= 1.0, `opacus.accountants.utils.get_noise_multiplier(target_epsilon=,
    target_delta=, sample_rate=, steps= | epochs=, accountant="rdp", epsilon_tolerance=0.01)`:
    steps = int(epochs / sample_rate) if epochs are given. sigma_low = 0, sigma_high = 10;
    double sigma_high (20, 40, ...) until eps(sigma_high) <= target (ValueError past
    MAX_SIGMA = 1e6); then bisect: while target - eps_high > epsilon_tolerance: mid =
    (low + high)/2, if eps(mid) < target then high = mid (eps_high = eps(mid)) else low = mid.
    Returns sigma_high, so target - tol <= eps(sigma) <= target.
  - opacus 0.14.0 (installed) has no accountant/epsilon_tolerance arguments:
    `privacy_engine.get_noise_multiplier(target_epsilon, target_delta, sample_rate, epochs,
    alphas, sigma_min=0.01, sigma_max=10.0)`, steps = epochs / sample_rate (a float, not
    truncated); doubles sigma_max until eps(sigma_max) <= target (ValueError past 2000); then
    bisects while sigma_max - sigma_min > 0.01 and returns the LAST MIDPOINT evaluated, whose
    eps can be slightly above or below target.
  With opacus 0.14 this script runs the >= 1.0 search itself on top of 0.14's compute_rdp /
  get_privacy_spent (same math, see above) and reports it as `sigma`; 0.14's own function is
  reported as `sigma_opacus014` (JSON and a trailing comment on each Swift line).
"""
import argparse
import json
import math
import sys
import warnings

SIGMAS = [0.5, 0.7, 1.0, 1.5, 2.0, 4.0, 10.0]
QS = [0.001, 0.01, 0.055, 0.1, 0.5, 1.0]
STEPS = [1, 100, 1000, 10000]
DELTAS = [1e-5, 1e-9]
EPS_CAP = 1e4

CAL_EPSILONS = [1.0, 3.0, 10.0]
CAL_DELTA = 1e-5
CAL_QS = [0.0549, 0.01]
CAL_STEPS = [1000, 5460]
EPSILON_TOLERANCE = 0.01   # opacus >= 1.0 default
MAX_SIGMA = 1e6            # opacus >= 1.0 accountants.utils.MAX_SIGMA


class OpacusRDP:
    """The installed Opacus's RDP functions behind one interface (0.14.x or >= 1.0)."""

    def __init__(self):
        import opacus
        self.version = getattr(opacus, "__version__", "?")
        try:
            from opacus.accountants import RDPAccountant
            from opacus.accountants.analysis import rdp as analysis
            from opacus.accountants.utils import get_noise_multiplier
            self.new_api = True
            self.orders = list(RDPAccountant.DEFAULT_ALPHAS)
            self._compute = lambda q, s, t: analysis.compute_rdp(
                q=q, noise_multiplier=s, steps=t, orders=self.orders)
            self._spent = lambda rdp, d: analysis.get_privacy_spent(
                orders=self.orders, rdp=rdp, delta=d)
            self._gnm = get_noise_multiplier
            self._rdp_one = lambda q, s, a: analysis._compute_rdp(q, s, a)
        except ImportError:
            from opacus import privacy_analysis as analysis
            from opacus import privacy_engine
            self.new_api = False
            self.orders = list(privacy_engine.DEFAULT_ALPHAS)
            self._compute = lambda q, s, t: analysis.compute_rdp(q, s, t, self.orders)
            self._spent = lambda rdp, d: analysis.get_privacy_spent(self.orders, rdp, d)
            self._gnm014 = privacy_engine.get_noise_multiplier
            self._rdp_one = lambda q, s, a: analysis._compute_rdp(q, s, a)

    def rdp(self, q, sigma, steps):
        """RDP at every default order after `steps` steps (numpy array)."""
        return self._compute(q, sigma, steps)

    def epsilon(self, q, sigma, steps, delta):
        """(eps, best order) from Opacus's conversion."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # >= 1.0 warns when the optimum is an end order
            eps, order = self._spent(self.rdp(q, sigma, steps), delta)
        return float(eps), float(order)

    def noise_multiplier(self, target_epsilon, delta, q, steps, tol=EPSILON_TOLERANCE):
        """sigma as opacus >= 1.0 get_noise_multiplier(accountant="rdp") returns it."""
        if self.new_api:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return float(self._gnm(target_epsilon=target_epsilon, target_delta=delta,
                                       sample_rate=q, steps=steps, accountant="rdp",
                                       epsilon_tolerance=tol))
        # Same search as opacus >= 1.0 accountants/utils.py, on 0.14's (identical) RDP math.
        eps_of = lambda s: self.epsilon(q, s, steps, delta)[0]
        sigma_low, sigma_high, eps_high = 0.0, 10.0, math.inf
        while eps_high > target_epsilon:
            sigma_high = 2 * sigma_high
            eps_high = eps_of(sigma_high)
            if sigma_high > MAX_SIGMA:
                raise ValueError("The privacy budget is too low.")
        while target_epsilon - eps_high > tol:
            sigma = (sigma_low + sigma_high) / 2
            eps = eps_of(sigma)
            if eps < target_epsilon:
                sigma_high, eps_high = sigma, eps
            else:
                sigma_low = sigma
        return sigma_high

    def noise_multiplier_014(self, target_epsilon, delta, q, steps):
        """opacus 0.14's own privacy_engine.get_noise_multiplier (None on >= 1.0)."""
        if self.new_api:
            return None
        return float(self._gnm014(target_epsilon, delta, q, steps * q, self.orders))


def swift_num(x):
    """A Swift Double literal for delta / order: 1e-5 style for powers of ten below 1, repr otherwise."""
    if 0 < x < 1:
        e = math.log10(x)
        if abs(e - round(e)) < 1e-12:
            return f"1e{int(round(e))}"
    return repr(float(x))


def epsilon_cases(acc):
    cases, skipped = [], []
    n_orders = len(acc.orders)
    for sigma in SIGMAS:
        for q in QS:
            try:
                per_step = acc.rdp(q, sigma, 1)
            except Exception as e:  # e.g. Opacus's log-space subtraction failing
                for steps in STEPS:
                    for delta in DELTAS:
                        skipped.append((sigma, q, steps, delta, f"error: {e!r}"))
                continue
            for steps in STEPS:
                for delta in DELTAS:
                    eps, order = acc.epsilon(q, sigma, steps, delta)
                    if not math.isfinite(eps) or eps > EPS_CAP:
                        skipped.append((sigma, q, steps, delta, f"eps={eps}"))
                        continue
                    i = acc.orders.index(order) if order in acc.orders else -1
                    cases.append({
                        "kind": "epsilon",
                        "sigma": sigma, "q": q, "steps": steps, "delta": delta,
                        "epsilon": eps, "order": order,
                        "order_at_boundary": i in (0, n_orders - 1),
                        "rdp_per_step_at_order": float(per_step[i]) if i >= 0 else None,
                    })
    return cases, skipped


def calibration_cases(acc):
    out = []
    for target in CAL_EPSILONS:
        for q in CAL_QS:
            for steps in CAL_STEPS:
                sigma = acc.noise_multiplier(target, CAL_DELTA, q, steps)
                eps, order = acc.epsilon(q, sigma, steps, CAL_DELTA)
                row = {
                    "kind": "noise_multiplier",
                    "target_epsilon": target, "delta": CAL_DELTA, "q": q, "steps": steps,
                    "sigma": sigma, "achieved_epsilon": eps, "achieved_order": order,
                    "epsilon_tolerance": EPSILON_TOLERANCE,
                    "search": ("opacus.accountants.utils.get_noise_multiplier(accountant='rdp')"
                               if acc.new_api else
                               "opacus>=1.0 get_noise_multiplier search re-run on opacus "
                               f"{acc.version} compute_rdp/get_privacy_spent"),
                }
                s014 = acc.noise_multiplier_014(target, CAL_DELTA, q, steps)
                if s014 is not None:
                    row["sigma_opacus014"] = s014
                    row["achieved_epsilon_opacus014"] = acc.epsilon(q, s014, steps, CAL_DELTA)[0]
                out.append(row)
    return out


def selfcheck(acc):
    """Opacus's per-step RDP vs direct mpmath quadrature of A_alpha (independent of the series)."""
    import mpmath as mp
    mp.mp.dps = 40
    worst = 0.0
    for q in (0.001, 0.01, 0.055, 0.5):
        for sigma in (0.5, 1.0, 4.0):
            for alpha in (1.1, 1.5, 2.0, 3.7, 8.0, 10.9, 32.0, 63.0):
                a, s2 = mp.mpf(alpha), mp.mpf(sigma) ** 2
                qq = mp.mpf(q)

                def f(z):
                    log_mu0 = -z * z / (2 * s2) - mp.log(mp.sqrt(2 * mp.pi * s2))
                    return mp.exp(log_mu0 + a * mp.log((1 - qq) + qq * mp.exp((2 * z - 1) / (2 * s2))))
                pts = sorted({-mp.inf, -12 * mp.sqrt(s2), mp.mpf(0), mp.mpf(0.5),
                              a - 1, a, a + 12 * mp.sqrt(s2), mp.inf})
                ref = float(mp.log(mp.quad(f, pts)) / (a - 1))
                got = float(acc._rdp_one(q, sigma, alpha))
                rel = abs(got - ref) / abs(ref)
                worst = max(worst, rel)
                if rel > 1e-6:
                    print(f"selfcheck q={q} sigma={sigma} alpha={alpha}: opacus {got!r} "
                          f"quadrature {ref!r} rel {rel:.2e}", file=sys.stderr)
    print(f"selfcheck: worst relative difference opacus vs mpmath quadrature = {worst:.2e}",
          file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", help="write all cases as a JSON list of dicts")
    ap.add_argument("--selfcheck", action="store_true",
                    help="compare Opacus's per-step RDP with mpmath quadrature first")
    args = ap.parse_args()

    acc = OpacusRDP()
    print(f"opacus {acc.version} ({'>= 1.0 accountants API' if acc.new_api else '0.14 privacy_analysis API'}), "
          f"{len(acc.orders)} orders {acc.orders[0]}..{acc.orders[-1]}", file=sys.stderr)
    if args.selfcheck:
        selfcheck(acc)

    eps_rows, skipped = epsilon_cases(acc)
    cal_rows = calibration_cases(acc)
    print(f"{len(eps_rows)} epsilon cases, {len(skipped)} skipped (eps inf or > {EPS_CAP:g}), "
          f"{len(cal_rows)} calibration cases", file=sys.stderr)
    for s in skipped:
        print("  skipped sigma=%g q=%g steps=%d delta=%g: %s" % s, file=sys.stderr)

    if args.out:
        meta = {"opacus_version": acc.version}
        with open(args.out, "w") as f:
            json.dump([{**r, **meta} for r in eps_rows + cal_rows], f, indent=1)
            f.write("\n")
        print(f"wrote {args.out}", file=sys.stderr)

    print(f"// Opacus {acc.version} RDP accountant (default orders), generated by "
          "scripts/crosscheck_rdp.py")
    print("let opacusRDPEpsilonCases: [(sigma: Double, q: Double, steps: Int, delta: Double, "
          "epsilon: Double, order: Double)] = [")
    for r in eps_rows:
        print(f"    (sigma: {r['sigma']!r}, q: {r['q']!r}, steps: {r['steps']}, "
              f"delta: {swift_num(r['delta'])}, epsilon: {r['epsilon']:.8g}, "
              f"order: {swift_num(r['order'])}),")
    print("]")
    print()
    print(f"// get_noise_multiplier(accountant: \"rdp\", epsilon_tolerance: {EPSILON_TOLERANCE}) "
          "semantics: target - tol <= eps(sigma) <= target")
    print("let opacusRDPNoiseCases: [(epsilon: Double, delta: Double, q: Double, steps: Int, "
          "sigma: Double)] = [")
    for r in cal_rows:
        note = f"achieved eps {r['achieved_epsilon']:.8g} at order {r['achieved_order']:g}"
        if "sigma_opacus014" in r:
            note += (f"; opacus 0.14 get_noise_multiplier: sigma {r['sigma_opacus014']!r} "
                     f"(eps {r['achieved_epsilon_opacus014']:.8g})")
        print(f"    (epsilon: {r['target_epsilon']:g}, delta: {swift_num(r['delta'])}, "
              f"q: {r['q']!r}, steps: {r['steps']}, sigma: {r['sigma']!r}),  // {note}")
    print("]")


if __name__ == "__main__":
    main()
