import DoppelMath
import DoppelData
import DoppelPrivacy
import Foundation

/// A fitted marginal-based model (MST or AIM): the discretizer and the graphical model estimated from
/// noisy marginals. A value: save, load, sample (conditions served exactly by evidence, see
/// ``GraphicalSampler``).
public struct MarginalModel: Codable, Sendable, Equatable {
    public var discretizer: Discretizer
    public var model: GraphicalModel
    /// The measured marginals, as column-name lists.
    public var measured: [[String]]

    public var schema: Schema { discretizer.schema }

    public func sampler(conditions: [Condition] = []) throws -> GraphicalSampler {
        try GraphicalSampler(discretizer: discretizer, model: model, conditions: conditions)
    }

    /// Refuses a model (a model file's) whose parts do not fit: the discretizer must fit the schema and
    /// the graphical model its domain (see ``GraphicalModel/check(sizes:)``). `name` ("mst" or "aim")
    /// starts the message.
    public func check(name: String) throws {
        try discretizer.check(prefix: name + ": ")
        let sizes = discretizer.modelled.map { discretizer.columns[$0].size }
        do { try model.check(sizes: sizes) } catch DoppelError.badModel(let path, let message) {
            throw DoppelError.badModel(path: path, message: name + ": " + message)
        }
    }
}

/// MST (McKenna, Miklau and Sheldon, "Winning the NIST Contest: A scalable and general approach to
/// differentially private synthetic data", Journal of Privacy and Confidentiality 2021), under ρ-zCDP
/// with ρ the largest value whose (ε, δ) conversion (``PrivacyConversion``) is within the budget.
///
/// Neighbouring tables differ by adding or removing one row. 10% of ρ goes to the bins of numeric
/// columns (Gaussian noisy histograms, ``Discretizer``); the rest is split in three equal parts:
/// 1. every one-way marginal, each with Gaussian noise σ₁ = √(d / (2ρ₁)) (L2 sensitivity 1 per marginal);
/// 2. a maximum spanning tree over the columns, grown by Kruskal's algorithm where each of the d − 1
///    edges is picked by the exponential mechanism (ε_step = √(8ρ₂/(d − 1)), which is ρ₂/(d − 1)-zCDP)
///    with score ‖M_ab − M̂_ab‖₁: how badly the independent model built from the noisy one-way marginals
///    misses the true two-way marginal (sensitivity 1);
/// 3. the d − 1 selected two-way marginals, each with σ₂ = √((d − 1) / (2ρ₃)).
/// A tree-structured graphical model is then estimated from all noisy marginals by Private-PGM's mirror
/// descent (``MarginalEstimation``), which is post-processing.
public enum MST {
    public static let name = "mst"
    public static let binShare = 0.1
    /// Largest two-way table considered (cells).
    public static let maxPairCells = 1 << 20

