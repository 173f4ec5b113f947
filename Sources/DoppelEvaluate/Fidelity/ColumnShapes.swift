import DoppelData

/// Per-column fidelity metrics, defined as in SDMetrics so figures are comparable with published ones.
public enum ColumnShapeMetrics {
    /// KS complement: 1 − D, where D = supₓ |F_real(x) − F_syn(x)| is the two-sample
    /// Kolmogorov–Smirnov statistic on the non-missing values rounded to 14 decimals, as SDMetrics
    /// `KSComplement` rounds them. Returns nil when either side has no values.
    public static func ksComplement(real: [Double], synthetic: [Double]) -> Double? {
        func r14(_ v: Double) -> Double { abs(v) < 1e4 ? (v * 1e14).rounded() / 1e14 : v }
        let a = real.filter { !$0.isNaN }.map(r14).sorted(), b = synthetic.filter { !$0.isNaN }.map(r14).sorted()
        guard !a.isEmpty, !b.isEmpty else { return nil }
        var i = 0, j = 0, d = 0.0
        let na = Double(a.count), nb = Double(b.count)
        while i < a.count && j < b.count {
            let x = min(a[i], b[j])
            while i < a.count && a[i] == x { i += 1 }
            while j < b.count && b[j] == x { j += 1 }
            d = max(d, abs(Double(i) / na - Double(j) / nb))
        }
        return 1 - d
    }

    /// TV complement: 1 − ½ Σ_c |p_real(c) − p_syn(c)| over every category of either side, with
    /// missing values dropped on both sides and shares taken over each side's non-missing values
    /// (SDMetrics 0.32 `TVComplement`; missing rates are compared separately).
    public static func tvComplement(real: [Int32], synthetic: [Int32], levels: Int) -> Double? {
        var pr = [Double](repeating: 0, count: levels), ps = pr
        var nr = 0.0, ns = 0.0
        for c in real where c >= 0 { pr[Int(c)] += 1; nr += 1 }
        for c in synthetic where c >= 0 { ps[Int(c)] += 1; ns += 1 }
        guard nr > 0, ns > 0 else { return nil }
        var tv = 0.0
        for k in 0..<levels { tv += abs(pr[k] / nr - ps[k] / ns) }
        return 1 - tv / 2
    }

    /// Absolute difference of the missing-value shares.
    public static func missingRateDifference(real: ColumnValues, synthetic: ColumnValues) -> Double {
        abs(Double(real.missingCount) / Double(max(real.count, 1)) - Double(synthetic.missingCount) / Double(max(synthetic.count, 1)))
    }

    /// Range coverage (SDMetrics `RangeCoverage`): share of the real range [min, max] covered by the
    /// synthetic range, clipped to [0, 1].
    public static func rangeCoverage(real: [Double], synthetic: [Double]) -> Double? {
        let r = real.filter { !$0.isNaN }, s = synthetic.filter { !$0.isNaN }
        guard let rmin = r.min(), let rmax = r.max(), let smin = s.min(), let smax = s.max() else { return nil }
        guard rmax > rmin else { return smin <= rmin && smax >= rmax ? 1 : 0 }
        let lo = max(rmin, smin), hi = min(rmax, smax)
        return max(0, min(1, (hi - lo) / (rmax - rmin)))
    }

    /// Category coverage (SDMetrics `CategoryCoverage`): share of the real categories that appear in the synthetic data.
    public static func categoryCoverage(real: [Int32], synthetic: [Int32]) -> Double? {
        let r = Set(real.filter { $0 >= 0 }), s = Set(synthetic.filter { $0 >= 0 })
        guard !r.isEmpty else { return nil }
        return Double(r.intersection(s).count) / Double(r.count)
    }
}

/// Per-pair fidelity metrics (SDMetrics `CorrelationSimilarity`, `ContingencySimilarity`).
public enum PairTrendMetrics {
    /// Pearson correlation over rows where both values are present; nil when undefined.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        var n = 0.0, sx = 0.0, sy = 0.0
        for i in x.indices where !x[i].isNaN && !y[i].isNaN { n += 1; sx += x[i]; sy += y[i] }
        guard n >= 2 else { return nil }
        let mx = sx / n, my = sy / n
        var sxx = 0.0, syy = 0.0, sxy = 0.0
        for i in x.indices where !x[i].isNaN && !y[i].isNaN {
            let a = x[i] - mx, b = y[i] - my
            sxx += a * a; syy += b * b; sxy += a * b
        }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Correlation similarity: 1 − |ρ_real − ρ_syn| / 2 (Pearson).
    public static func correlationSimilarity(realX: [Double], realY: [Double], synX: [Double], synY: [Double]) -> Double? {
        guard let a = pearson(realX, realY), let b = pearson(synX, synY) else { return nil }
        return correlationSimilarity(real: a, synthetic: b)
    }

