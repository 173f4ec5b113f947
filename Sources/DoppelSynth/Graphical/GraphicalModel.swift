import DoppelMath
import DoppelData
import Foundation

/// A discrete distribution in junction-tree form: p(x) ∝ exp(Σ_C θ_C(x_C)), one log-potential θ_C per
/// clique, scaled to `total` records. The estimate behind MST and AIM, and a value: save, load, sample.
public struct GraphicalModel: Codable, Sendable, Equatable {
    public var tree: JunctionTree
    public var sizes: [Int]
    /// Log-potentials, one per clique of `tree`.
    public var potentials: [Factor]
    /// Estimated number of records.
    public var total: Double

    /// Calibrated log-beliefs (log of the clique marginals up to one constant) by sum-product in log
    /// space: a pass from the leaves to the root, then from the root to the leaves.
    public static func calibrate(_ tree: JunctionTree, _ potentials: [Factor]) -> [Factor] {
        var belief = potentials
        var upward = [Factor?](repeating: nil, count: potentials.count)
        for c in tree.order.reversed() {
            guard let p = tree.parent[c] else { continue }
            let m = belief[c].logSumExp(onto: tree.separator(c))
            upward[c] = m
            belief[p] = belief[p].adding(m)
        }
        for c in tree.order {
            guard let p = tree.parent[c], let up = upward[c] else { continue }
            let down = belief[p].subtracting(up).logSumExp(onto: tree.separator(c))
            belief[c] = belief[c].adding(down)
        }
        return belief
    }

    /// Clique marginals in records (they sum to `total`), from calibrated log-beliefs.
    public static func marginals(_ beliefs: [Factor], total: Double) -> [Factor] {
        beliefs.map { b in
            let z = b.logSumExp(onto: []).values[0]
            var m = b
            for i in m.values.indices { m.values[i] = z == -.infinity ? 0 : exp(b.values[i] - z) * total }
            return m
        }
    }

    /// The clique marginals of this model.
    public func marginals() -> [Factor] { GraphicalModel.marginals(GraphicalModel.calibrate(tree, potentials), total: total) }

    /// Refuses a model (a model file's) that sampling could not walk, for variables of domain `sizes`:
    /// cliques of sorted, distinct variables that cover every variable; a tree whose `order` lists every
    /// clique once, each after its parent; and one log-potential per clique over exactly its variables,
    /// with one entry per cell, none NaN or +∞ (−∞, an impossible cell, is allowed).
    public func check(sizes expected: [Int]) throws {
        func bad(_ what: String) -> DoppelError { .badModel(path: "model file", message: what) }
        guard sizes == expected else { throw bad("the graphical model's domain does not match the discretizer's") }
        let d = sizes.count, k = tree.cliques.count
        guard tree.parent.count == k, potentials.count == k, tree.order.count == k, Set(tree.order) == Set(0..<k) else {
            throw bad("the junction tree's cliques, parents, order and potentials differ in number")
        }
        var covered = [Bool](repeating: false, count: d), placed = Set<Int>()
        for c in tree.order {
            let clique = tree.cliques[c]
            guard clique.allSatisfy({ (0..<d).contains($0) }), zip(clique, clique.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw bad("clique \(c + 1) holds a variable outside the domain or out of order")
            }
            if let p = tree.parent[c], !placed.contains(p) { throw bad("clique \(c + 1) comes before its parent in the tree's order") }
            placed.insert(c)
            for v in clique { covered[v] = true }
            let f = potentials[c]
            guard let cells = Factor.cellCount(clique.map { sizes[$0] }) else { throw bad("clique \(c + 1)'s table is too large") }
            guard f.variables == clique, f.sizes == clique.map({ sizes[$0] }), f.values.count == cells,
                  f.values.allSatisfy({ !$0.isNaN && $0 != .infinity }) else {
                throw bad("the log-potential of clique \(c + 1) does not match its variables, or has entries that are NaN or +∞")
            }
        }
        guard covered.allSatisfy({ $0 }) else { throw bad("a variable is in no clique") }
        guard total.isFinite, total > 0 else { throw bad("the number of records is not a positive number") }
    }

    /// The marginal of any set of variables held together by one clique.
    public func marginal(_ variables: [Int]) -> Factor? {
        guard let c = tree.clique(containing: variables) else { return nil }
        return marginals()[c].sum(onto: variables.sorted())
    }
}

