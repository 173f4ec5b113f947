import DoppelData
import DoppelLearn
import DoppelMath
import Foundation

/// A proportion with its 95% Wilson score interval.
public struct Proportion: Codable, Sendable, Equatable {
    public var value: Double
    public var lower: Double
    public var upper: Double
    public var n: Int

    /// Wilson score interval (Wilson 1927) at z = 1.96; `successes` may be fractional (ties as ½).
    public init(successes: Double, n: Int, z: Double = 1.959963984540054) {
        self.n = n
        guard n > 0 else { value = .nan; lower = .nan; upper = .nan; return }
        let p = successes / Double(n), nn = Double(n)
        let denom = 1 + z * z / nn
        let center = (p + z * z / (2 * nn)) / denom
        let half = z * (p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot() / denom
        value = p; lower = max(0, center - half); upper = min(1, center + half)
    }
}

/// Distance-based privacy figures of a synthetic table against the training data, each with the same
/// figure for the real holdout as the baseline ("what is risk and what is just the population").
public struct DistancePrivacy: Codable, Sendable, Equatable {
    /// Synthetic rows identical to a training row (over modelled columns).
    public var exactCopies: Int
    public var exactCopyRate: Double
    /// Holdout rows identical to a training row: the population's own duplication rate.
    public var holdoutExactCopyRate: Double
    /// Gower distance (mean per-column distance) to the closest training row.
    public var dcrSyntheticMedian: Double
    public var dcrHoldoutMedian: Double
    public var dcrSynthetic5thPercentile: Double
    public var dcrHoldout5thPercentile: Double
    /// Share of synthetic rows closer to the training rows than to the holdout rows (train subsampled to the
    /// holdout's size; ties count ½). 0.5 means the generator did not memorise; near 1 means it copies.
    public var dcrShare: Proportion
    /// Median nearest/second-nearest distance ratio to training rows, synthetic and holdout.
    public var nndrSyntheticMedian: Double
    public var nndrHoldoutMedian: Double
    /// Membership-inference attack by distance: score = −(distance of a record to its closest synthetic
    /// row); ROC AUC with members = training rows, non-members = holdout rows. 0.5 = no signal.
    public var membershipInferenceAUC: Double
    /// Density-ratio membership-inference attack (DOMIAS, van Breugel et al., AISTATS 2023):
    /// score(x) = p_syn(x) / p_ref(x), with both densities estimated by nearest-neighbour distances
    /// (k-NN density with k = 1, p ∝ 1/r^d): ranking by log r_ref(x) − log r_syn(x) is ranking by the
    /// density ratio, whatever the dimension d. The reference set is half of the holdout; non-members are the other half and
    /// members an equal number of training rows. ROC AUC; 0.5 = no signal.
    public var densityRatioMIA_AUC: Double
    /// Histograms for the report: DCR of synthetic and holdout rows to training rows.
    public var dcrHistogram: Histogram
    /// Membership-inference ROC curve points.
    public var membershipROC: [[Double]]
    /// Per-row DCR share contributions are not stored; only aggregates are reported.

    public static func compute(train: Table, holdout: Table, synthetic: Table, seed: UInt64) -> DistancePrivacy {
        computeWithRows(train: train, holdout: holdout, synthetic: synthetic, seed: seed).0
    }