    /// Correlation similarity from the two correlations: 1 − |ρ_real − ρ_syn| / 2.
    public static func correlationSimilarity(real: Double, synthetic: Double) -> Double {
        1 - abs(real - synthetic) / 2
    }

    /// Contingency similarity: 1 − ½ Σ_{a,b} |p_real(a,b) − p_syn(a,b)| over the joint categories
    /// (codes ≥ −1; −1 is missing, counted as a category).
    public static func contingencySimilarity(realA: [Int32], realB: [Int32], synA: [Int32], synB: [Int32]) -> Double? {
        guard !realA.isEmpty, !synA.isEmpty else { return nil }
        let nr = Double(realA.count), ns = Double(synA.count)
        var tv = 0.0
        if let pr = JointCounts(realA, realB, rangeOf: [realA, synA], [realB, synB]),
           let ps = JointCounts(synA, synB, rangeOf: [realA, synA], [realB, synB]) {
            // The order of the sorted keys below: a ascending, then b ≥ 0 ascending, then b = −1.
            for x in pr.aRange { for y in pr.bKeyOrder { tv += abs(pr[x, y] / nr - ps[x, y] / ns) } }
            return 1 - tv / 2
        }
        return contingencySimilarityByKeys(realA: realA, realB: realB, synA: synA, synB: synB)
    }

    /// The same figure over hashed keys, for codes too spread for a dense table.
    static func contingencySimilarityByKeys(realA: [Int32], realB: [Int32], synA: [Int32], synB: [Int32]) -> Double? {
        guard !realA.isEmpty, !synA.isEmpty else { return nil }
        let nr = Double(realA.count), ns = Double(synA.count)
        var tv = 0.0
        var pr: [Int64: Double] = [:], ps: [Int64: Double] = [:]
        for i in realA.indices { pr[Int64(realA[i]) << 32 | Int64(UInt32(bitPattern: realB[i])), default: 0] += 1 }
        for i in synA.indices { ps[Int64(synA[i]) << 32 | Int64(UInt32(bitPattern: synB[i])), default: 0] += 1 }
        // Sorted keys: a fixed summation order keeps the figure identical from run to run.
        for key in Set(pr.keys).union(ps.keys).sorted() { tv += abs((pr[key] ?? 0) / nr - (ps[key] ?? 0) / ns) }
        return 1 - tv / 2
    }

    /// Bin edges of `bins` equal-width bins over the real values' range (numpy `histogram_bin_edges`).
    public static func binEdges(_ real: [Double], bins: Int = 10) -> [Double] {
        let v = real.filter { !$0.isNaN }
        guard let lo = v.min(), let hi = v.max() else { return [] }
        let (a, b) = lo == hi ? (lo - 0.5, hi + 0.5) : (lo, hi)
        return (0...bins).map { a + (b - a) * Double($0) / Double(bins) }
    }

    /// `np.digitize(values, edges)`: code k when edges[k−1] ≤ x < edges[k] (0 below the first edge,
    /// edges.count at or above the last edge); NaN also gets edges.count, as in numpy.
    public static func digitize(_ values: [Double], edges: [Double]) -> [Int32] {
        values.map { v in
            if v.isNaN { return Int32(edges.count) }
            var lo = 0, hi = edges.count      // first index with edges[i] > v
            while lo < hi { let mid = (lo + hi) / 2; if edges[mid] > v { hi = mid } else { lo = mid + 1 } }
            return Int32(lo)
        }
    }