/// One noisy measurement of a marginal: y = marginal(variables) + N(0, σ²) per cell.
public struct Measurement: Sendable {
    public var variables: [Int]
    public var values: [Double]
    public var sigma: Double
    public init(variables: [Int], values: [Double], sigma: Double) { self.variables = variables; self.values = values; self.sigma = sigma }
}

/// Private-PGM estimation (McKenna, Sheldon and Miklau, "Graphical-model based estimation and inference
/// for differential privacy", ICML 2019): the graphical model whose marginals best fit the noisy
/// measurements, minimising L(μ) = ½ Σ_m ‖(μ_m − y_m)/σ_m‖² over the marginal polytope by mirror descent
/// on the log-potentials, θ ← θ − α ∇_μ L, with a backtracking line search on α (Armijo condition
/// L(μ) − L(μ′) ≥ ½ α ⟨∇L, μ − μ′⟩). Only post-processes the measurements: it spends no privacy budget.
public enum MarginalEstimation {
    public static func estimate(_ measurements: [Measurement], sizes: [Int], tree existing: JunctionTree? = nil,
                                iterations: Int = 1000, warmStart: GraphicalModel? = nil) -> GraphicalModel {
        let tree = existing ?? JunctionTree.build(covering: measurements.map(\.variables), sizes: sizes)
        // the number of records, from the measurements' totals (weighted by their precision)
        var wsum = 0.0, tsum = 0.0
        for m in measurements {
            let v = m.sigma * m.sigma * Double(m.values.count)
            wsum += 1 / v; tsum += m.values.reduce(0, +) / v
        }
        let total = max(1, wsum > 0 ? tsum / wsum : 1)
        let home = measurements.map { tree.clique(containing: $0.variables)! }
        var theta: [Factor] = tree.cliques.map { c in Factor(variables: c, sizes: c.map { sizes[$0] }, constant: 0) }
        if let w = warmStart {
            if w.tree == tree { theta = w.potentials }
            else {
                // carry each old log-potential into a new clique that holds its variables
                for old in w.potentials {
                    if let c = tree.clique(containing: old.variables) { theta[c] = theta[c].adding(old) }
                }
            }
        }

        let plan = CalibrationPlan(tree, sizes: sizes)
        let measurementMap = measurements.indices.map { k in
            Factor(variables: tree.cliques[home[k]], sizes: tree.cliques[home[k]].map { sizes[$0] }, constant: 0).indexMap(onto: measurements[k].variables)
        }
        /// Clique marginals in records from log-potentials.
        func marginals(_ t: [[Double]]) -> [[Double]] {
            plan.calibrate(t).map { b in
                let top = b.max() ?? -.infinity
                guard top > -.infinity else { return [Double](repeating: 0, count: b.count) }
                var e = b.map { exp($0 - top) }
                let z = e.reduce(0, +)
                for i in e.indices { e[i] *= total / z }
                return e
            }
        }
        func lossAndGradient(_ mu: [[Double]]) -> (Double, [[Double]]) {
            var grad = mu.map { [Double](repeating: 0, count: $0.count) }
            var loss = 0.0
            for (k, m) in measurements.enumerated() {
                let c = home[k], map = measurementMap[k]
                var x = [Double](repeating: 0, count: m.values.count)
                for i in mu[c].indices { x[map[i]] += mu[c][i] }
                var g = x
                for i in x.indices {
                    let diff = (x[i] - m.values[i]) / m.sigma
                    loss += 0.5 * diff * diff
                    g[i] = diff / m.sigma
                }
                for i in grad[c].indices { grad[c][i] += g[map[i]] }
            }
            return (loss, grad)
        }
        func dot(_ a: [[Double]], _ b: [[Double]], _ c: [[Double]]) -> Double {   // ⟨a, b − c⟩
            var s = 0.0
            for k in a.indices { for i in a[k].indices { s += a[k][i] * (b[k][i] - c[k][i]) } }
            return s
        }

        var th = theta.map(\.values)
        var mu = marginals(th)
        var (loss, grad) = lossAndGradient(mu)
        var alpha = 1 / (total * total)
        for _ in 0..<iterations {
            let omega = th, nu = mu
            alpha *= 2
            var accepted = false
            for _ in 0..<25 {
                th = omega.indices.map { k in
                    var t = omega[k]
                    for i in t.indices { t[i] -= alpha * grad[k][i] }
                    return t
                }
                mu = marginals(th)
                let (newLoss, newGrad) = lossAndGradient(mu)
                if loss - newLoss >= 0.5 * alpha * dot(grad, nu, mu) {
                    loss = newLoss; grad = newGrad; accepted = true
                    break
                }
                alpha *= 0.5
            }
            if !accepted { th = omega; mu = nu; break }
        }
        for k in theta.indices { theta[k].values = th[k] }
        return GraphicalModel(tree: tree, sizes: sizes, potentials: theta, total: total)
    }
}