    /// Also returns, per synthetic row, 1 when it is closer to the training subsample than to the
    /// holdout, ½ on a tie, 0 otherwise (for per-group DCR shares).
    public static func computeWithRows(train: Table, holdout: Table, synthetic: Table, seed: UInt64) -> (DistancePrivacy, [Double]) {
        let enc = FeatureEncoder(reference: train, mode: .gower)
        let cols = Double(max(enc.columnCount, 1))
        let xt = enc.transform(train), xh = enc.transform(holdout), xs = enc.transform(synthetic)
        let nt = train.rowCount, nh = holdout.rowCount, ns = synthetic.rowCount
        let w = enc.width
        // Three fused passes give every distance (plus half a pass for the DOMIAS reference):
        // synthetic × train, synthetic × holdout, holdout × train.
        var rng = SeededGenerator(seed: seed, stream: 0xDC)
        var order = Array(0..<nt)
        rng.shuffle(&order)
        var inSub = [Bool](repeating: false, count: nt)
        for i in order.prefix(min(nt, nh)) { inSub[i] = true }
        // One coordinate order for every search, so that a pair of rows has the same float distance in
        // each (the DCR share and the attacks compare distances across searches, ties included).
        let coords = GowerCross.coordinateOrder(queries: xs, rows: ns, references: xt, rows: nt, dimension: w)
        let synTrain = GowerCross.search(queries: xs, rows: ns, references: xt, rows: nt, dimension: w, subset: inSub, coordinates: coords)
        let synHold = GowerCross.search(queries: xs, rows: ns, references: xh, rows: nh, dimension: w, coordinates: coords)
        let holdTrain = GowerCross.search(queries: xh, rows: nh, references: xt, rows: nt, dimension: w, coordinates: coords)

        let dcrS = synTrain.nearest.map { $0 / cols }, dcrH = holdTrain.nearest.map { $0 / cols }
        let exact = dcrS.filter { $0 == 0 }.count
        let holdExact = dcrH.filter { $0 == 0 }.count

        // DCR share against a train subsample of the holdout's size.
        let dSub = synTrain.nearestInSubset, dHold = synHold.nearest
        let closerRows = (0..<ns).map { i in dSub[i] < dHold[i] ? 1.0 : (dSub[i] == dHold[i] ? 0.5 : 0) }
        let closer = closerRows.reduce(0, +)

        // NNDR.
        func ratio(_ r: GowerCross.Result) -> [Double] { zip(r.nearest, r.second).map { $1 > 0 ? $0 / $1 : 1 } }

        // Membership inference: distance of each train / holdout record to the synthetic set.
        let memberD = synTrain.referenceNearest, nonMemberD = synHold.referenceNearest
        let scores = memberD.map { -$0 } + nonMemberD.map { -$0 }
        let labels = [Bool](repeating: true, count: nt) + [Bool](repeating: false, count: nh)
        let auc = ROC.auc(scores: scores, labels: labels) ?? 0.5
        let curve = ROC.curve(scores: scores, labels: labels, maxPoints: 101).map { [$0.0, $0.1] }

        // DOMIAS-style attack: reference = first half of a shuffled holdout, non-members = second half.
        var hold = Array(0..<nh)
        rng.shuffle(&hold)
        let half = nh / 2
        var domias = 0.5
        if half >= 2, nh - half >= 2 {
            func rows(_ x: [Double], _ idx: [Int]) -> [Double] {
                var out = [Double](repeating: 0, count: idx.count * w)
                for (r, i) in idx.enumerated() { for k in 0..<w { out[r * w + k] = x[i * w + k] } }
                return out
            }
            let reference = Array(hold[..<half])
            let nonMemberRows = Array(hold[half...]), memberRows = Array(order.prefix(min(nt, nh - half)))
            let queries = rows(xt, memberRows) + rows(xh, nonMemberRows)
            let toReference = GowerCross.search(queries: queries, rows: memberRows.count + nonMemberRows.count,
                                                references: rows(xh, reference), rows: reference.count, dimension: w,
                                                coordinates: coords).nearest
            let toSynthetic = memberRows.map { memberD[$0] } + nonMemberRows.map { nonMemberD[$0] }
            let s = zip(toReference, toSynthetic).map { log($0 + 1e-6) - log($1 + 1e-6) }
            domias = ROC.auc(scores: s, labels: [Bool](repeating: true, count: memberRows.count) + [Bool](repeating: false, count: nonMemberRows.count)) ?? 0.5
        }

        let hist = Histogram(a: dcrS, b: dcrH, bins: 30)
        return (DistancePrivacy(
            exactCopies: exact, exactCopyRate: Double(exact) / Double(max(ns, 1)),
            holdoutExactCopyRate: Double(holdExact) / Double(max(nh, 1)),
            dcrSyntheticMedian: Stats.quantile(dcrS, 0.5), dcrHoldoutMedian: Stats.quantile(dcrH, 0.5),
            dcrSynthetic5thPercentile: Stats.quantile(dcrS, 0.05), dcrHoldout5thPercentile: Stats.quantile(dcrH, 0.05),
            dcrShare: Proportion(successes: closer, n: ns),
            nndrSyntheticMedian: Stats.quantile(ratio(synTrain), 0.5), nndrHoldoutMedian: Stats.quantile(ratio(holdTrain), 0.5),
            membershipInferenceAUC: auc, densityRatioMIA_AUC: domias, dcrHistogram: hist, membershipROC: curve), closerRows)
    }
}

/// Two overlaid histograms on shared edges (for the report's plots).
public struct Histogram: Codable, Sendable, Equatable {
    public var edges: [Double]
    public var a: [Double]   // shares
    public var b: [Double]

