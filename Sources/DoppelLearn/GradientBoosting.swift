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
        var trees: [[Tree]] = []
        for _ in 0..<o.rounds {
            gradients(fvals, &g, &h)
            var round: [Tree] = []
            for c in 0..<k {
                let tree = growTree(binned: binned, edges: edges, n: n, d: d, g: g[c], h: h[c], options: o)
                for i in 0..<n { fvals[i * k + c] += o.learningRate * predictBinned(tree, binned, n, i, edges) }
                round.append(tree)
            }
            trees.append(round)
        }
        return GradientBoosting(trees: trees, base: base, outputs: k, learningRate: o.learningRate, features: d)
    }

    static func predictBinned(_ t: Tree, _ binned: [UInt8], _ n: Int, _ i: Int, _ edges: [[Double]]) -> Double {
        var node = 0
        while t.nodes[node].feature >= 0 {
            let nd = t.nodes[node]
            let b = Int(binned[nd.feature * n + i])
            // threshold is an edge value: bins 0...k go left when edges[b-1] < x <= edges[b]
            let e = edges[nd.feature]
            let upper = b < e.count ? e[b] : Double.infinity
            node = upper <= nd.threshold ? nd.left : nd.right
        }
        return t.nodes[node].value
    }

    static func growTree(binned: [UInt8], edges: [[Double]], n: Int, d: Int, g: [Double], h: [Double], options o: Options) -> Tree {
        var nodes: [Node] = [Node()]
        var work: [(node: Int, rows: [Int], depth: Int)] = [(0, Array(0..<n), 0)]
        while let (id, rows, depth) = work.popLast() {
            var gs = 0.0, hs = 0.0
            for i in rows { gs += g[i]; hs += h[i] }
            nodes[id].value = -gs / (hs + o.lambda)
            guard depth < o.maxDepth, rows.count >= 2 * o.minLeaf else { continue }
            var bestGain = 1e-9, bestF = -1, bestBin = 0
            let parentScore = gs * gs / (hs + o.lambda)
            for f in 0..<d {
                let bins = edges[f].count + 1
                if bins < 2 { continue }
                var hg = [Double](repeating: 0, count: bins), hh = hg, hc = [Int](repeating: 0, count: bins)
                let base = f * n
                for i in rows { let b = Int(binned[base + i]); hg[b] += g[i]; hh[b] += h[i]; hc[b] += 1 }
                var gl = 0.0, hl = 0.0, cl = 0
                for b in 0..<(bins - 1) {
                    gl += hg[b]; hl += hh[b]; cl += hc[b]
                    let cr = rows.count - cl
                    if cl < o.minLeaf || cr < o.minLeaf { continue }
                    let gr = gs - gl, hr = hs - hl
                    let gain = gl * gl / (hl + o.lambda) + gr * gr / (hr + o.lambda) - parentScore
                    if gain > bestGain { bestGain = gain; bestF = f; bestBin = b }
                }
            }
            guard bestF >= 0 else { continue }
            let threshold = edges[bestF][bestBin]
            var left: [Int] = [], right: [Int] = []
            let base = bestF * n
            for i in rows { if Int(binned[base + i]) <= bestBin { left.append(i) } else { right.append(i) } }
            let l = nodes.count, r = l + 1
            nodes.append(Node()); nodes.append(Node())
            nodes[id].feature = bestF; nodes[id].threshold = threshold; nodes[id].left = l; nodes[id].right = r
            work.append((l, left, depth + 1)); work.append((r, right, depth + 1))
        }
        return Tree(nodes: nodes)
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