/// Draws rows from a ``GraphicalModel`` (through a ``Discretizer``), given evidence: the evidence is
/// added to the log-potentials, the tree is calibrated, and each clique's new variables are drawn given
/// its separator, root first — exact sampling from the conditional distribution.
public struct GraphicalSampler: BlockSampler {
    public let discretizer: Discretizer
    let model: GraphicalModel
    let evidence: Evidence?
    /// Per clique (in tree order): separator and new variables, and cumulative sums over the new
    /// variables' configurations for each separator configuration.
    let steps: [(separator: [Int], separatorSizes: [Int], fresh: [Int], freshSizes: [Int], cumulative: [Double])]

    public var schema: Schema { discretizer.schema }

    public init(discretizer: Discretizer, model: GraphicalModel, conditions: [Condition]) throws {
        self.discretizer = discretizer
        self.model = model
        let evidence = conditions.isEmpty ? nil : try discretizer.evidence(conditions)
        self.evidence = evidence
        var theta = model.potentials
        if let evidence {
            for v in model.sizes.indices {
                guard let w = evidence.weights(v), let c = model.tree.clique(containing: [v]) else { continue }
                theta[c] = theta[c].adding(Factor(variables: [v], sizes: [model.sizes[v]], values: w.map { $0 > 0 ? log($0) : -.infinity }))
            }
        }
        let beliefs = GraphicalModel.calibrate(model.tree, theta)
        if beliefs.first.map({ $0.logSumExp(onto: []).values[0] == -.infinity }) ?? false {
            let names = evidence.map { e in e.allowed.indices.filter { e.allowed[$0] != nil }.map { discretizer.schema.columns[discretizer.modelled[$0]].name } } ?? []
            throw DoppelError.condition(message: "the conditions on \(names.joined(separator: ", ")) have probability zero under the model")
        }
        var steps: [([Int], [Int], [Int], [Int], [Double])] = []
        for c in model.tree.order {
            let sep = model.tree.separator(c)
            let fresh = model.tree.cliques[c].filter { !sep.contains($0) }
            let b = beliefs[c]
            let top = b.values.max() ?? 0
            var values = b.values.map { top == -.infinity ? 0 : exp($0 - top) }
            values = Factor(variables: b.variables, sizes: b.sizes, values: values).values(inOrder: sep + fresh)
            let width = fresh.reduce(1) { $0 * model.sizes[$1] }
            for r in 0..<(values.count / width) { for k in 1..<max(width, 1) { values[r * width + k] += values[r * width + k - 1] } }
            steps.append((sep, sep.map { model.sizes[$0] }, fresh, fresh.map { model.sizes[$0] }, values))
        }
        self.steps = steps
    }

    func sampleCodes(rows m: Int, rng: inout SeededGenerator) -> [[Int32]] {
        var codes = model.sizes.map { _ in [Int32](repeating: 0, count: m) }
        for i in 0..<m {
            for s in steps {
                var r = 0
                for (k, v) in s.separator.enumerated() { r = r * s.separatorSizes[k] + Int(codes[v][i]) }
                let width = s.freshSizes.reduce(1, *)
                var x = s.cumulative.withUnsafeBufferPointer { c -> Int in
                    let base = r * width
                    let u = rng.nextUniform() * c[base + width - 1]
                    var lo = 0, hi = width - 1
                    while lo < hi { let mid = (lo + hi) / 2; if c[base + mid] > u { hi = mid } else { lo = mid + 1 } }
                    return lo
                }
                for k in s.fresh.indices.reversed() { codes[s.fresh[k]][i] = Int32(x % s.freshSizes[k]); x /= s.freshSizes[k] }
            }
        }
        return codes
    }

    public func sampleBlock(rows m: Int, firstRow: Int, seed: UInt64, rng: inout SeededGenerator) -> Table {
        let codes = sampleCodes(rows: m, rng: &rng)
        return Table(schema: schema, columns: discretizer.decode(codes, rows: m, firstRow: firstRow, seed: seed, evidence: evidence, rng: &rng))
    }
}

