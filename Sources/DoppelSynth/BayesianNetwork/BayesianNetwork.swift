import DoppelMath
import DoppelData
import DoppelPrivacy
import Foundation

/// The Bayesian network synthesizer, and PrivBayes (Zhang, Cormode, Procopiuc, Srivastava and Xiao,
/// "PrivBayes: Private Data Release via Bayesian Networks", ACM TODS 2017) when given ε.
///
/// Columns are discretized (``Discretizer``). The network is grown greedily: starting from one variable,
/// each step adds the (variable, parent set) pair with the best score, where a parent set is any clique of
/// at most `degree` variables of the network so far (so the families form a junction tree and conditions
/// are served exactly, see ``BayesianNetworkModel``).
///
/// - Plain mode scores a pair by its BIC gain n·I(X; Π) − ½ ln n · (|X| − 1)(|Π| − 1) (I in nats, |Π| the
///   number of parent configurations), so a parent is only added when the data support it; the first
///   variable is the one with the most supported pairwise links. Conditional tables are smoothed towards
///   the marginal: P(x | π) = (N(π, x) + α P(x)) / (N(π) + α), α = 1.
/// - PrivBayes mode (ε given) spends its budget in three documented shares, all in the ledger:
///   1. 10% on the bin edges of numeric columns (``Discretizer/init(privately:bins:epsilon:ledger:rng:)``);
///   2. 30% of the rest (ε₁) on the structure: the first variable is drawn uniformly, then each of the
///      d − 1 steps picks a pair with the exponential mechanism on the mutual information (in bits),
///      ε₁/(d − 1) each, with PrivBayes' sensitivity for general domains (Lemma 4.1):
///      Δ = (2/n) log₂((n + 1)/2) + ((n − 1)/n) log₂((n + 1)/(n − 1));
///   3. 70% of the rest (ε₂) on the d family tables: counts + Laplace(2d/ε₂) each (replacing one row
///      changes a count table by 2 in L1), clipped at zero, then the smoothed conditionals above.
///   Only parent sets whose tables stay θ-useful (n·ε₂ / (2d · cells) ≥ 4, the paper's θ) are candidates,
///   and each variable takes the largest such clique size up to `degree` (no parents when even one
///   parent would drown in noise: small cohorts at small ε get independent columns, as the paper's θ rule
///   chooses k = 0).
///   Neighbouring tables differ in one row (n is public); categories and numeric bounds come from the
///   schema and are treated as public.
public enum BayesianNetwork {
    public static let name = "bayesian-network"

    public struct Options: Sendable {
        /// Most parents per variable (k).
        public var degree: Int = 2
        /// Bins per numeric column; nil: ``Discretizer/defaultBins(rows:)``.
        public var bins: Int?
        /// Total ε for PrivBayes; nil: not private.
        public var epsilon: Double?
        public init(degree: Int = 2, bins: Int? = nil, epsilon: Double? = nil) { self.degree = degree; self.bins = bins; self.epsilon = epsilon }
    }

    /// Share of ε spent on bin edges, and of the rest on the structure (PrivBayes' β).
    public static let binShare = 0.1, structureShare = 0.3
    /// PrivBayes' usefulness threshold θ.
    public static let usefulness = 4.0
    /// Largest family table (cells) considered.
    public static let maxCells = 1 << 18

