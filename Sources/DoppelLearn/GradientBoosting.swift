import Foundation

/// Histogram gradient-boosted decision trees (Friedman 2001; the LightGBM / scikit-learn
/// `HistGradientBoosting` scheme): features binned into at most 64 quantile bins, depth-wise trees
/// grown on gradient/hessian histograms, leaf value −G/(H + λ), shrinkage by the learning rate.
/// Squared loss for regression, log loss (one tree per class and round, softmax) for classification.
/// Deterministic: no sampling.
public struct GradientBoosting: Sendable {
    public struct Options: Sendable {
        public var rounds = 100
        public var learningRate = 0.1
        public var maxDepth = 4
        public var minLeaf = 20
        public var lambda = 1.0
        public var maxBins = 64
        /// Exclusive feature bundling and histogram subtraction (off only in tests, to check that they
        /// change nothing but speed).
        var bundling = true, subtraction = true
        public init() {}
    }

    struct Node: Sendable {
        var feature: Int = -1        // -1: leaf
        var threshold: Double = 0    // go left when x <= threshold
        var left = 0, right = 0
        var value = 0.0
    }
    struct Tree: Sendable { var nodes: [Node] }

    let trees: [[Tree]]              // rounds × outputs
    let base: [Double]
    let outputs: Int
    let learningRate: Double
    let features: Int

    // MARK: Fitting

    public static func fitRegressor(x: [Double], rows n: Int, cols d: Int, targets y: [Double], options: Options = Options()) -> GradientBoosting {
        let mean = y.reduce(0, +) / Double(max(n, 1))
        return fit(x: x, rows: n, cols: d, outputs: 1, base: [mean], options: options) { f, g, h in
            for i in 0..<n { g[0][i] = f[i] - y[i]; h[0][i] = 1 }
        }
    }

    public static func fitClassifier(x: [Double], rows n: Int, cols d: Int, labels y: [Int], classes k: Int, options: Options = Options()) -> GradientBoosting {
        var counts = [Double](repeating: 1e-3, count: k)
        for c in y { counts[c] += 1 }
        let total = counts.reduce(0, +)
        if k == 2 {
            let p = counts[1] / total
            return fit(x: x, rows: n, cols: d, outputs: 1, base: [log(p / (1 - p))], options: options) { f, g, h in
                for i in 0..<n {
                    let p = 1 / (1 + exp(-f[i]))
                    g[0][i] = p - (y[i] == 1 ? 1 : 0); h[0][i] = max(p * (1 - p), 1e-6)
                }
            }
        }
        let base = counts.map { log($0 / total) }
        return fit(x: x, rows: n, cols: d, outputs: k, base: base, options: options) { f, g, h in
            var z = [Double](repeating: 0, count: k)
            for i in 0..<n {
                var m = -Double.infinity
                for c in 0..<k { z[c] = f[i * k + c]; m = max(m, z[c]) }
                var s = 0.0
                for c in 0..<k { z[c] = exp(z[c] - m); s += z[c] }
                for c in 0..<k {
                    let p = z[c] / s
                    g[c][i] = p - (y[i] == c ? 1 : 0); h[c][i] = max(p * (1 - p), 1e-6)
                }
            }
        }
    }

    static func fit(x: [Double], rows n: Int, cols d: Int, outputs k: Int, base: [Double], options o: Options,
                    gradients: ([Double], inout [[Double]], inout [[Double]]) -> Void) -> GradientBoosting {
        // Quantile bin edges per feature and binned data (column-major).
        var edges: [[Double]] = []
        var binned = [UInt8](repeating: 0, count: n * d)
        for f in 0..<d {
            var v = (0..<n).map { x[$0 * d + f] }
            v.sort()
            var e: [Double] = []
            var uniq: [Double] = []
            for a in v where uniq.last != a { uniq.append(a) }
            if uniq.count <= o.maxBins { for i in 0..<max(uniq.count - 1, 0) { e.append((uniq[i] + uniq[i + 1]) / 2) } }
            else { for b in 1..<o.maxBins { let q = v[b * (n - 1) / o.maxBins]; if e.last != q { e.append(q) } } }
            edges.append(e)
            for i in 0..<n {
                let a = x[i * d + f]
                var lo = 0, hi = e.count
                while lo < hi { let mid = (lo + hi) / 2; if a <= e[mid] { hi = mid } else { lo = mid + 1 } }
                binned[f * n + i] = UInt8(lo)
            }
        }
        var fvals = [Double](repeating: 0, count: n * k)
        for i in 0..<n { for c in 0..<k { fvals[i * k + c] = base[c] } }
        var g = [[Double]](repeating: [Double](repeating: 0, count: n), count: k), h = g
        let bundles = o.bundling ? Bundles(binned: binned, edges: edges, n: n, d: d) : Bundles(features: d)
        var trees: [[Tree]] = []
        var leafValue = [Double](repeating: 0, count: n)
        for _ in 0..<o.rounds {
            gradients(fvals, &g, &h)
            var round: [Tree] = []
            for c in 0..<k {
                let tree = growTree(binned: binned, bundles: bundles, edges: edges, n: n, d: d, g: g[c], h: h[c], options: o, leafValue: &leafValue)
                for i in 0..<n { fvals[i * k + c] += o.learningRate * leafValue[i] }
                round.append(tree)
            }
            trees.append(round)
        }
        return GradientBoosting(trees: trees, base: base, outputs: k, learningRate: o.learningRate, features: d)
    }

