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
    /// A chosen split, before the rows are divided.
    struct Split {
        var gain: Double
        var feature: Int
        /// Bins in sweep order; bins `order[0...cut]` go left.
        var order: [Int]
        var cut: Int
        var missingLeft: Bool
    }

    /// Where each feature's histogram sits in one flat array of doubles: `bins + 1` rows (the last is
    /// missing) of `width` numbers — class counts for a categorical target, (n, Σy, Σy², missing) for a
    /// numeric one.
    struct HistogramLayout {
        let offsets: [Int]
        let width: Int
        let total: Int

        init(data: TreeTrainingData, target: TreeTarget, features: [Int]) {
            switch target {
            case .categorical(_, let classes): width = classes
            case .numeric: width = 4
            }
            var offsets: [Int] = [], total = 0
            for f in features { offsets.append(total); total += (data.bins[f] == nil ? 0 : data.binCount[f] + 1) * width }
            self.offsets = offsets; self.total = total
        }
    }

    /// Memory for the histograms kept with open nodes, per tree (nodes with fewer rows than this
    /// allows recompute theirs from the rows).
    static let histogramBudgetBytes = 64 << 20

    /// Grows one tree for `target` on the `features`, best-first.
    ///
    /// Each open node keeps its per-feature histograms while it waits to be split (when it is large
    /// enough to be worth the memory); a split computes the smaller child's histograms from its rows
    /// and the larger child's as parent − smaller (LightGBM's histogram subtraction), so a row is
    /// histogrammed only when it lands on the smaller side: O(n log n) per feature, where recomputing
    /// both children costs O(n · depth) — quadratic when splits peel small groups off a large node.
    /// `subtraction: false` recounts both children from their rows (the reference the tests compare with).
    static func grow(data: TreeTrainingData, target: TreeTarget, targetColumn: Int, features: [Int], minLeaf: Int,
                     subtraction: Bool = true) -> SynthesisTree {
        let layout = HistogramLayout(data: data, target: target, features: features)
        let keepRows = subtraction ? max(2 * minLeaf, data.rows * layout.total * MemoryLayout<Double>.size / histogramBudgetBytes) : Int.max
        var nodes: [TreeNode] = []
        var leafRows: [[Int32]] = []
        let all = (0..<data.rows).map { Int32($0) }
        let rootHist = histograms(all, layout: layout, data: data, target: target, features: features)
        let minGain = 1e-8 * max(node(rootHist, rows: data.rows, layout: layout, data: data, target: target, features: features)?.impurity ?? 0, 1e-12)
        // open nodes: their rows, best split and kept histograms; gains apart so choosing scans doubles only
        var openNode: [Int] = [], openRows: [[Int32]] = [], openSplit: [Split?] = [], openGain: [Double] = [], openHist: [[Double]] = []
        func addOpen(_ node: Int, _ rows: [Int32], _ hist: [Double]) {
            let split = bestSplit(rows: rows.count, hist: hist, layout: layout, data: data, target: target, features: features, minLeaf: minLeaf, minGain: minGain)
            openNode.append(node); openRows.append(rows); openSplit.append(split); openGain.append(split?.gain ?? -.infinity)
            openHist.append(split != nil && rows.count >= keepRows ? hist : [])
        }
        func makeLeaf(_ node: Int, _ rows: [Int32]) {
            nodes[node].leaf = Int32(leafRows.count)
            leafRows.append(rows)
        }
        nodes.append(TreeNode(feature: -1, threshold: 0, leftCodes: nil, missingLeft: false, left: -1, right: -1, leaf: -1))
        addOpen(0, all, rootHist)
        var leafCount = 1
        while leafCount < SynthesisTree.maxLeaves {
            // best-first: split the open node with the largest gain
            var pick = -1, bestGain = -Double.infinity
            for k in openGain.indices where openGain[k] > bestGain { bestGain = openGain[k]; pick = k }
            guard pick >= 0 else { break }
            let last = openNode.count - 1
            openNode.swapAt(pick, last); openRows.swapAt(pick, last); openSplit.swapAt(pick, last); openGain.swapAt(pick, last); openHist.swapAt(pick, last)
            let node = openNode.removeLast(), rows = openRows.removeLast(), s = openSplit.removeLast()!, parentHist = openHist.removeLast()
            openGain.removeLast()
            let (leftRows, rightRows, threshold, leftCodes) = divide(rows, by: s, data: data)
            let l = nodes.count, r = nodes.count + 1
            nodes[node] = TreeNode(feature: Int32(s.feature), threshold: threshold, leftCodes: leftCodes, missingLeft: s.missingLeft, left: Int32(l), right: Int32(r), leaf: -1)
            nodes.append(TreeNode(feature: -1, threshold: 0, leftCodes: nil, missingLeft: false, left: -1, right: -1, leaf: -1))
            nodes.append(TreeNode(feature: -1, threshold: 0, leftCodes: nil, missingLeft: false, left: -1, right: -1, leaf: -1))
            let leftIsSmaller = leftRows.count <= rightRows.count
            let small = histograms(leftIsSmaller ? leftRows : rightRows, layout: layout, data: data, target: target, features: features)
            var large: [Double]
            if parentHist.isEmpty {
                large = histograms(leftIsSmaller ? rightRows : leftRows, layout: layout, data: data, target: target, features: features)
            } else {
                large = parentHist
                for i in large.indices { large[i] -= small[i] }
            }
            addOpen(l, leftRows, leftIsSmaller ? small : large)
            addOpen(r, rightRows, leftIsSmaller ? large : small)
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

    /// A node's target totals — class counts, or (n, Σy, Σy², missing) — summed from any one feature's
    /// histogram, and its impurity; nil when no feature has a histogram.
    static func node(_ hist: [Double], rows: Int, layout: HistogramLayout, data: TreeTrainingData, target: TreeTarget,
                     features: [Int]) -> (totals: [Double], impurity: Double)? {
        guard let first = features.indices.first(where: { data.bins[features[$0]] != nil }) else { return nil }
        let w = layout.width
        var totals = [Double](repeating: 0, count: w)
        for b in 0...data.binCount[features[first]] { for c in 0..<w { totals[c] += hist[layout.offsets[first] + b * w + c] } }
        switch target {
        case .categorical: return (totals, gini(totals, Double(rows)))
        case .numeric(_, let scale): return (totals, numericImpurity(n: totals[0], sum: totals[1], sumSquares: totals[2], missing: totals[3], scale: scale))
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

    /// The node's histograms (see ``HistogramLayout``) from its rows.
    static func histograms(_ rows: [Int32], layout: HistogramLayout, data: TreeTrainingData, target: TreeTarget, features: [Int]) -> [Double] {
        var out = [Double](repeating: 0, count: layout.total)
        out.withUnsafeMutableBufferPointer { h in rows.withUnsafeBufferPointer { rb in
            for (k, f) in features.enumerated() {
                guard let codes = data.bins[f] else { continue }
                let base = layout.offsets[k]
                codes.withUnsafeBufferPointer { cb in
                    switch target {
                    case .categorical(let y, let classes):
                        y.withUnsafeBufferPointer { yb in
                            for i in rb { h[base &+ Int(cb[Int(i)]) &* classes &+ Int(yb[Int(i)])] += 1 }
                        }
                    case .numeric(let y, _):
                        y.withUnsafeBufferPointer { yb in
                            for i in rb {
                                let b = base &+ Int(cb[Int(i)]) &* 4, v = yb[Int(i)]
                                if v.isNaN { h[b &+ 3] += 1 } else { h[b] += 1; h[b &+ 1] += v; h[b &+ 2] += v * v }
                            }
                        }
                    }
                }
            }
        } }
        return out
    }

    /// The best split of a node with `rows` rows from its histograms, or nil when no split leaves
    /// `minLeaf` rows on both sides and gains more than `minGain`.
    static func bestSplit(rows: Int, hist: [Double], layout: HistogramLayout, data: TreeTrainingData, target: TreeTarget, features: [Int], minLeaf: Int, minGain: Double) -> Split? {
        guard rows >= 2 * minLeaf, let here = node(hist, rows: rows, layout: layout, data: data, target: target, features: features),
              here.impurity > minGain else { return nil }
        let (totals, parent) = here, w = layout.width
        var best: Split? = nil
        for (k, f) in features.enumerated() where data.bins[f] != nil {
            let nb = data.binCount[f] + 1                          // last = missing
            let base = layout.offsets[k]
            func at(_ b: Int, _ c: Int) -> Double { hist[base + b * w + c] }
            switch target {
            case .categorical(_, let classes):
                var count = [Double](repeating: 0, count: nb)
                for b in 0..<nb { for c in 0..<classes { count[b] += at(b, c) } }
                // categories: ordered by the share of the node's most common class
                var top = 0
                for c in 0..<classes where totals[c] > totals[top] { top = c }
                let order = binOrder(f, data: data, nb: nb, count: count) { b in count[b] > 0 ? at(b, top) / count[b] : 0 }
                for missingLeft in [false, true] {
                    var left = [Double](repeating: 0, count: classes), nl = 0.0
                    var right = [Double](repeating: 0, count: classes), nr = 0.0
                    for b in 0..<nb { for c in 0..<classes { right[c] += at(b, c) }; nr += count[b] }
                    let m = nb - 1
                    if missingLeft { for c in 0..<classes { left[c] += at(m, c); right[c] -= at(m, c) }; nl += count[m]; nr -= count[m] }
                    for (cut, b) in order.enumerated() where cut < order.count - 1 {
                        for c in 0..<classes { left[c] += at(b, c); right[c] -= at(b, c) }
                        nl += count[b]; nr -= count[b]
                        guard nl >= Double(minLeaf), nr >= Double(minLeaf), count[b] > 0 else { continue }
                        let gain = parent - gini(left, nl) - gini(right, nr)
                        if gain > (best?.gain ?? minGain) { best = Split(gain: gain, feature: f, order: order, cut: cut, missingLeft: missingLeft) }
                    }
                    if count[nb - 1] == 0 { break }
                }
            case .numeric(_, let scale):
                var n = [Double](repeating: 0, count: nb), s = n, ss = n, miss = n, count = n
                for b in 0..<nb {
                    n[b] = at(b, 0); s[b] = at(b, 1); ss[b] = at(b, 2); miss[b] = at(b, 3); count[b] = n[b] + miss[b]
                }
                let order = binOrder(f, data: data, nb: nb, count: count) { b in n[b] > 0 ? s[b] / n[b] : 0 }
                let tn = n.reduce(0, +), ts = s.reduce(0, +), tss = ss.reduce(0, +), tm = miss.reduce(0, +)
                for missingLeft in [false, true] {
                    let m = nb - 1
                    var ln = 0.0, ls = 0.0, lss = 0.0, lm = 0.0, lc = 0.0
                    if missingLeft { ln = n[m]; ls = s[m]; lss = ss[m]; lm = miss[m]; lc = count[m] }
                    for (cut, b) in order.enumerated() where cut < order.count - 1 {
                        ln += n[b]; ls += s[b]; lss += ss[b]; lm += miss[b]; lc += count[b]
                        let rc = Double(rows) - lc
                        guard lc >= Double(minLeaf), rc >= Double(minLeaf), count[b] > 0 else { continue }
                        let gain = parent - numericImpurity(n: ln, sum: ls, sumSquares: lss, missing: lm, scale: scale)
                            - numericImpurity(n: tn - ln, sum: ts - ls, sumSquares: tss - lss, missing: tm - lm, scale: scale)
                        if gain > (best?.gain ?? minGain) { best = Split(gain: gain, feature: f, order: order, cut: cut, missingLeft: missingLeft) }
                    }
                    if count[nb - 1] == 0 { break }
                }
            }
        }
        return best
    }

    /// The rows of each side of `split`, and the node's threshold (numeric) or left codes (categorical).
    static func divide(_ rows: [Int32], by split: Split, data: TreeTrainingData) -> (left: [Int32], right: [Int32], threshold: Double, leftCodes: [Int32]?) {
        let codes = data.bins[split.feature]!
        let missingBin = data.binCount[split.feature]
        var goesLeft = [Bool](repeating: false, count: missingBin + 1)
        for k in 0...split.cut { goesLeft[split.order[k]] = true }
        goesLeft[missingBin] = split.missingLeft
        var left: [Int32] = [], right: [Int32] = []
        for i in rows { if goesLeft[Int(codes[Int(i)])] { left.append(i) } else { right.append(i) } }
        let threshold = data.isCategorical[split.feature] ? 0 : data.upperValues[split.feature][split.order[split.cut]]
        let leftCodes = data.isCategorical[split.feature] ? (0..<missingBin).filter { goesLeft[$0] }.map { Int32($0) } : nil
        return (left, right, threshold, leftCodes)
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