    public static func fit(_ table: Table, options: Options, seed: UInt64) throws -> (BayesianNetworkModel, PrivacyLedger?) {
        guard (1...6).contains(options.degree) else { throw DoppelError.usage(message: "--degree must be 1…6 (got \(options.degree))") }
        let n = table.rowCount
        let bins = options.bins ?? Discretizer.defaultBins(rows: n)
        guard bins >= 2 && bins <= 1000 else { throw DoppelError.usage(message: "--bins must be 2…1000 (got \(bins))") }
        var rng = SeededGenerator(seed: seed, stream: 0xB4E5)
        var ledger: PrivacyLedger?
        let discretizer: Discretizer
        if let epsilon = options.epsilon {
            var l = PrivacyLedger(epsilon: epsilon)
            discretizer = try Discretizer(privately: table, bins: bins, epsilon: epsilon * binShare, ledger: &l, rng: &rng)
            ledger = l
        } else {
            discretizer = Discretizer(fitting: table, bins: bins)
        }
        let codes = discretizer.encode(table)
        let sizes = discretizer.modelled.map { discretizer.columns[$0].size }
        let d = sizes.count
        guard d > 0 else {
            return (BayesianNetworkModel(discretizer: discretizer, nodes: [], degree: options.degree), ledger)
        }
        let names = discretizer.modelled.map { table.schema.columns[$0].name }
        let rest = (options.epsilon ?? 0) * (1 - binShare)
        let eps1 = rest * structureShare, eps2 = rest - eps1
        let cellLimit: Double = options.epsilon == nil ? Double(maxCells)
            : min(Double(maxCells), Double(n) * eps2 / (2 * Double(d) * usefulness))

        // ---- structure ----
        var scorer = FamilyScorer(codes: codes, sizes: sizes, rows: n, mode: options.epsilon == nil ? .bic : .mutualInformationBits)
        var placed: [Int] = []
        var parentsOf = [[Int]](repeating: [], count: d)
        var isPlaced = [Bool](repeating: false, count: d)
        var cliques: [[Int]] = [[]]
        var cliqueSeen: Set<[Int]> = [[]]
        func cells(_ c: [Int], _ x: Int) -> Double { c.reduce(Double(sizes[x])) { $0 * Double(sizes[$1]) } }
        func place(_ x: Int, _ parents: [Int]) {
            placed.append(x); isPlaced[x] = true; parentsOf[x] = parents
            // every subset of the new family that contains x and has at most `degree` members is a clique
            let p = parents
            for mask in 0..<(1 << p.count) {
                var s = [x]
                for (b, v) in p.enumerated() where mask & (1 << b) != 0 { s.append(v) }
                guard s.count <= options.degree else { continue }
                s.sort()
                if cliqueSeen.insert(s).inserted { cliques.append(s) }
            }
        }
        let first: Int
        if options.epsilon != nil {
            first = rng.nextInt(below: d)
        } else {
            // the variable with the most supported links (sum of positive pairwise BIC gains)
            var pairs: [(Int, [Int])] = []
            for v in 0..<d { for y in 0..<d where y != v && cells([v], y) <= cellLimit { pairs.append((y, [v])) } }
            scorer.prepare(pairs)
            let totals = (0..<d).map { v in
                (v, (0..<d).reduce(0.0) { acc, y in y == v || cells([v], y) > cellLimit ? acc : acc + max(0, scorer.score(y, [v])) })
            }
            first = totals.max { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 > $1.0 }!.0
        }
        place(first, [])
        let steps = d - 1
        while placed.count < d {
            let remaining = (0..<d).filter { !isPlaced[$0] }
            var candidates: [(x: Int, c: [Int])] = []
            for x in remaining {
                let fitting = cliques.filter { $0.isEmpty || ($0.count <= options.degree && cells($0, x) <= cellLimit) }
                if options.epsilon != nil {
                    let size = fitting.map(\.count).max() ?? 0
                    candidates += fitting.filter { $0.count == size }.map { (x, $0) }
                } else {
                    candidates += fitting.map { (x, $0) }
                }
            }
            scorer.prepare(candidates.map { ($0.x, $0.c) })
            let scores = candidates.map { scorer.score($0.x, $0.c) }
            let pick: Int
            if options.epsilon != nil {
                let e = eps1 / Double(max(steps, 1))
                let delta = FamilyScorer.privBayesSensitivity(rows: n)
                pick = Mechanisms.exponential(scores: scores, epsilon: e, sensitivity: delta, using: &rng)
                ledger?.spend("parents of '\(names[candidates[pick].x])' (step \(placed.count) of \(steps), \(candidates.count) candidates)",
                              mechanism: "exponential(Δ = \(fmt(delta)) bits)", epsilon: e)
            } else {
                var best = 0
                for k in candidates.indices where scores[k] > scores[best] + 1e-12 { best = k }
                pick = best
            }
            place(candidates[pick].x, candidates[pick].c)
        }

        // ---- conditional tables ----
        var nodes: [NetworkNode] = []
        var family: [Set<Int>] = []
        let laplace = options.epsilon == nil ? 0 : 2 * Double(d) / eps2
        for x in placed {
            let parents = parentsOf[x]
            var counts = FamilyScorer.counts(codes: codes, sizes: sizes, rows: n, child: x, parents: parents)
            if laplace > 0 {
                for k in counts.indices { counts[k] = max(0, counts[k] + Mechanisms.laplace(scale: laplace, using: &rng)) }
                ledger?.spend("counts of the family of '\(names[x])' (\(counts.count) cells)", mechanism: "Laplace(b = \(fmt(laplace)))", epsilon: eps2 / Double(d))
            }
            let s = sizes[x]
            var marginal = [Double](repeating: 0, count: s)
            for k in counts.indices { marginal[k % s] += counts[k] }
            let total = marginal.reduce(0, +)
            for k in 0..<s { marginal[k] = total > 0 ? marginal[k] / total : 1 / Double(s) }
            let alpha = 1.0
            var cpt = [Float](repeating: 0, count: counts.count)
            for r in 0..<(counts.count / s) {
                var rowTotal = 0.0
                for k in 0..<s { rowTotal += counts[r * s + k] }
                for k in 0..<s { cpt[r * s + k] = Float((counts[r * s + k] + alpha * marginal[k]) / (rowTotal + alpha)) }
            }
            let attach = parents.isEmpty ? nil : family.firstIndex { $0.isSuperset(of: parents) }
            precondition(parents.isEmpty || attach != nil, "parents must form a clique of the network")
            nodes.append(NetworkNode(variable: x, parents: parents, attach: attach, table: cpt))
            family.append(Set(parents + [x]))
        }
        return (BayesianNetworkModel(discretizer: discretizer, nodes: nodes, degree: options.degree), ledger)
    }
}

