import DoppelMath
import DoppelData
import Foundation

/// One variable of a Bayesian network with its parents and its conditional table.
public struct NetworkNode: Codable, Sendable, Equatable {
    /// The variable: an index into the discretizer's modelled columns.
    public var variable: Int
    /// Parent variables, in table order.
    public var parents: [Int]
    /// The earlier node whose family (itself and its parents) contains every parent: the node's parent in
    /// the junction tree the network forms. nil for a node without parents.
    public var attach: Int?
    /// P(x | parents), row-major over the parents' codes then x (x fastest).
    public var table: [Float]
}

/// A fitted Bayesian network (plain or PrivBayes): a discretizer and the nodes in topological order. A
/// value: save, load and sample from it any number of times.
///
/// The structure is *decomposable*: every node's parents are a clique of the network built so far (they
/// all appear together in one earlier family). The families then form a junction tree, so any condition
/// on any columns is served exactly by one upward pass of evidence (sum-product) and one downward
/// sampling pass, at the cost of the conditional tables themselves — no rejection, no large cliques.
public struct BayesianNetworkModel: Codable, Sendable, Equatable {
    public var discretizer: Discretizer
    public var nodes: [NetworkNode]
    /// The largest number of parents allowed when fitting.
    public var degree: Int

    public var schema: Schema { discretizer.schema }

    /// Domain size of each variable.
    var sizes: [Int] { discretizer.modelled.map { discretizer.columns[$0].size } }

    /// The network's edges as (parent column name, child column name).
    public var edges: [(String, String)] {
        let names = discretizer.modelled.map { discretizer.schema.columns[$0].name }
        return nodes.flatMap { n in n.parents.map { (names[$0], names[n.variable]) } }
    }

    public func sampler(conditions: [Condition] = []) throws -> NetworkSampler {
        try NetworkSampler(model: self, evidence: conditions.isEmpty ? nil : discretizer.evidence(conditions))
    }

    /// Refuses a network (a model file's) that the sampler could not walk: the discretizer must fit the
    /// schema; every modelled variable must have one node; a node's parents must be distinct variables
    /// drawn before it; its attach node must come earlier and hold every parent in its family; and its
    /// table must have one finite, non-negative entry per parent configuration and value.
    public func check() throws {
        func bad(_ what: String) -> DoppelError { .badModel(path: "model file", message: "bayesian network: " + what) }
        try discretizer.check(prefix: "bayesian network: ")
        let sizes = self.sizes, d = sizes.count
        guard nodes.count == d, Set(nodes.map(\.variable)) == Set(0..<d) else {
            throw bad("\(nodes.count) nodes for \(d) modelled columns")
        }
        var drawn = Set<Int>()
        for (i, node) in nodes.enumerated() {
            guard Set(node.parents).count == node.parents.count, node.parents.allSatisfy(drawn.contains) else {
                throw bad("node \(i + 1) has a parent that is repeated or not drawn before it")
            }
            if let t = node.attach {
                guard t < i, t >= 0, node.parents.allSatisfy({ $0 == nodes[t].variable || nodes[t].parents.contains($0) }) else {
                    throw bad("node \(i + 1) is attached to a node that does not come before it or lacks one of its parents")
                }
            } else if !node.parents.isEmpty {
                throw bad("node \(i + 1) has parents but no attach node")
            }
            guard let cells = Factor.cellCount(([node.variable] + node.parents).map { sizes[$0] }) else {
                throw bad("node \(i + 1)'s table is too large")
            }
            guard node.table.count == cells, node.table.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw bad("node \(i + 1)'s table has \(node.table.count) entries for \(cells) cells, or entries that are negative or not finite")
            }
            drawn.insert(node.variable)
        }
    }
}

/// Draws rows from a ``BayesianNetworkModel`` given evidence.
///
/// Each node's belief β_i(pa, x) = P(x | pa) · e_i(x) · Π_c m_c(pa_c) collects the evidence e of its own
/// column and the messages m_c(pa_c) = Σ_x β_c(pa_c, x) of the nodes attached to it (its junction-tree
/// children), processed from the last node to the first. Then, in topological order, x_i is drawn from
/// β_i(pa_i = drawn parents, ·), which is proportional to P(x_i | pa_i, evidence): the draw is exact.
public struct NetworkSampler: BlockSampler {
    public let model: BayesianNetworkModel
    let evidence: Evidence?
    /// Per node: cumulative sums of β within each parent configuration.
    let cumulative: [[Double]]
    /// Per node: multipliers turning parent codes into a parent configuration.
    let multipliers: [[Int]]
    let sizes: [Int]