    public static func fit(_ table: Table, epsilon: Double, delta: Double, bins: Int?, seed: UInt64, iterations: Int = 1000) throws -> (MarginalModel, PrivacyLedger) {
        var setup = try PrivateMarginalSetup(table, epsilon: epsilon, delta: delta, bins: bins, binShare: binShare, seed: seed, stream: 0x357)
        let (discretizer, codes, sizes, names) = (setup.discretizer, setup.codes, setup.sizes, setup.names)
        let d = sizes.count, n = table.rowCount
        let third = setup.budget / 3

        // 1. one-way marginals
        var measurements: [Measurement] = []
        let sigma1 = (Double(max(d, 1)) / (2 * third)).squareRoot()
        for v in 0..<d {
            var y = FamilyScorer.counts(codes: codes, sizes: sizes, rows: n, child: v, parents: [])
            for k in y.indices { y[k] += Mechanisms.gaussian(sigma: sigma1, using: &setup.rng) }
            measurements.append(Measurement(variables: [v], values: y, sigma: sigma1))
        }
        if d > 0 { setup.ledger.spend("one-way marginals of all \(d) columns", mechanism: "Gaussian(σ = \(fmt(sigma1))) on each", rho: third) }

        // 2. the spanning tree
        var edges: [(Int, Int)] = []
        if d > 1 {
            let estimate = measurements.map { m -> [Double] in
                let clipped = m.values.map { max(0, $0) }
                let s = clipped.reduce(0, +)
                return s > 0 ? clipped.map { $0 / s } : clipped.map { _ in 1 / Double(clipped.count) }
            }
            let total = max(1, measurements.map { $0.values.reduce(0, +) }.reduce(0, +) / Double(d))
            var pairs: [(Int, Int)] = []
            for a in 0..<d { for b in (a + 1)..<d where sizes[a] * sizes[b] <= maxPairCells { pairs.append((a, b)) } }
            let scores: [Double] = try parallelMap(2) { part -> [(Int, Double)] in
                stride(from: part, to: pairs.count, by: 2).map { k in
                    let (a, b) = pairs[k]
                    let counts = FamilyScorer.counts(codes: codes, sizes: sizes, rows: n, child: b, parents: [a])
                    var l1 = 0.0
                    for x in 0..<sizes[a] { for y in 0..<sizes[b] { l1 += abs(counts[x * sizes[b] + y] - total * estimate[a][x] * estimate[b][y]) } }
                    return (k, l1)
                }
            }.flatMap { $0 }.sorted { $0.0 < $1.0 }.map(\.1)
            var component = Array(0..<d)
            func find(_ x: Int) -> Int { var x = x; while component[x] != x { component[x] = component[component[x]]; x = component[x] }; return x }
            let perStep = third / Double(d - 1)
            let epsStep = (8 * perStep).squareRoot()
            for step in 0..<(d - 1) {
                let open = pairs.indices.filter { find(pairs[$0].0) != find(pairs[$0].1) }
                guard !open.isEmpty else { break }
                let pick = open[Mechanisms.exponential(scores: open.map { scores[$0] }, epsilon: epsStep, sensitivity: 1, using: &setup.rng)]
                let (a, b) = pairs[pick]
                component[find(a)] = find(b)
                edges.append((a, b))
                setup.ledger.spend("spanning-tree edge \(step + 1) of \(d - 1) (\(open.count) candidates)", mechanism: "exponential(ε = \(fmt(epsStep)), Δ = 1)", rho: perStep)
            }
        }

        // 3. two-way marginals on the tree
        if !edges.isEmpty {
            let sigma2 = (Double(edges.count) / (2 * third)).squareRoot()
            for (a, b) in edges {
                var y = FamilyScorer.counts(codes: codes, sizes: sizes, rows: n, child: b, parents: [a])
                for k in y.indices { y[k] += Mechanisms.gaussian(sigma: sigma2, using: &setup.rng) }
                measurements.append(Measurement(variables: [a, b], values: y, sigma: sigma2))
            }
            setup.ledger.spend("two-way marginals of the \(edges.count) tree edges", mechanism: "Gaussian(σ = \(fmt(sigma2))) on each", rho: third)
        }
        let model = MarginalEstimation.estimate(measurements, sizes: sizes, iterations: iterations)
        return (MarginalModel(discretizer: discretizer, model: model, measured: measurements.map { $0.variables.map { names[$0] } }), setup.ledger)
    }
}

/// What MST and AIM do before measuring: ρ from (ε, δ), a zCDP ledger, private bins (``binShare`` of ρ
/// when the table has numeric or date columns) and the codes of the binned table.
struct PrivateMarginalSetup {
    var ledger: PrivacyLedger
    var rng: SeededGenerator
    let discretizer: Discretizer
    let codes: [[Int32]]
    let sizes: [Int]
    let names: [String]
    /// ρ left for the measurements once the bins are paid for.
    let budget: Double

    init(_ table: Table, epsilon: Double, delta: Double, bins: Int?, binShare: Double, seed: UInt64, stream: UInt64) throws {
        let rho = PrivacyConversion.rho(epsilon: epsilon, delta: delta)
        ledger = PrivacyLedger(rho: rho, delta: delta)
        rng = SeededGenerator(seed: seed, stream: stream)
        let hasNumeric = table.schema.columns.contains { $0.kind == .numeric || $0.kind == .datetime }
        let binRho = hasNumeric ? rho * binShare : 0
        let binned = try Discretizer(privately: table, bins: bins ?? Discretizer.defaultBins(rows: table.rowCount),
                                     noise: .gaussian(rho: binRho), ledger: &ledger, rng: &rng)
        discretizer = binned
        codes = binned.encode(table)
        sizes = binned.modelled.map { binned.columns[$0].size }
        names = binned.modelled.map { table.schema.columns[$0].name }
        budget = rho - binRho
    }
}
