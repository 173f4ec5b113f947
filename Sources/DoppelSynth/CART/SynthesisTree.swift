import DoppelMath
import DoppelData
import Foundation

/// What a leaf of a synthesis tree draws: the distribution of the target column among the training rows
/// that reached it.
public struct LeafDistribution: Codable, Sendable, Equatable {
    /// Share of the leaf's rows where the target is missing.
    public var missing: Float
    /// Categorical target: cumulative probabilities of the category codes.
    public var cumulative: [Float]?
    /// Numeric target: quantile knots of the leaf's present values (all of them when few).
    public var knots: NumericMarginal?
}

/// One node of a ``SynthesisTree``.
public struct TreeNode: Codable, Sendable, Equatable {
    /// The splitting column (index in the schema); -1 for a leaf.
    public var feature: Int32
    /// Numeric split: left when x ≤ threshold.
    public var threshold: Double
    /// Categorical split: the codes that go left.
    public var leftCodes: [Int32]?
    /// Where a missing value goes.
    public var missingLeft: Bool
    public var left: Int32
    public var right: Int32
    /// Leaf: index into the tree's leaves.
    public var leaf: Int32
}

/// A classification or regression tree (CART, Breiman et al. 1984) fitted to synthesize one column from
/// the columns synthesized before it, as in synthpop's `cart` method (Nowok, Raab and Dibben 2016).
///
/// Splits minimise Gini impurity (categorical target) or the sum of squared errors (numeric target; plus
/// the Gini impurity of "is missing" when the column has gaps, on the variance scale), on histogram bins
/// of the features (at most 64 quantile bins per numeric feature, a missing bin that may go either way,
/// categories ordered by their mean target). A split must leave `minLeaf` rows on each side — the
/// privacy/utility knob: small leaves copy more of the training rows. Trees grow best-first up to
/// ``maxLeaves`` leaves.
public struct SynthesisTree: Codable, Sendable, Equatable {
    public var target: Int
    public var nodes: [TreeNode]
    public var leaves: [LeafDistribution]

    public static let maxLeaves = 4096
    public static let maxBins = 64

    /// The leaf reached by row `i` of `columns`.
    @inlinable
    func leaf(_ columns: [ColumnValues], _ i: Int) -> Int {
        var k = 0
        while true {
            let node = nodes[k]
            if node.feature < 0 { return Int(node.leaf) }
            let goLeft: Bool
            switch columns[Int(node.feature)] {
            case .numeric(let v):
                let x = v[i]
                goLeft = x.isNaN ? node.missingLeft : x <= node.threshold
            case .categorical(let c, _):
                let x = c[i]
                goLeft = x < 0 ? node.missingLeft : (node.leftCodes?.contains(x) ?? false)
            case .text:
                goLeft = true
            }
            k = Int(goLeft ? node.left : node.right)
        }
    }
}

/// Training data prepared for growing trees: every modelled column as histogram bin codes.
struct TreeTrainingData {
    /// Per column: bin code per row (missing = `binCount[j]`), or nil for columns that are not features.
    let bins: [[UInt16]?]
    let binCount: [Int]
    /// Numeric features: the largest value in each bin (the split threshold).
    let upperValues: [[Double]]
    let isCategorical: [Bool]
    let rows: Int

    init(_ table: Table) {
        var bins: [[UInt16]?] = [], counts: [Int] = [], uppers: [[Double]] = [], categorical: [Bool] = []
        for (j, spec) in table.schema.columns.enumerated() {
            switch (spec.kind, table.columns[j].values) {
            case (.numeric, .numeric(let v)), (.datetime, .numeric(let v)):
                let present = v.filter { !$0.isNaN }.sorted()
                var distinct: [Double] = []
                for x in present where distinct.last != x { distinct.append(x) }
                var upper: [Double]
                if distinct.count <= SynthesisTree.maxBins {
                    upper = distinct
                } else {
                    upper = []
                    for b in 1...SynthesisTree.maxBins {
                        let q = present[min(present.count - 1, b * present.count / SynthesisTree.maxBins - 1)]
                        if upper.last.map({ q > $0 }) ?? true { upper.append(q) }
                    }
                    if upper.last! < distinct.last! { upper.append(distinct.last!) }
                }
                let nb = upper.count
                bins.append(v.map { x in
                    if x.isNaN { return UInt16(nb) }
                    var lo = 0, hi = nb - 1               // first bin with upper ≥ x
                    while lo < hi { let mid = (lo + hi) / 2; if upper[mid] >= x { hi = mid } else { lo = mid + 1 } }
                    return UInt16(lo)
                })
                counts.append(nb); uppers.append(upper); categorical.append(false)
            case (.categorical, .categorical(let c, let levels)) where levels.count < Int(UInt16.max):
                bins.append(c.map { $0 < 0 ? UInt16(levels.count) : UInt16($0) })
                counts.append(levels.count); uppers.append([]); categorical.append(true)
            default:
                bins.append(nil); counts.append(0); uppers.append([]); categorical.append(false)
            }
        }
        self.bins = bins; binCount = counts; upperValues = uppers; isCategorical = categorical; rows = table.rowCount
    }
}