    /// Cramér's V of the contingency table of two code columns (codes ≥ −1; −1 is a category):
    /// V = √(χ² / (n · (min(r, c) − 1))), χ² without continuity correction (scipy
    /// `contingency.association(method="cramer")`). Nil when the table has a single row or column.
    public static func cramersV(_ a: [Int32], _ b: [Int32]) -> Double? {
        let n = Double(a.count)
        if let joint = JointCounts(a, b, rangeOf: [a], [b]) {
            var ra = [Double](repeating: 0, count: joint.aRange.count), rb = [Double](repeating: 0, count: joint.bRange.count)
            for x in joint.aRange { for y in joint.bRange { let c = joint[x, y]; ra[x - joint.aRange.lowerBound] += c; rb[y - joint.bRange.lowerBound] += c } }
            let presentA = joint.aRange.filter { ra[$0 - joint.aRange.lowerBound] > 0 }, presentB = joint.bRange.filter { rb[$0 - joint.bRange.lowerBound] > 0 }
            guard presentA.count >= 2, presentB.count >= 2, n > 0 else { return nil }
            var chi2 = 0.0
            for x in presentA { for y in presentB {
                let e = ra[x - joint.aRange.lowerBound] * rb[y - joint.bRange.lowerBound] / n
                let o = joint[x, y]
                chi2 += (o - e) * (o - e) / e
            } }
            return (chi2 / (n * Double(min(presentA.count, presentB.count) - 1))).squareRoot()
        }
        return cramersVByKeys(a, b)
    }

    /// The same figure over hashed keys, for codes too spread for a dense table.
    static func cramersVByKeys(_ a: [Int32], _ b: [Int32]) -> Double? {
        let n = Double(a.count)
        var joint: [Int64: Double] = [:], ra: [Int32: Double] = [:], rb: [Int32: Double] = [:]
        for i in a.indices {
            joint[Int64(a[i]) << 32 | Int64(UInt32(bitPattern: b[i])), default: 0] += 1
            ra[a[i], default: 0] += 1; rb[b[i], default: 0] += 1
        }
        guard ra.count >= 2, rb.count >= 2, n > 0 else { return nil }
        var chi2 = 0.0
        for (x, nx) in ra.sorted(by: { $0.key < $1.key }) { for (y, ny) in rb.sorted(by: { $0.key < $1.key }) {
            let e = nx * ny / n
            let o = joint[Int64(x) << 32 | Int64(UInt32(bitPattern: y))] ?? 0
            chi2 += (o - e) * (o - e) / e
        } }
        return (chi2 / (n * Double(min(ra.count, rb.count) - 1))).squareRoot()
    }

}

/// Joint counts of two code columns in a dense table, when the codes' range is small (codes ≥ −1).
/// Replaces a hash map on the hot path of the pair metrics; the figures are bit-identical because
/// every sum runs in the same order as over the sorted keys.
struct JointCounts {
    let aRange: ClosedRange<Int>, bRange: ClosedRange<Int>
    /// b ≥ 0 ascending, then −1: the order of `Int64(a) << 32 | UInt32(b)` keys for one a.
    let bKeyOrder: [Int]
    private var counts: [Double]

    /// Nil when a code is below −1, or the table would exceed 2²⁰ cells, or 4 cells per counted row
    /// (past 4,096). `rangeOf` lists the columns whose codes the table must cover (so that two tables
    /// line up).
    init?(_ a: [Int32], _ b: [Int32], rangeOf aColumns: [[Int32]], _ bColumns: [[Int32]]) {
        func range(_ cs: [[Int32]]) -> ClosedRange<Int>? {
            var lo = Int32.max, hi = Int32.min
            for c in cs { for v in c { lo = min(lo, v); hi = max(hi, v) } }
            guard lo <= hi, lo >= -1 else { return nil }
            return Int(lo)...Int(hi)
        }
        // A table much larger than the rows it counts would cost more to clear and scan than hashing.
        let rows = aColumns.reduce(0) { $0 + $1.count }
        guard let ar = range(aColumns), let br = range(bColumns), ar.count * br.count <= min(1 << 20, max(1 << 12, 4 * rows)) else { return nil }
        aRange = ar; bRange = br
        bKeyOrder = br.filter { $0 >= 0 } + br.filter { $0 < 0 }
        counts = [Double](repeating: 0, count: ar.count * br.count)
        let w = br.count, a0 = ar.lowerBound, b0 = br.lowerBound
        counts.withUnsafeMutableBufferPointer { cp in
            for i in a.indices { cp[(Int(a[i]) - a0) * w + Int(b[i]) - b0] += 1 }
        }
    }

    subscript(x: Int, y: Int) -> Double { counts[(x - aRange.lowerBound) * bRange.count + y - bRange.lowerBound] }
}