    /// Grows one depth-wise tree on gradient/hessian histograms and writes each training row's leaf
    /// value to `leafValue`. A node's histograms (per feature and bin: Σg, Σh, count) are counted from
    /// its rows only for the root and the smaller child of each split; the larger child's are the
    /// parent's minus the smaller's (LightGBM's histogram subtraction).
    static func growTree(binned: [UInt8], bundles: Bundles, edges: [[Double]], n: Int, d: Int, g: [Double], h: [Double], options o: Options,
                         leafValue: inout [Double]) -> Tree {
        var offsets = [Int](repeating: 0, count: d + 1)
        for f in 0..<d { offsets[f + 1] = offsets[f] + (edges[f].count + 1) * 3 }
        let size = offsets[d]
        // Four partial histograms per counted column (rows r ≡ 0, 1, 2, 3 mod 4), summed at the end:
        // consecutive rows often fall in the same bin, and one histogram would chain every add through memory.
        var scratch = [Double](repeating: 0, count: 4 * 3 * (max(o.maxBins, bundles.maxBins) + 1))
        func count(_ column: UnsafePointer<UInt8>, bins: Int, _ rp: UnsafeBufferPointer<Int>, _ gs: [Double], _ hs: [Double],
                   into sp: UnsafeMutableBufferPointer<Double>) {
            let width = 3 * bins, m = rp.count
            for j in 0..<(4 * width) { sp[j] = 0 }
            var r = 0
            while r + 4 <= m {
                for u in 0..<4 {
                    let b = u * width + 3 * Int(column[rp[r + u]])
                    sp[b] += gs[r + u]; sp[b + 1] += hs[r + u]; sp[b + 2] += 1
                }
                r += 4
            }
            while r < m {
                let b = 3 * Int(column[rp[r]])
                sp[b] += gs[r]; sp[b + 1] += hs[r]; sp[b + 2] += 1
                r += 1
            }
            for j in 0..<width { sp[j] = (sp[j] + sp[width + j]) + (sp[2 * width + j] + sp[3 * width + j]) }
        }
        func histograms(_ rows: [Int]) -> [Double] {
            var hist = [Double](repeating: 0, count: size)
            let gs = rows.map { g[$0] }, hs = rows.map { h[$0] }
            hist.withUnsafeMutableBufferPointer { hp in
                binned.withUnsafeBufferPointer { bp in
                    rows.withUnsafeBufferPointer { rp in
                        scratch.withUnsafeMutableBufferPointer { sp in
                            for f in 0..<d where edges[f].count >= 1 && bundles.bundleOf[f] < 0 {
                                count(bp.baseAddress! + f * n, bins: edges[f].count + 1, rp, gs, hs, into: sp)
                                for j in 0..<(3 * (edges[f].count + 1)) { hp[offsets[f] + j] = sp[j] }
                            }
                            // A bundle's bin 1 + j holds the rows where its j-th member is 1; that member's
                            // bin 0 is the node's total minus those.
                            for (bi, members) in bundles.members.enumerated() {
                                bundles.binned[bi].withUnsafeBufferPointer { cb in
                                    count(cb.baseAddress!, bins: members.count + 1, rp, gs, hs, into: sp)
                                }
                                var total = (0.0, 0.0, 0.0)
                                for b in 0...members.count { total.0 += sp[3 * b]; total.1 += sp[3 * b + 1]; total.2 += sp[3 * b + 2] }
                                for (j, f) in members.enumerated() {
                                    let o = offsets[f], b = 3 * (j + 1)
                                    hp[o] = total.0 - sp[b]; hp[o + 1] = total.1 - sp[b + 1]; hp[o + 2] = total.2 - sp[b + 2]
                                    hp[o + 3] = sp[b]; hp[o + 4] = sp[b + 1]; hp[o + 5] = sp[b + 2]
                                }
                            }
                        }
                    }
                }
            }
            return hist
        }
        func splittable(_ count: Int, _ depth: Int) -> Bool { depth < o.maxDepth && count >= 2 * o.minLeaf }
        var nodes: [Node] = [Node()]
        var work: [(node: Int, rows: [Int], depth: Int, hist: [Double]?)] = [(0, Array(0..<n), 0, nil)]
        while let (id, rows, depth, known) = work.popLast() {
            var gs = 0.0, hs = 0.0
            for i in rows { gs += g[i]; hs += h[i] }
            let value = -gs / (hs + o.lambda)
            nodes[id].value = value
            func leaf() { for i in rows { leafValue[i] = value } }
            guard splittable(rows.count, depth) else { leaf(); continue }
            let hist = known ?? histograms(rows)
            var bestGain = 1e-9, bestF = -1, bestBin = 0
            let parentScore = gs * gs / (hs + o.lambda)
            let minLeaf = Double(o.minLeaf), total = Double(rows.count)
            for f in 0..<d {
                let bins = edges[f].count + 1
                if bins < 2 { continue }
                let off = offsets[f]
                var gl = 0.0, hl = 0.0, cl = 0.0
                for b in 0..<(bins - 1) {
                    gl += hist[off + 3 * b]; hl += hist[off + 3 * b + 1]; cl += hist[off + 3 * b + 2]
                    if cl < minLeaf || total - cl < minLeaf { continue }
                    let gr = gs - gl, hr = hs - hl
                    let gain = gl * gl / (hl + o.lambda) + gr * gr / (hr + o.lambda) - parentScore
                    if gain > bestGain { bestGain = gain; bestF = f; bestBin = b }
                }
            }
            guard bestF >= 0 else { leaf(); continue }
            var left: [Int] = [], right: [Int] = []
            let base = bestF * n
            for i in rows { if Int(binned[base + i]) <= bestBin { left.append(i) } else { right.append(i) } }
            let l = nodes.count, r = l + 1
            nodes.append(Node()); nodes.append(Node())
            nodes[id].feature = bestF; nodes[id].threshold = edges[bestF][bestBin]; nodes[id].left = l; nodes[id].right = r
            var hl: [Double]? = nil, hr: [Double]? = nil
            let needL = splittable(left.count, depth + 1), needR = splittable(right.count, depth + 1)
            if needL || needR {
                let leftSmaller = left.count <= right.count
                let small = histograms(leftSmaller ? left : right)
                let needLarge = leftSmaller ? needR : needL
                let large: [Double]? = !needLarge ? nil
                    : o.subtraction ? zip(hist, small).map { $0 - $1 } : histograms(leftSmaller ? right : left)
                (hl, hr) = leftSmaller ? (small, large) : (large, small)
            }
            work.append((l, left, depth + 1, hl)); work.append((r, right, depth + 1, hr))
        }
        return Tree(nodes: nodes)
    }

