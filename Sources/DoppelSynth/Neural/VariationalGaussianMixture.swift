import Foundation
import DoppelMath

/// A one-dimensional Gaussian mixture fitted by variational Bayes with a truncated Dirichlet-process
/// (stick-breaking) prior on the weights — the model behind CTGAN's "mode-specific normalisation"
/// (Xu et al. 2019), as scikit-learn's `BayesianGaussianMixture` with SDV/RDT's settings: at most 10
/// components, weight concentration γ₀ = 0.001, mean precision β₀ = 1, ν₀ = 1 degrees of freedom,
/// k-means initialisation — but with the prior mean m₀ the data's median and the variance prior ψ₀ the
/// square of its robust scale, where scikit-learn takes the mean and the variance (see `fit`). Components whose
/// weight ends below 0.005 are dropped.
///
/// Updates (Bishop 2006, §10.2, one dimension), from responsibilities r:
/// Nₖ = Σr, x̄ₖ = Σr·x/Nₖ, Sₖ = Σr(x−x̄ₖ)²/Nₖ; βₖ = β₀+Nₖ, mₖ = (β₀m₀+Nₖx̄ₖ)/βₖ, νₖ = ν₀+Nₖ,
/// Cₖ = (ψ₀ + NₖSₖ + Nₖβ₀/βₖ·(x̄ₖ−m₀)²)/νₖ; stick-breaking aₖ = 1+Nₖ, bₖ = γ₀+Σ_{j>k}Nⱼ.
/// E-step: log rₖ ∝ E[log πₖ] − ½log 2π − ½(x−mₖ)²/Cₖ − ½log Cₖ − ½log νₖ + ½(log 2 + ψ(νₖ/2) − 1/βₖ).
public struct VariationalGaussianMixture: Codable, Sendable, Equatable {
    public var weights: [Double]
    public var means: [Double]
    public var stds: [Double]

    public static let maxComponents = 10
    public static let weightThreshold = 0.005
    /// Rows used for the fit at most (a seeded sample above that; encoding uses every row).
    public static let maxFitRows = 50_000

    public init(weights: [Double], means: [Double], stds: [Double]) {
        self.weights = weights; self.means = means; self.stds = stds
    }

    public var count: Int { weights.count }