    /// `rangeFromFirst`: edges span the first sample's range (values of the second outside it fall in
    /// the end bins); otherwise both samples' range.
    public init(a va: [Double], b vb: [Double], bins: Int, rangeFromFirst: Bool = false) {
        let all = (rangeFromFirst ? va : va + vb).filter { !$0.isNaN }
        let lo = all.min() ?? 0, hiRaw = all.max() ?? 1
        let hi = hiRaw > lo ? hiRaw : lo + 1
        // Half-scaled differences stay finite even when the range spans ±1e308.
        edges = (0...bins).map { let f = Double($0) / Double(bins); return lo * (1 - f) + hi * f }
        let span = hi * 0.5 - lo * 0.5
        func counts(_ v: [Double]) -> [Double] {
            var c = [Double](repeating: 0, count: bins)
            let present = v.filter { !$0.isNaN }
            for x in present {
                let t = (x * 0.5 - lo * 0.5) / span * Double(bins)
                c[t.isFinite ? min(bins - 1, max(0, Int(max(-1, min(Double(bins), t))))) : (t > 0 ? bins - 1 : 0)] += 1
            }
            return c.map { $0 / Double(max(present.count, 1)) }
        }
        a = counts(va); b = counts(vb)
    }
}

/// Small statistics helpers.
public enum Stats {
    /// Linear-interpolation quantile (numpy's default) of the non-NaN values.
    public static func quantile(_ v: [Double], _ q: Double) -> Double {
        let s = v.filter { !$0.isNaN }.sorted()
        return s.isEmpty ? .nan : interpolatedQuantile(sorted: s, q)
    }
}

/// k-anonymity of the quasi-identifiers in a table: the size of the smallest group of rows sharing
/// the same quasi-identifier values (exact equivalence classes; missing is a value).
public struct KAnonymity: Codable, Sendable, Equatable {
    public var columns: [String]
    public var k: Int
    public var classes: Int
    /// Share of rows in classes smaller than 5.
    public var shareBelow5: Double

    public static func compute(_ table: Table, quasiIdentifiers: [String]) -> KAnonymity? {
        let idx = quasiIdentifiers.compactMap { table.schema.index(of: $0) }
        guard !idx.isEmpty, table.rowCount > 0 else { return nil }
        var groups: [[UInt64]: Int] = [:]
        var keys: [[UInt64]] = []
        keys.reserveCapacity(table.rowCount)
        for i in 0..<table.rowCount {
            let key: [UInt64] = idx.map { j in
                switch table.columns[j].values {
                case .numeric(let v): return v[i].isNaN ? UInt64.max : v[i].bitPattern
                case .categorical(let c, _): return UInt64(bitPattern: Int64(c[i]))
                case .text(let t): return t[i].map { UInt64(bitPattern: Int64($0.hashValue)) } ?? UInt64.max
                }
            }
            groups[key, default: 0] += 1
            keys.append(key)
        }
        let small = keys.filter { groups[$0]! < 5 }.count
        return KAnonymity(columns: quasiIdentifiers, k: groups.values.min() ?? 0, classes: groups.count,
                          shareBelow5: Double(small) / Double(table.rowCount))
    }
}
