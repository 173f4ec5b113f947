import Foundation

/// Rényi differential privacy (Mironov 2017) of the Poisson-subsampled Gaussian mechanism — the
/// mechanism of DP-SGD — and its conversion to (ε, δ).
///
/// One step releases Σᵢ∈batch clip(gᵢ) + N(0, σ²C²) where every row joins the batch independently with
/// probability q. Its RDP at order α is ε(α) = log(A_α)/(α − 1) (Mironov, Talwar & Zhang 2019):
/// - integer α: A_α = Σₖ₌₀^α C(α,k)(1−q)^{α−k} q^k exp((k² − k)/(2σ²));
/// - fractional α: the two convergent series of their Theorem 11 with z₀ = σ²·log(1/q − 1) + ½,
///   summed until both terms fall below e⁻³⁰.
///
/// T steps compose to T·ε(α). The conversion to (ε, δ) is Balle et al. 2020 (Theorem 21), as in
/// Opacus's RDP accountant: ε = min over α of  rdp(α) + log((α−1)/α) − (log δ + log α)/(α − 1).
///
/// ```swift
/// let eps = RDPAccountant.epsilon(noiseMultiplier: 1.1, sampleRate: 0.01, steps: 10_000, delta: 1e-5)
/// ```
public enum RDPAccountant {
    /// The orders Opacus uses by default: 1.1, 1.2, …, 10.9 and 12, 13, …, 63.
    public static let defaultOrders: [Double] = (1..<100).map { 1 + Double($0) / 10 } + (12..<64).map(Double.init)

    /// RDP of one step at each order.
    public static func rdp(noiseMultiplier sigma: Double, sampleRate q: Double, orders: [Double] = defaultOrders) -> [Double] {
        orders.map { stepRDP(q: q, sigma: sigma, alpha: $0) }
    }

    /// The RDP curve of T steps: T · ε(α).
    public static func rdp(noiseMultiplier sigma: Double, sampleRate q: Double, steps: Int, orders: [Double] = defaultOrders) -> [Double] {
        rdp(noiseMultiplier: sigma, sampleRate: q, orders: orders).map { $0 * Double(steps) }
    }

    /// (ε, best order) of an RDP curve at δ.
    public static func epsilon(rdp: [Double], orders: [Double] = defaultOrders, delta: Double) -> (epsilon: Double, order: Double) {
        precondition(rdp.count == orders.count && delta > 0 && delta < 1)
        var best = Double.infinity, bestOrder = orders.first ?? 0
        for (r, a) in zip(rdp, orders) where a > 1 {
            let e = r + log1p(-1 / a) - (log(delta) + log(a)) / (a - 1)
            if e < best { best = e; bestOrder = a }
        }
        return (max(best, 0), bestOrder)
    }

    /// ε after `steps` steps of the subsampled Gaussian mechanism at δ.
    public static func epsilon(noiseMultiplier sigma: Double, sampleRate q: Double, steps: Int, delta: Double) -> Double {
        epsilon(rdp: rdp(noiseMultiplier: sigma, sampleRate: q, steps: steps), delta: delta).epsilon
    }

    /// The smallest noise multiplier σ (to relative precision 1e-4) for which `steps` steps at sample
    /// rate q stay within (ε, δ). Bisection: ε is decreasing in σ.
    public static func noiseMultiplier(epsilon target: Double, delta: Double, sampleRate q: Double, steps: Int) -> Double {
        precondition(target > 0 && delta > 0 && delta < 1 && steps > 0)
        var lo = 0.0, hi = 1.0
        while epsilon(noiseMultiplier: hi, sampleRate: q, steps: steps, delta: delta) > target {
            lo = hi; hi *= 2
            precondition(hi < 1e7, "no noise multiplier reaches ε = \(target)")
        }
        while hi - lo > 1e-4 * hi {
            let mid = (lo + hi) / 2
            if epsilon(noiseMultiplier: mid, sampleRate: q, steps: steps, delta: delta) > target { lo = mid } else { hi = mid }
        }
        return hi
    }