    public var schema: Schema { model.schema }

    init(model: BayesianNetworkModel, evidence: Evidence?) throws {
        self.model = model
        self.evidence = evidence
        let sizes = model.sizes
        self.sizes = sizes
        let nodes = model.nodes
        var beta: [[Double]] = nodes.map { $0.table.map(Double.init) }
        var multipliers: [[Int]] = []
        for node in nodes {
            var m = [Int](repeating: 0, count: node.parents.count)
            var s = 1
            for k in node.parents.indices.reversed() { m[k] = s; s *= sizes[node.parents[k]] }
            multipliers.append(m)
        }
        self.multipliers = multipliers
        if let evidence {
            for (i, node) in nodes.enumerated() {
                guard let w = evidence.weights(node.variable) else { continue }
                let s = sizes[node.variable]
                for r in 0..<(beta[i].count / s) { for x in 0..<s { beta[i][r * s + x] *= w[x] } }
            }
            // upward pass: messages from the last node to the first
            for i in nodes.indices.reversed() {
                guard let t = nodes[i].attach else { continue }
                let s = sizes[nodes[i].variable]
                var message = [Double](repeating: 0, count: beta[i].count / s)
                for r in message.indices { var sum = 0.0; for x in 0..<s { sum += beta[i][r * s + x] }; message[r] = sum }
                let top = message.max() ?? 0
                guard top > 0 else { throw NetworkSampler.impossible(evidence, model) }
                for r in message.indices { message[r] /= top }
                // multiply into the attach node's belief: map each of its configurations to the child's parents
                let family = nodes[t].parents + [nodes[t].variable]
                let position = nodes[i].parents.map { p in family.firstIndex(of: p)! }
                let familySizes = family.map { sizes[$0] }
                var digits = [Int](repeating: 0, count: family.count)
                for c in beta[t].indices {
                    var r = 0
                    for (k, pos) in position.enumerated() { r += digits[pos] * multipliers[i][k] }
                    beta[t][c] *= message[r]
                    var k = family.count - 1             // odometer (last digit fastest)
                    while k >= 0 { digits[k] += 1; if digits[k] < familySizes[k] { break }; digits[k] = 0; k -= 1 }
                }
            }
            for (i, node) in nodes.enumerated() where node.attach == nil {
                guard beta[i].contains(where: { $0 > 0 }) else { throw NetworkSampler.impossible(evidence, model) }
            }
        }
        cumulative = nodes.indices.map { i in
            let s = sizes[nodes[i].variable]
            var c = beta[i]
            for r in 0..<(c.count / s) { for x in 1..<max(s, 1) { c[r * s + x] += c[r * s + x - 1] } }
            return c
        }
    }

    static func impossible(_ e: Evidence, _ m: BayesianNetworkModel) -> DoppelError {
        let names = e.allowed.indices.filter { e.allowed[$0] != nil }.map { m.schema.columns[m.discretizer.modelled[$0]].name }
        return DoppelError.condition(message: "the conditions on \(names.joined(separator: ", ")) have probability zero under the model")
    }

    /// Codes of every variable for `m` rows.
    func sampleCodes(rows m: Int, rng: inout SeededGenerator) -> [[Int32]] {
        var codes = sizes.map { _ in [Int32](repeating: 0, count: m) }
        let nodes = model.nodes
        for i in 0..<m {
            for (k, node) in nodes.enumerated() {
                var r = 0
                for (p, parent) in node.parents.enumerated() { r += Int(codes[parent][i]) * multipliers[k][p] }
                let s = sizes[node.variable]
                let x: Int = cumulative[k].withUnsafeBufferPointer { c in
                    let base = r * s
                    let total = c[base + s - 1]
                    let u = rng.nextUniform() * total
                    var lo = 0, hi = s - 1                 // first x with c[base + x] > u
                    while lo < hi { let mid = (lo + hi) / 2; if c[base + mid] > u { hi = mid } else { lo = mid + 1 } }
                    return lo
                }
                codes[node.variable][i] = Int32(x)
            }
        }
        return codes
    }

    public func sampleBlock(rows m: Int, firstRow: Int, seed: UInt64, rng: inout SeededGenerator) -> Table {
        let codes = sampleCodes(rows: m, rng: &rng)
        return Table(schema: schema, columns: model.discretizer.decode(codes, rows: m, firstRow: firstRow, seed: seed, evidence: evidence, rng: &rng))
    }
}