extension GraphicalModel {
    /// The two-way marginals of `a` with every other variable, exactly, from calibrated clique marginals
    /// `mu`: starting from a clique holding `a`, the joint of `a` with each clique D further out is
    /// μ_D · P(a, S)/μ_S over the separator S to the clique it was reached from (the junction-tree
    /// factorisation), so one pass over the tree carries `a` everywhere at |a| times the tree's size.
    public func pairMarginals(of a: Int, mu: [Factor]) -> [Int: Factor] {
        guard let home = tree.clique(containing: [a]) else { return [:] }
        var neighbours = [[Int]](repeating: [], count: tree.cliques.count)
        for c in tree.cliques.indices { if let p = tree.parent[c] { neighbours[c].append(p); neighbours[p].append(c) } }
        var joint = [Factor?](repeating: nil, count: tree.cliques.count)
        joint[home] = mu[home]
        var queue = [home], out: [Int: Factor] = [:]
        while !queue.isEmpty {
            let c = queue.removeFirst()
            let f = joint[c]!
            for b in tree.cliques[c] where b != a && out[b] == nil { out[b] = f.sum(onto: [a, b].sorted()) }
            for d in neighbours[c] where joint[d] == nil {
                let sep = tree.cliques[c].filter { tree.cliques[d].contains($0) }
                if tree.cliques[d].contains(a) { joint[d] = mu[d] }
                else {
                    let carried = f.sum(onto: (sep + [a]).sorted()).dividing(mu[d].sum(onto: sep))
                    joint[d] = Factor.product(mu[d], carried)
                }
                queue.append(d)
            }
        }
        return out
    }
}

extension GraphicalModel {
    /// The marginal of any set of variables, exactly, from calibrated clique marginals `mu`, whether
    /// or not one clique holds them all. The model is p(x) = Π_C μ_C / Π_S μ_S over cliques C and
    /// separators S; cliques outside the subtree joining one clique per target variable sum out to 1.
    /// Inside it, variables are eliminated from the leaves up: clique C sends its parent
    /// m_C = Σ_{C ∖ (S ∪ T)} (μ_C · Π m_child) / μ_S, keeping the separator S and the target
    /// variables T it has seen, and the subtree's top returns Σ_{∖T} μ_top · Π m_child.
    ///
    /// ```swift
    /// let mu = model.marginals()
    /// let triple = model.marginal(of: [0, 4, 7], mu: mu)   // sums to model.total
    /// ```
    public func marginal(of target: [Int], mu: [Factor]) -> Factor {
        let t = target.sorted()
        if let c = tree.clique(containing: t) { return mu[c].sum(onto: t) }
        let k = tree.cliques.count
        var marked = [Bool](repeating: false, count: k)
        for v in t { marked[tree.clique(containing: [v])!] = true }
        let m = marked.filter { $0 }.count
        var below = marked.map { $0 ? 1 : 0 }
        for c in tree.order.reversed() { if let p = tree.parent[c] { below[p] += below[c] } }
        let top = tree.order.last { below[$0] == m }!
        var inside = [Bool](repeating: false, count: k)
        inside[top] = true
        for c in tree.order where c != top { if let p = tree.parent[c] { inside[c] = inside[p] && below[c] > 0 } }
        var incoming = [[Factor]](repeating: [], count: k)
        let targetSet = Set(t)
        for c in tree.order.reversed() where inside[c] {
            // sum out early: first what only this clique holds, then each child's separator once its
            // message is in, so no table grows beyond (what is still needed) × (target variables)
            let separator = c == top ? [] : tree.separator(c)
            var pending = incoming[c].map { Set($0.variables) }
            func needed(_ vars: [Int]) -> [Int] {
                vars.filter { v in targetSet.contains(v) || separator.contains(v) || pending.contains { $0.contains(v) } }
            }
            var f = mu[c].sum(onto: needed(mu[c].variables))
            for message in incoming[c] {
                pending.removeFirst()
                f = Factor.product(f, message)
                f = f.sum(onto: needed(f.variables))
            }
            if c == top { return f.sum(onto: t) }
            incoming[tree.parent[c]!].append(f.dividing(mu[c].sum(onto: separator)))
        }
        preconditionFailure("the top of the subtree is always reached")
    }
}