    // MARK: One step

    static func stepRDP(q: Double, sigma: Double, alpha: Double) -> Double {
        if q == 0 { return 0 }
        if sigma == 0 { return .infinity }
        if q == 1 { return alpha / (2 * sigma * sigma) }
        let logA = alpha == alpha.rounded() ? logAInteger(q: q, sigma: sigma, alpha: Int(alpha)) : logAFractional(q: q, sigma: sigma, alpha: alpha)
        return logA / (alpha - 1)
    }

    private static func logBinomial(_ n: Double, _ k: Double) -> (Double, sign: Double) {
        // |C(n, k)| via log-gamma; the sign of the generalized binomial for real n.
        let l = lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)
        // n(n−1)…(n−k+1)/k!: the factors n − m with m > n are negative.
        let negatives = max(0, Int(k) - 1 - Int(floor(n)))
        let s: Double = negatives % 2 == 0 ? 1 : -1
        return (l, s)
    }

    private static func logAInteger(q: Double, sigma: Double, alpha: Int) -> Double {
        var terms: [Double] = []
        let lq = log(q), l1q = log1p(-q), a = Double(alpha)
        for k in 0...alpha {
            let kk = Double(k)
            let logBinom: Double = lgamma(a + 1) - lgamma(kk + 1) - lgamma(a - kk + 1)
            let logProb: Double = kk * lq + (a - kk) * l1q
            let exponent: Double = (kk * kk - kk) / (2 * sigma * sigma)
            terms.append(logBinom + logProb + exponent)
        }
        let top = terms.max()!
        return top + log(terms.reduce(0) { $0 + exp($1 - top) })
    }

    private static func logAFractional(q: Double, sigma: Double, alpha: Double) -> Double {
        var logA0 = -Double.infinity, logA1 = -Double.infinity
        let z0 = sigma * sigma * log(1 / q - 1) + 0.5
        var i = 0.0
        while true {
            let (logCoef, sign) = logBinomial(alpha, i)
            let j = alpha - i
            let t0 = logCoef + i * log(q) + j * log1p(-q)
            let t1 = logCoef + j * log(q) + i * log1p(-q)
            let e0 = log(0.5) + logErfc((i - z0) / (2.0.squareRoot() * sigma))
            let e1 = log(0.5) + logErfc((z0 - j) / (2.0.squareRoot() * sigma))
            let s0 = t0 + (i * i - i) / (2 * sigma * sigma) + e0
            let s1 = t1 + (j * j - j) / (2 * sigma * sigma) + e1
            if sign > 0 {
                logA0 = logAdd(logA0, s0); logA1 = logAdd(logA1, s1)
            } else {
                logA0 = logSub(logA0, s0); logA1 = logSub(logA1, s1)
            }
            i += 1
            if max(s0, s1) < -30 || i > 10_000 { break }
        }
        return logAdd(logA0, logA1)
    }

    private static func logAdd(_ a: Double, _ b: Double) -> Double {
        let m = max(a, b)
        if m == -.infinity { return m }
        return m + log(exp(a - m) + exp(b - m))
    }

    private static func logSub(_ a: Double, _ b: Double) -> Double {
        if b == -.infinity { return a }
        if a <= b { return -.infinity }   // the series terms are tiny here; a ≤ b only from rounding
        return a + log1p(-exp(b - a))
    }

    /// log(erfc(x)), accurate where erfc underflows (x > 25: the asymptotic expansion).
    static func logErfc(_ x: Double) -> Double {
        if x < 25 { return log(erfc(x)) }
        let x2 = x * x
        // erfc(x) ≈ e^{−x²}/(x√π) · (1 − 1/(2x²) + 3/(4x⁴) − 15/(8x⁶))
        return -x2 - log(x) - 0.5 * log(Double.pi) + log(1 - 1 / (2 * x2) + 3 / (4 * x2 * x2) - 15 / (8 * x2 * x2 * x2))
    }
}