    public static func fit(_ values: [Double], seed: UInt64) -> VariationalGaussianMixture {
        // Magnitudes whose squares overflow (|x| beyond about 1e154) would turn the variances into ∞ and
        // every encoded value into NaN: such a column is fitted in units of its largest magnitude. Ordinary
        // columns are fitted as they are (the priors and the covariance floor are on the data's scale, as
        // in SDV's mixture).
        let extent = values.reduce(0) { Swift.max($0, abs($1)) }
        if extent > 1e100, extent.isFinite {
            let unit = fit(values.map { $0 / extent }, seed: seed)
            return VariationalGaussianMixture(weights: unit.weights, means: unit.means.map { $0 * extent }, stds: unit.stds.map { $0 * extent })
        }
        var rng = SeededGenerator(seed: seed, stream: 0x76676d)
        var x = values
        if x.count > maxFitRows {
            var idx = rng.permutation(x.count)
            idx.removeLast(x.count - maxFitRows)
            x = idx.map { values[$0] }
        }
        let n = x.count
        precondition(n > 0)
        let mean0 = x.reduce(0, +) / Double(n)
        let var0 = n > 1 ? x.reduce(0) { $0 + ($1 - mean0) * ($1 - mean0) } / Double(n - 1) : 0
        let distinct = Set(x).count
        if distinct < 2 || var0 <= 0 {
            return VariationalGaussianMixture(weights: [1], means: [mean0], stds: [max(var0.squareRoot(), 1e-3)])
        }
        // The variance prior ψ₀: the square of the data's robust scale, not its variance. ψ₀ enters
        // every component's variance as (ψ₀ + NₖSₖ + …)/(1 + Nₖ), so a sentinel (99999 among values
        // near 6.5) or a heavy tail (TSH: sd 25, but half the values within 1.6 of the median) would
        // otherwise widen every mode — a mode of 100 rows near 0.02 got a spread of 2.5 — and blur
        // what tells the rows apart. For Gaussian data the two agree.
        // Likewise the prior mean m₀ is the median: the term Nₖβ₀/βₖ·(x̄ₖ − m₀)² puts a mode's distance
        // from m₀ into its variance, and a sentinel drags the mean (6.5 → 106) and so every mode's spread.
        let robust = VariationalGaussianMixture.robustScale(x)
        let psi0 = Swift.min(var0, robust.map { $0.scale * $0.scale } ?? var0)
        let center = robust?.median ?? mean0
        let k = min(maxComponents, distinct)
        let labels = kMeans1D(x, k: k, rng: &rng)
        var resp = [Double](repeating: 0, count: n * k)
        for i in 0..<n { resp[i * k + labels[i]] = 1 }

        let beta0 = 1.0, nu0 = 1.0, gamma0 = 0.001, reg = 1e-6
        var nk = [Double](repeating: 0, count: k), m = nk, beta = nk, nu = nk, c = nk, a = nk, b = nk
        func mStep() {
            var sx = [Double](repeating: 0, count: k), sxx = sx
            for j in 0..<k { nk[j] = 10 * Double.ulpOfOne }
            for i in 0..<n {
                let xi = x[i]
                for j in 0..<k { let r = resp[i * k + j]; nk[j] += r; sx[j] += r * xi }
            }
            var xbar = sx
            for j in 0..<k { xbar[j] = sx[j] / nk[j] }
            for i in 0..<n {
                let xi = x[i]
                for j in 0..<k { let d = xi - xbar[j]; sxx[j] += resp[i * k + j] * d * d }
            }
            var tail = 0.0
            for j in stride(from: k - 1, through: 0, by: -1) { b[j] = gamma0 + tail; tail += nk[j] }
            for j in 0..<k {
                let s = sxx[j] / nk[j] + reg
                a[j] = 1 + nk[j]
                beta[j] = beta0 + nk[j]
                m[j] = (beta0 * center + nk[j] * xbar[j]) / beta[j]
                nu[j] = nu0 + nk[j]
                let d = xbar[j] - center
                c[j] = (psi0 + nk[j] * s + nk[j] * beta0 / beta[j] * d * d) / nu[j]
            }
        }
        func eStep() -> Double {
            var logW = [Double](repeating: 0, count: k), cum = 0.0
            for j in 0..<k {
                let dab = digamma(a[j] + b[j])
                logW[j] = digamma(a[j]) - dab + cum
                cum += digamma(b[j]) - dab
            }
            var constant = [Double](repeating: 0, count: k)
            for j in 0..<k {
                constant[j] = logW[j] - 0.5 * log(2 * Double.pi) - 0.5 * log(c[j]) - 0.5 * log(nu[j]) + 0.5 * (log(2) + digamma(nu[j] / 2) - 1 / beta[j])
            }
            var total = 0.0
            var row = [Double](repeating: 0, count: k)
            for i in 0..<n {
                var top = -Double.infinity
                for j in 0..<k { let d = x[i] - m[j]; row[j] = constant[j] - 0.5 * d * d / c[j]; top = max(top, row[j]) }
                var s = 0.0
                for j in 0..<k { row[j] = exp(row[j] - top); s += row[j] }
                for j in 0..<k { resp[i * k + j] = row[j] / s }
                total += top + log(s)
            }
            return total / Double(n)
        }
        mStep()
        var previous = -Double.infinity
        for _ in 0..<100 {
            let ll = eStep()
            mStep()
            if abs(ll - previous) < 1e-6 { break }
            previous = ll
        }
        // Expected stick-breaking weights.
        var w = [Double](repeating: 0, count: k), remaining = 1.0
        for j in 0..<k { w[j] = remaining * a[j] / (a[j] + b[j]); remaining *= b[j] / (a[j] + b[j]) }
        let total = w.reduce(0, +)
        var out = VariationalGaussianMixture(weights: [], means: [], stds: [])
        for j in 0..<k where w[j] / total > weightThreshold {
            out.weights.append(w[j] / total); out.means.append(m[j]); out.stds.append(max(c[j].squareRoot(), 1e-6))
        }
        if out.count == 0 {
            let j = w.indices.max { w[$0] < w[$1] }!
            out = VariationalGaussianMixture(weights: [1], means: [m[j]], stds: [max(c[j].squareRoot(), 1e-6)])
        }
        let s = out.weights.reduce(0, +)
        out.weights = out.weights.map { $0 / s }
        return out
    }