/// Scores (variable, parent set) pairs from the codes, with a cache: the score of a pair never changes
/// while the network grows.
struct FamilyScorer {
    enum Mode { case bic, mutualInformationBits }
    let codes: [[Int32]]
    let sizes: [Int]
    let rows: Int
    let mode: Mode
    var cache: [[Int]: Double] = [:]

    init(codes: [[Int32]], sizes: [Int], rows: Int, mode: Mode) {
        self.codes = codes; self.sizes = sizes; self.rows = rows; self.mode = mode
    }

    /// PrivBayes Lemma 4.1: the sensitivity of I(X; Π) in bits for general domains.
    static func privBayesSensitivity(rows n: Int) -> Double {
        let n = Double(max(n, 2))
        return (2 / n) * log2((n + 1) / 2) + ((n - 1) / n) * log2((n + 1) / (n - 1))
    }

    /// Scores all uncached pairs in parallel.
    mutating func prepare(_ pairs: [(Int, [Int])]) {
        let todo = pairs.filter { cache[[$0.0] + $0.1] == nil }
        guard !todo.isEmpty else { return }
        let parts = (try? parallelMap(2) { part -> [([Int], Double)] in
            stride(from: part, to: todo.count, by: 2).map { k in ([todo[k].0] + todo[k].1, compute(todo[k].0, todo[k].1)) }
        }) ?? []
        for part in parts { for (key, v) in part { cache[key] = v } }
    }

    mutating func score(_ x: Int, _ parents: [Int]) -> Double {
        let key = [x] + parents
        if let v = cache[key] { return v }
        let v = compute(x, parents)
        cache[key] = v
        return v
    }

    func compute(_ x: Int, _ parents: [Int]) -> Double {
        if parents.isEmpty { return 0 }
        let counts = FamilyScorer.counts(codes: codes, sizes: sizes, rows: rows, child: x, parents: parents)
        let s = sizes[x], q = counts.count / s
        let mi = FamilyScorer.mutualInformation(counts, configurations: q, values: s)
        switch mode {
        case .mutualInformationBits: return mi / log(2)
        case .bic:
            return Double(rows) * mi - 0.5 * log(Double(max(rows, 2))) * Double(s - 1) * Double(q - 1)
        }
    }

    /// Counts of (parents, child) configurations, row-major over the parents then the child.
    static func counts(codes: [[Int32]], sizes: [Int], rows n: Int, child: Int, parents: [Int]) -> [Double] {
        var total = sizes[child]
        for p in parents { total *= sizes[p] }
        var counts = [Double](repeating: 0, count: total)
        let s = sizes[child]
        var multipliers = [Int](repeating: 0, count: parents.count)
        var m = s
        for k in parents.indices.reversed() { multipliers[k] = m; m *= sizes[parents[k]] }
        counts.withUnsafeMutableBufferPointer { c in
            codes[child].withUnsafeBufferPointer { cx in
                switch parents.count {
                case 0: for i in 0..<n { c[Int(cx[i])] += 1 }
                case 1:
                    codes[parents[0]].withUnsafeBufferPointer { p0 in
                        let m0 = multipliers[0]
                        for i in 0..<n { c[Int(p0[i]) &* m0 &+ Int(cx[i])] += 1 }
                    }
                case 2:
                    codes[parents[0]].withUnsafeBufferPointer { p0 in
                        codes[parents[1]].withUnsafeBufferPointer { p1 in
                            let m0 = multipliers[0], m1 = multipliers[1]
                            for i in 0..<n { c[Int(p0[i]) &* m0 &+ Int(p1[i]) &* m1 &+ Int(cx[i])] += 1 }
                        }
                    }
                default:
                    for i in 0..<n {
                        var r = Int(cx[i])
                        for (k, p) in parents.enumerated() { r += Int(codes[p][i]) * multipliers[k] }
                        c[r] += 1
                    }
                }
            }
        }
        return counts
    }

    /// I(X; Π) in nats from a count table (configurations × values).
    static func mutualInformation(_ counts: [Double], configurations q: Int, values s: Int) -> Double {
        var px = [Double](repeating: 0, count: s), pq = [Double](repeating: 0, count: q)
        var total = 0.0
        for r in 0..<q { for x in 0..<s { let c = counts[r * s + x]; px[x] += c; pq[r] += c; total += c } }
        guard total > 0 else { return 0 }
        var mi = 0.0
        for r in 0..<q where pq[r] > 0 {
            for x in 0..<s {
                let c = counts[r * s + x]
                if c > 0 { mi += c * log(c * total / (pq[r] * px[x])) }
            }
        }
        return max(0, mi / total)
    }
}
