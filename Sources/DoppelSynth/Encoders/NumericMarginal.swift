import DoppelMath

/// A smoothed empirical marginal for a numeric or datetime column: its quantile function stored at
/// `K` evenly spaced probabilities and linearly interpolated in between.
///
/// Q(u) = x₍ₖ₎ + (h − k)(x₍ₖ₊₁₎ − x₍ₖ₎) with h = (K − 1)u, k = ⌊h⌋, where x₍ₖ₎ are the knots (type-7
/// sample quantiles of the data at p = k/(K − 1)). Spikes at round values appear as flat stretches of Q
/// and are reproduced exactly; skewed and bounded shapes need no parametric family. The knots are
/// quantiles of one column, never rows.
public struct NumericMarginal: Codable, Sendable, Equatable {
    public var knots: [Double]

    /// A marginal with these knots (non-decreasing), for quantile functions built another way.
    public init(knots: [Double]) { precondition(!knots.isEmpty); self.knots = knots }

    private enum CodingKeys: String, CodingKey { case knots }

    /// Decodes a marginal (a model file's), refusing one without knots, which no quantile could be read from.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        knots = try c.decode([Double].self, forKey: .knots)
        guard !knots.isEmpty else { throw DecodingError.dataCorruptedError(forKey: .knots, in: c, debugDescription: "a marginal without knots") }
    }

    /// At most this many knots are kept (fewer when the column has fewer values).
    public static let maxKnots = 1001

    /// Knots from the sorted non-missing values.
    public init(sortedValues v: [Double], maxKnots: Int = NumericMarginal.maxKnots) {
        precondition(!v.isEmpty && maxKnots >= 2)
        let k = min(v.count, maxKnots)
        if k == v.count { knots = v; return }
        knots = (0..<k).map { i in
            let h = Double(v.count - 1) * Double(i) / Double(k - 1)
            let lo = Int(h)
            let hi = min(lo + 1, v.count - 1)
            return v[lo] + (h - Double(lo)) * (v[hi] - v[lo])
        }
    }

    /// Q(u) for u in [0, 1].
    @inlinable
    public func quantile(_ u: Double) -> Double {
        let k = knots.count
        if k == 1 { return knots[0] }
        let h = (u.isNaN ? 0.5 : min(max(u, 0), 1)) * Double(k - 1)
        let lo = min(Int(h), k - 2)
        return knots[lo] + (h - Double(lo)) * (knots[lo + 1] - knots[lo])
    }

    /// The smallest u with Q(u) ≥ x (0 when x is below every knot, nil when above every knot).
    public func lowerProbability(_ x: Double) -> Double? {
        let k = knots.count
        if x <= knots[0] { return 0 }
        if x > knots[k - 1] { return nil }
        var lo = 0, hi = k - 1          // knots[lo] < x <= knots[hi]
        while hi - lo > 1 { let mid = (lo + hi) / 2; if knots[mid] < x { lo = mid } else { hi = mid } }
        let t = NumericMarginal.fraction(x, knots[lo], knots[hi])
        return (Double(lo) + t) / Double(k - 1)
    }

    /// The largest u with Q(u) ≤ x (1 when x is above every knot, nil when below every knot).
    public func upperProbability(_ x: Double) -> Double? {
        let k = knots.count
        if x >= knots[k - 1] { return 1 }
        if x < knots[0] { return nil }
        var lo = 0, hi = k - 1          // knots[lo] <= x < knots[hi]
        while hi - lo > 1 { let mid = (lo + hi) / 2; if knots[mid] <= x { lo = mid } else { hi = mid } }
        let t = NumericMarginal.fraction(x, knots[lo], knots[hi])
        return (Double(lo) + t) / Double(k - 1)
    }

    /// (x − a) / (b − a) in [0, 1], computed on halves so it stays finite when b − a overflows.
    static func fraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let t = (x * 0.5 - a * 0.5) / (b * 0.5 - a * 0.5)
        return t.isFinite ? min(1, max(0, t)) : 0.5
    }

    /// Normal scores of observed values: a value with `a` values below it and `t` ties owns the
    /// probability interval [a/n, (a + t)/n) and gets the conditional mean of N(0, 1) over it
    /// (NaN stays NaN). Deterministic.
    public static func normalScores(_ values: [Double]) -> [Double] {
        var idx = values.indices.filter { !values[$0].isNaN }
        idx.sort { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        let n = Double(idx.count)
        var z = [Double](repeating: .nan, count: values.count)
        var a = 0
        while a < idx.count {
            var b = a + 1
            while b < idx.count && values[idx[b]] == values[idx[a]] { b += 1 }
            let lo = Double(a) / n, hi = Double(b) / n
            let score = (Normal.pdf(Normal.quantile(lo)) - Normal.pdf(Normal.quantile(hi))) / (hi - lo)
            for k in a..<b { z[idx[k]] = score }
            a = b
        }
        return z
    }
}