/// The target of one tree: category codes (missing = the last class) or numbers (NaN = missing).
enum TreeTarget {
    case categorical(codes: [Int32], classes: Int)      // classes includes "missing"
    case numeric(values: [Double], scale: Double)       // scale: 1 / overall variance
}

enum TreeGrower {
    struct Split {
        var gain: Double
        var feature: Int
        var threshold: Double
        var leftCodes: [Int32]?
        var missingLeft: Bool
        var leftRows: [Int32], rightRows: [Int32]
    }

    /// Grows one tree for `target` on the `features`.
    static func grow(data: TreeTrainingData, target: TreeTarget, targetColumn: Int, features: [Int], minLeaf: Int) -> SynthesisTree {
        var nodes: [TreeNode] = []
        var leafRows: [[Int32]] = []
        let all = (0..<data.rows).map { Int32($0) }
        let minGain = 1e-8 * max(impurity(all, target), 1e-12)
        // open nodes: their rows and best split; gains kept apart so choosing the next split scans doubles only
        var openNode: [Int] = [], openRows: [[Int32]] = [], openSplit: [Split?] = [], openGain: [Double] = []
        func addOpen(_ node: Int, _ rows: [Int32]) {
            let split = bestSplit(rows, data: data, target: target, features: features, minLeaf: minLeaf, minGain: minGain)
            openNode.append(node); openRows.append(rows); openSplit.append(split); openGain.append(split?.gain ?? -.infinity)
        }
        func makeLeaf(_ node: Int, _ rows: [Int32]) {
            nodes[node].leaf = Int32(leafRows.count)
            leafRows.append(rows)
        }
        nodes.append(TreeNode(feature: -1, threshold: 0, leftCodes: nil, missingLeft: false, left: -1, right: -1, leaf: -1))
        addOpen(0, all)
        var leafCount = 1
        while leafCount < SynthesisTree.maxLeaves {
            // best-first: split the open node with the largest gain
            var pick = -1, bestGain = -Double.infinity
            for k in openGain.indices where openGain[k] > bestGain { bestGain = openGain[k]; pick = k }
            guard pick >= 0 else { break }
            let node = openNode[pick], s = openSplit[pick]!
            openNode.swapAt(pick, openNode.count - 1); openRows.swapAt(pick, openRows.count - 1)
            openSplit.swapAt(pick, openSplit.count - 1); openGain.swapAt(pick, openGain.count - 1)
            openNode.removeLast(); openRows.removeLast(); openSplit.removeLast(); openGain.removeLast()
            let l = nodes.count, r = nodes.count + 1
            nodes[node] = TreeNode(feature: Int32(s.feature), threshold: s.threshold, leftCodes: s.leftCodes, missingLeft: s.missingLeft, left: Int32(l), right: Int32(r), leaf: -1)
            nodes.append(TreeNode(feature: -1, threshold: 0, leftCodes: nil, missingLeft: false, left: -1, right: -1, leaf: -1))
            nodes.append(TreeNode(feature: -1, threshold: 0, leftCodes: nil, missingLeft: false, left: -1, right: -1, leaf: -1))
            addOpen(l, s.leftRows)
            addOpen(r, s.rightRows)
            leafCount += 1
        }
        for k in openNode.indices { makeLeaf(openNode[k], openRows[k]) }
        // leaves in node order for a stable layout
        var leaves: [LeafDistribution] = []
        var remap = [Int32](repeating: -1, count: leafRows.count)
        for k in nodes.indices where nodes[k].feature < 0 {
            remap[Int(nodes[k].leaf)] = Int32(leaves.count)
            leaves.append(distribution(leafRows[Int(nodes[k].leaf)], target))
            nodes[k].leaf = remap[Int(nodes[k].leaf)]
        }
        return SynthesisTree(target: targetColumn, nodes: nodes, leaves: leaves)
    }