    /// Exclusive feature bundling (Ke et al., LightGBM, NeurIPS 2017), for the one-hot columns a
    /// categorical variable becomes: runs of adjacent two-bin features that are never in their upper bin
    /// on the same row are counted as one column whose bin is 1 + the member that is up (0 when none).
    /// One pass over the rows then gives every member's histogram.
    struct Bundles: Sendable {
        var members: [[Int]] = []
        var binned: [[UInt8]] = []
        var bundleOf: [Int]
        var maxBins = 0

        /// No bundles: every feature counted on its own.
        init(features d: Int) { bundleOf = [Int](repeating: -1, count: d) }

        init(binned x: [UInt8], edges: [[Double]], n: Int, d: Int) {
            bundleOf = [Int](repeating: -1, count: d)
            var run: [Int] = [], column = [UInt8](repeating: 0, count: n)
            func close() {
                if run.count >= 2 {
                    for f in run { bundleOf[f] = members.count }
                    members.append(run); binned.append(column); maxBins = max(maxBins, run.count + 1)
                }
                run = []; column = [UInt8](repeating: 0, count: n)
            }
            for f in 0..<d {
                guard edges[f].count == 1 else { close(); continue }
                let base = f * n
                var clash = false
                for i in 0..<n where x[base + i] == 1 && column[i] != 0 { clash = true; break }
                if clash || run.count == 250 { close() }
                for i in 0..<n where x[base + i] == 1 { column[i] = UInt8(run.count + 1) }
                run.append(f)
            }
            close()
        }
    }

    // MARK: Prediction

    func raw(x: [Double], rows m: Int) -> [Double] {
        var out = [Double](repeating: 0, count: m * outputs)
        for i in 0..<m {
            for c in 0..<outputs {
                var s = base[c]
                for round in trees {
                    let t = round[c]
                    var node = 0
                    while t.nodes[node].feature >= 0 {
                        let nd = t.nodes[node]
                        node = x[i * features + nd.feature] <= nd.threshold ? nd.left : nd.right
                    }
                    s += learningRate * t.nodes[node].value
                }
                out[i * outputs + c] = s
            }
        }
        return out
    }

    public func predict(x: [Double], rows m: Int) -> [Double] { raw(x: x, rows: m) }

    /// Class probabilities, row-major `rows × classes`.
    public func predictProbabilities(x: [Double], rows m: Int) -> [Double] {
        let r = raw(x: x, rows: m)
        if outputs == 1 {
            var out = [Double](repeating: 0, count: m * 2)
            for i in 0..<m { let p = 1 / (1 + exp(-r[i])); out[i * 2] = 1 - p; out[i * 2 + 1] = p }
            return out
        }
        var out = r
        for i in 0..<m {
            var mx = -Double.infinity
            for c in 0..<outputs { mx = max(mx, r[i * outputs + c]) }
            var s = 0.0
            for c in 0..<outputs { out[i * outputs + c] = exp(r[i * outputs + c] - mx); s += out[i * outputs + c] }
            for c in 0..<outputs { out[i * outputs + c] /= s }
        }
        return out
    }
}