    /// The median, and as scale 1.4826 × the median absolute deviation (the standard deviation for
    /// Gaussian data), or, when more than half the values are equal, the interquartile range / 1.349;
    /// nil when both are 0.
    static func robustScale(_ x: [Double]) -> (median: Double, scale: Double)? {
        let v = x.sorted()
        let median = interpolatedQuantile(sorted: v, 0.5)
        let mad = 1.4826 * interpolatedQuantile(sorted: v.map { abs($0 - median) }.sorted(), 0.5)
        if mad > 0 { return (median, mad) }
        let iqr = (interpolatedQuantile(sorted: v, 0.75) - interpolatedQuantile(sorted: v, 0.25)) / 1.349
        return iqr > 0 ? (median, iqr) : nil
    }

    /// Posterior probabilities of the components for x (written into `into`).
    public func posterior(_ x: Double, into p: inout [Double]) {
        var top = -Double.infinity
        for j in 0..<count {
            let z = (x - means[j]) / stds[j]
            p[j] = log(weights[j]) - log(stds[j]) - 0.5 * z * z
            top = max(top, p[j])
        }
        var s = 0.0
        for j in 0..<count { p[j] = exp(p[j] - top); s += p[j] }
        for j in 0..<count { p[j] /= s }
    }
}

/// Lloyd's k-means in one dimension, k-means++ seeding; returns a label per value.
func kMeans1D(_ x: [Double], k: Int, rng: inout SeededGenerator) -> [Int] {
    let n = x.count
    var centers = [x[rng.nextInt(below: n)]]
    var d2 = x.map { ($0 - centers[0]) * ($0 - centers[0]) }
    while centers.count < k {
        let total = d2.reduce(0, +)
        guard total > 0 else { break }
        var u = rng.nextUniform() * total, pick = n - 1
        for i in 0..<n { u -= d2[i]; if u <= 0 { pick = i; break } }
        centers.append(x[pick])
        for i in 0..<n { let d = x[i] - x[pick]; d2[i] = min(d2[i], d * d) }
    }
    var labels = [Int](repeating: 0, count: n)
    for _ in 0..<300 {
        centers.sort()
        var changed = false
        for i in 0..<n {
            // nearest center by binary search on the sorted centers
            var lo = 0, hi = centers.count - 1
            while lo < hi { let mid = (lo + hi) / 2; if x[i] > (centers[mid] + centers[mid + 1]) / 2 { lo = mid + 1 } else { hi = mid } }
            if labels[i] != lo { labels[i] = lo; changed = true }
        }
        var sum = [Double](repeating: 0, count: centers.count), cnt = sum
        for i in 0..<n { sum[labels[i]] += x[i]; cnt[labels[i]] += 1 }
        for j in centers.indices where cnt[j] > 0 { centers[j] = sum[j] / cnt[j] }
        if !changed { break }
    }
    // Labels refer to the sorted centers; empty clusters simply have no rows.
    return labels
}

/// ψ(x), the digamma function: the recurrence ψ(x) = ψ(x+1) − 1/x up to x ≥ 10, then the asymptotic series.
func digamma(_ x0: Double) -> Double {
    var x = x0, r = 0.0
    while x < 10 { r -= 1 / x; x += 1 }
    let f = 1 / (x * x)
    return r + log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))))
}