    static func impurity(_ rows: [Int32], _ target: TreeTarget) -> Double {
        switch target {
        case .categorical(let codes, let classes):
            var counts = [Double](repeating: 0, count: classes)
            for i in rows { counts[Int(codes[Int(i)])] += 1 }
            return gini(counts, Double(rows.count))
        case .numeric(let values, let scale):
            var n = 0.0, s = 0.0, ss = 0.0, missing = 0.0
            for i in rows { let y = values[Int(i)]; if y.isNaN { missing += 1 } else { n += 1; s += y; ss += y * y } }
            return numericImpurity(n: n, sum: s, sumSquares: ss, missing: missing, scale: scale)
        }
    }

    /// Σ n·(1 − Σ p²): the Gini impurity weighted by the row count.
    @inline(__always) static func gini(_ counts: [Double], _ n: Double) -> Double {
        guard n > 0 else { return 0 }
        var s = 0.0
        for c in counts { s += c * c }
        return n - s / n
    }

    /// SSE of the present values (times `scale` = 1/variance) plus the weighted Gini impurity of "missing".
    @inline(__always) static func numericImpurity(n: Double, sum: Double, sumSquares: Double, missing: Double, scale: Double) -> Double {
        let sse = n > 0 ? max(0, sumSquares - sum * sum / n) : 0
        let total = n + missing
        let g = total > 0 ? total - (n * n + missing * missing) / total : 0
        return sse * scale + g
    }

    static func bestSplit(_ rows: [Int32], data: TreeTrainingData, target: TreeTarget, features: [Int], minLeaf: Int, minGain: Double) -> Split? {
        guard rows.count >= 2 * minLeaf, !features.isEmpty else { return nil }
        let parent = impurity(rows, target)
        guard parent > minGain else { return nil }
        var best: (gain: Double, feature: Int, order: [Int], cut: Int, missingLeft: Bool)? = nil
        for f in features {
            guard let codes = data.bins[f] else { continue }
            let nb = data.binCount[f] + 1                          // last = missing
            // per-bin statistics
            switch target {
            case .categorical(let y, let classes):
                var hist = [Double](repeating: 0, count: nb * classes)
                var count = [Double](repeating: 0, count: nb)
                hist.withUnsafeMutableBufferPointer { h in count.withUnsafeMutableBufferPointer { cn in
                    codes.withUnsafeBufferPointer { cb in y.withUnsafeBufferPointer { yb in rows.withUnsafeBufferPointer { rb in
                        for i in rb { let b = Int(cb[Int(i)]); h[b &* classes &+ Int(yb[Int(i)])] += 1; cn[b] += 1 }
                    } } }
                } }
                // categories: ordered by the share of the node's most common class
                var totals = [Double](repeating: 0, count: classes), top = 0
                for bb in 0..<nb { for c in 0..<classes { totals[c] += hist[bb * classes + c] } }
                for c in 0..<classes where totals[c] > totals[top] { top = c }
                let order = binOrder(f, data: data, nb: nb, count: count) { b in count[b] > 0 ? hist[b * classes + top] / count[b] : 0 }
                for missingLeft in [false, true] {
                    var left = [Double](repeating: 0, count: classes), nl = 0.0
                    var right = [Double](repeating: 0, count: classes), nr = 0.0
                    for b in 0..<nb { for c in 0..<classes { right[c] += hist[b * classes + c] }; nr += count[b] }
                    let m = nb - 1
                    if missingLeft { for c in 0..<classes { left[c] += hist[m * classes + c]; right[c] -= hist[m * classes + c] }; nl += count[m]; nr -= count[m] }
                    for (k, b) in order.enumerated() where k < order.count - 1 {
                        for c in 0..<classes { left[c] += hist[b * classes + c]; right[c] -= hist[b * classes + c] }
                        nl += count[b]; nr -= count[b]
                        guard nl >= Double(minLeaf), nr >= Double(minLeaf), count[b] > 0 else { continue }
                        let gain = parent - gini(left, nl) - gini(right, nr)
                        if gain > (best?.gain ?? minGain) { best = (gain, f, order, k, missingLeft) }
                    }
                    if count[nb - 1] == 0 { break }
                }
            case .numeric(let y, let scale):
                var stats = [Double](repeating: 0, count: nb * 4)        // per bin: n, Σy, Σy², missing
                stats.withUnsafeMutableBufferPointer { st in
                    codes.withUnsafeBufferPointer { cb in y.withUnsafeBufferPointer { yb in rows.withUnsafeBufferPointer { rb in
                        for i in rb {
                            let b = Int(cb[Int(i)]) &* 4, v = yb[Int(i)]
                            if v.isNaN { st[b &+ 3] += 1 } else { st[b] += 1; st[b &+ 1] += v; st[b &+ 2] += v * v }
                        }
                    } } }
                }
                var n = [Double](repeating: 0, count: nb), s = n, ss = n, miss = n, count = n
                for b in 0..<nb {
                    n[b] = stats[4 * b]; s[b] = stats[4 * b + 1]; ss[b] = stats[4 * b + 2]; miss[b] = stats[4 * b + 3]; count[b] = n[b] + miss[b]
                }
                let order = binOrder(f, data: data, nb: nb, count: count) { b in n[b] > 0 ? s[b] / n[b] : 0 }
                let tn = n.reduce(0, +), ts = s.reduce(0, +), tss = ss.reduce(0, +), tm = miss.reduce(0, +)
                for missingLeft in [false, true] {
                    let m = nb - 1
                    var ln = 0.0, ls = 0.0, lss = 0.0, lm = 0.0, lc = 0.0
                    if missingLeft { ln = n[m]; ls = s[m]; lss = ss[m]; lm = miss[m]; lc = count[m] }
                    for (k, b) in order.enumerated() where k < order.count - 1 {
                        ln += n[b]; ls += s[b]; lss += ss[b]; lm += miss[b]; lc += count[b]
                        let rc = Double(rows.count) - lc
                        guard lc >= Double(minLeaf), rc >= Double(minLeaf), count[b] > 0 else { continue }
                        let gain = parent - numericImpurity(n: ln, sum: ls, sumSquares: lss, missing: lm, scale: scale)
                            - numericImpurity(n: tn - ln, sum: ts - ls, sumSquares: tss - lss, missing: tm - lm, scale: scale)
                        if gain > (best?.gain ?? minGain) { best = (gain, f, order, k, missingLeft) }
                    }
                    if count[nb - 1] == 0 { break }
                }
            }
        }
        guard let b = best else { return nil }
        let codes = data.bins[b.feature]!
        let missingBin = data.binCount[b.feature]
        var goesLeft = [Bool](repeating: false, count: missingBin + 1)
        for k in 0...b.cut { goesLeft[b.order[k]] = true }
        goesLeft[missingBin] = b.missingLeft
        var left: [Int32] = [], right: [Int32] = []
        for i in rows { if goesLeft[Int(codes[Int(i)])] { left.append(i) } else { right.append(i) } }
        let threshold = data.isCategorical[b.feature] ? 0 : data.upperValues[b.feature][b.order[b.cut]]
        let leftCodes = data.isCategorical[b.feature] ? (0..<missingBin).filter { goesLeft[$0] }.map { Int32($0) } : nil
        return Split(gain: b.gain, feature: b.feature, threshold: threshold, leftCodes: leftCodes, missingLeft: b.missingLeft, leftRows: left, rightRows: right)
    }

    /// The order in which bins are swept: numeric bins in value order; categories by `key` (only those present).
    static func binOrder(_ f: Int, data: TreeTrainingData, nb: Int, count: [Double], key: (Int) -> Double) -> [Int] {
        let values = (0..<(nb - 1)).filter { count[$0] > 0 }
        guard data.isCategorical[f] else { return values }
        let keys = Dictionary(uniqueKeysWithValues: values.map { ($0, key($0)) })
        return values.sorted { keys[$0]! != keys[$1]! ? keys[$0]! < keys[$1]! : $0 < $1 }
    }

    static func distribution(_ rows: [Int32], _ target: TreeTarget) -> LeafDistribution {
        switch target {
        case .categorical(let codes, let classes):
            var counts = [Double](repeating: 0, count: classes)
            for i in rows { counts[Int(codes[Int(i)])] += 1 }
            let n = Double(max(rows.count, 1))
            var cumulative: [Float] = []
            var s = 0.0
            for c in 0..<(classes - 1) { s += counts[c]; cumulative.append(Float(s / n)) }
            return LeafDistribution(missing: Float(counts[classes - 1] / n), cumulative: cumulative, knots: nil)
        case .numeric(let values, _):
            let present = rows.map { values[Int($0)] }.filter { !$0.isNaN }.sorted()
            let missing = Float(Double(rows.count - present.count) / Double(max(rows.count, 1)))
            return LeafDistribution(missing: missing, cumulative: nil,
                                    knots: present.isEmpty ? nil : NumericMarginal(sortedValues: present, maxKnots: Discretizer.knotsPerBin))
        }
    }
}
