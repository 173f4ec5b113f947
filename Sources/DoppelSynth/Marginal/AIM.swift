import DoppelMath
import DoppelData
import DoppelPrivacy
import Foundation

/// AIM (McKenna, Mullins, Sheldon and Miklau, "AIM: An Adaptive and Iterative Mechanism for
/// Differentially Private Synthetic Data", VLDB 2022), under ρ-zCDP reported as (ε, δ).
///
/// The workload W is every two-way marginal and chosen three-way ones (tables that fit
/// ``maxCandidateCells``): the triples holding a column whose role is `target` when there is one (the
/// interactions a model trained on the output needs), otherwise every triple — either only when there
/// are at most ``maxTriples`` of them, which bounds the fit time (each round computes the model's answer
/// to every triple). The candidates are W and the one-way marginals. After 10% of ρ
/// for the bins, AIM plans for T = 16d rounds: it first measures every one-way marginal with
/// σ = √(T / (2 · 0.9 · ρ)), then, round after round,
/// 1. picks the candidate marginal r (a workload marginal or a one-way marginal) the current model gets
///    most wrong with the exponential mechanism (ε_r = √(8 · 0.1 · ρ / T), ε_r²/8 zCDP), on the score
///    w_r · (‖M_r(D) − M_r(model)‖₁ − √(2/π) σ n_r), sensitivity max w (w_r = Σ_{s∈W} c_s |r ∩ s|, the
///    paper's weight for a weighted workload; our workload weights: c_s = 1 for pairs, 1/(d − 2) for
///    triples; n_r: its cells), among the
///    candidates that keep the model within its size budget (``maxModelCells`` × the share of ρ spent);
/// 2. measures it with Gaussian noise σ (½/σ² zCDP) and re-estimates the graphical model (Private-PGM
///    mirror descent, warm-started);
/// 3. halves σ and doubles ε_r when the new measurement barely moved the model
///    (‖Δ‖₁ ≤ √(2/π) σ n_r), so later rounds are more precise;
/// until the budget is spent (the last round takes whatever is left). Every step is in the ledger.
///
/// Limits: the model stays under ``maxModelCells`` cells (junction-tree tables; 4 MB of doubles), at
/// most ``maxRounds`` rounds are run, and mirror descent runs ``iterationsPerRound`` iterations per round
/// (warm-started) and ``finalIterations`` at the end.
public enum AIM {
    public static let name = "aim"
    public static let binShare = 0.1
    public static let maxCandidateCells = 1 << 16
    /// Most triples in the workload: 435 target triples (31 columns) or all 455 triples of 15 columns fit;
    /// support2's 1,035 target triples do not (on its 1M-row resample they took the fit past 10 minutes).
    public static let maxTriples = 500
    public static let maxModelCells = 1 << 19
    public static let maxRounds = 200
    /// Most modelled columns: each round builds a junction tree for every candidate pair, so the fit time
    /// grows about as d⁴ (50 columns took 4 s, 100 took 88 s and 150 took 10 minutes on 200 rows).
    public static let maxColumns = 100
    public static let iterationsPerRound = 60
    public static let finalIterations = 500

    public static func fit(_ table: Table, epsilon: Double, delta: Double, bins: Int?, seed: UInt64,
                           progress: ((String) -> Void)? = nil) throws -> (MarginalModel, PrivacyLedger) {
        var setup = try PrivateMarginalSetup(table, epsilon: epsilon, delta: delta, bins: bins, binShare: binShare, seed: seed, stream: 0xA1A)
        let (discretizer, codes, sizes, names, budget) = (setup.discretizer, setup.codes, setup.sizes, setup.names, setup.budget)
        let d = sizes.count, n = table.rowCount
        guard d > 0 else {
            return (MarginalModel(discretizer: discretizer, model: MarginalEstimation.estimate([], sizes: [], iterations: 0), measured: []), setup.ledger)
        }

        guard d <= maxColumns else {
            throw DoppelError.badInput(path: "training data", line: nil, column: nil,
                                       message: "aim models at most \(maxColumns) columns and this table has \(d): its rounds check every pair of columns against the model's size, which grows with the fourth power of the columns (100 took 1.5 minutes, 150 ten). Use mst, which fits wide tables in seconds, or leave columns unmodelled (kind \"text\" in a schema)")
        }
        let targets = setup.discretizer.modelled.indices.filter { table.schema.columns[setup.discretizer.modelled[$0]].roles.contains(.target) }
        let workload = AIM.workload(sizes: sizes, targets: targets)
        let candidates: [[Int]] = (0..<d).map { [$0] } + workload
        let weight = AIM.weights(candidates, workload: workload, columns: d)
        let maxWeight = max(weight.max() ?? 1, 1)
        let truth: [[Double]] = try parallelMap(2) { part -> [(Int, [Double])] in
            stride(from: part, to: candidates.count, by: 2).map { k in
                let c = candidates[k]
                return (k, FamilyScorer.counts(codes: codes, sizes: sizes, rows: n, child: c.last!, parents: Array(c.dropLast())))
            }
        }.flatMap { $0 }.sorted { $0.0 < $1.0 }.map(\.1)
        let cellsOf = candidates.map { $0.reduce(1) { $0 * sizes[$1] } }

        let rounds = 16 * d
        var sigma = (Double(rounds) / (2 * 0.9 * budget)).squareRoot()
        var epsStep = (8 * 0.1 * budget / Double(rounds)).squareRoot()
        var used = 0.0
        var measurements: [Measurement] = []
        for v in 0..<d {
            var y = truth[v]
            for k in y.indices { y[k] += Mechanisms.gaussian(sigma: sigma, using: &setup.rng) }
            measurements.append(Measurement(variables: [v], values: y, sigma: sigma))
        }
        used += Double(d) * 0.5 / (sigma * sigma)
        setup.ledger.spend("one-way marginals of all \(d) columns", mechanism: "Gaussian(σ = \(fmt(sigma))) on each", rho: Double(d) * 0.5 / (sigma * sigma))
        var model = MarginalEstimation.estimate(measurements, sizes: sizes, iterations: iterationsPerRound)
        var measured = Set(measurements.map(\.variables))
        var round = 0
        var terminate = false
        while !terminate {
            round += 1
            let remaining = budget - used
            if remaining < 2 * (0.5 / (sigma * sigma) + epsStep * epsStep / 8) || round >= maxRounds {
                sigma = (1 / (2 * 0.9 * remaining)).squareRoot()
                epsStep = (8 * 0.1 * remaining).squareRoot()
                terminate = true
            }
            let roundRho = epsStep * epsStep / 8 + 0.5 / (sigma * sigma)
            used += roundRho
            // candidates that keep the model small enough
            let limit = Double(maxModelCells) * min(1, used / budget)
            let measuredSets = measurements.map(\.variables)
            let current = model
            let fits: [Bool] = try parallelMap(2) { part in
                stride(from: part, to: candidates.count, by: 2).map { k -> (Int, Bool) in
                    let c = candidates[k]
                    if current.tree.clique(containing: c) != nil { return (k, true) }
                    return (k, JunctionTree.build(covering: measuredSets + [c], sizes: sizes).cells(sizes) <= limit)
                }
            }.flatMap { $0 }.sorted { $0.0 < $1.0 }.map(\.1)
            let allowed = candidates.indices.filter { fits[$0] }
            // the model's answers to every allowed candidate (one-, two- and three-way), exactly
            let mu = model.marginals()
            var estimate = [[Double]](repeating: [], count: candidates.count)
            var outside: [Int] = []
            for k in allowed {
                let c = candidates[k]
                if let home = model.tree.clique(containing: c) { estimate[k] = mu[home].sum(onto: c).values } else { outside.append(k) }
            }
            // pairs outside the cliques: carry each first variable through the tree; triples: eliminate
            // over the subtree joining their cliques; both on both cores
            let triples = outside.filter { candidates[$0].count == 3 }
            outside.removeAll { candidates[$0].count == 3 }
            for part in try parallelMap(2, { part in stride(from: part, to: triples.count, by: 2).map { (triples[$0], current.marginal(of: candidates[triples[$0]], mu: mu).values) } }) {
                for (k, values) in part { estimate[k] = values }
            }
            let firsts = Array(Set(outside.map { candidates[$0][0] })).sorted()
            var pairTables: [Int: [Int: Factor]] = [:]
            for part in try parallelMap(2, { part in stride(from: part, to: firsts.count, by: 2).map { (firsts[$0], current.pairMarginals(of: firsts[$0], mu: mu)) } }) {
                for (a, t) in part { pairTables[a] = t }
            }
            for k in outside { let c = candidates[k]; estimate[k] = pairTables[c[0]]![c[1]]!.values }
            let scores = allowed.map { k -> Double in
                var l1 = 0.0
                for i in truth[k].indices { l1 += abs(truth[k][i] - estimate[k][i]) }
                return weight[k] * (l1 - (2 / Double.pi).squareRoot() * sigma * Double(cellsOf[k]))
            }
            let pick = allowed[Mechanisms.exponential(scores: scores, epsilon: epsStep, sensitivity: maxWeight, using: &setup.rng)]
            let chosen = candidates[pick]
            var y = truth[pick]
            for i in y.indices { y[i] += Mechanisms.gaussian(sigma: sigma, using: &setup.rng) }
            measurements.append(Measurement(variables: chosen, values: y, sigma: sigma))
            measured.insert(chosen)
            setup.ledger.spend("round \(round): choose (\(chosen.map { names[$0] }.joined(separator: ", "))) among \(allowed.count) candidates",
                         mechanism: "exponential(ε = \(fmt(epsStep)), Δ = \(fmt(maxWeight)))", rho: epsStep * epsStep / 8)
            setup.ledger.spend("round \(round): measure (\(chosen.map { names[$0] }.joined(separator: ", ")))", mechanism: "Gaussian(σ = \(fmt(sigma)))", rho: 0.5 / (sigma * sigma))
            let before = estimate[pick]
            model = MarginalEstimation.estimate(measurements, sizes: sizes, iterations: iterationsPerRound, warmStart: model)
            if let after = model.marginal(chosen)?.values {
                var change = 0.0
                for i in after.indices { change += abs(after[i] - before[i]) }
                if change <= (2 / Double.pi).squareRoot() * sigma * Double(cellsOf[pick]) {
                    sigma /= 2; epsStep *= 2
                }
            }
            progress?("round \(round): \(chosen.map { names[$0] }.joined(separator: ", ")); ρ spent \(String(format: "%.3g", used)) of \(String(format: "%.3g", budget))")
        }
        model = MarginalEstimation.estimate(measurements, sizes: sizes, iterations: finalIterations, warmStart: model)
        return (MarginalModel(discretizer: discretizer, model: model, measured: measurements.map { $0.variables.map { names[$0] } }), setup.ledger)
    }

    /// AIM's workload: every pair whose table has at most ``maxCandidateCells`` cells, then the triples
    /// that fit too — those holding one of `targets` (all of them without targets) — when there are at
    /// most ``maxTriples`` of those.
    static func workload(sizes: [Int], targets: [Int]) -> [[Int]] {
        let d = sizes.count
        func fits(_ set: [Int]) -> Bool { set.reduce(1) { $0 * sizes[$1] } <= maxCandidateCells }
        var out: [[Int]] = []
        for a in 0..<d { for b in (a + 1)..<d where fits([a, b]) { out.append([a, b]) } }
        let isTarget = Set(targets)
        var triples: [[Int]] = []
        for a in 0..<d { for b in (a + 1)..<d { for c in (b + 1)..<d {
            let triple = [a, b, c]
            guard fits(triple), isTarget.isEmpty || triple.contains(where: isTarget.contains) else { continue }
            triples.append(triple)
            if triples.count > maxTriples { return out }
        } } }
        return out + triples
    }

    /// The weight of each candidate in AIM's score: the paper's w_r = Σ_{s ∈ W} c_s |r ∩ s| for a
    /// weighted workload, with workload weights chosen here: c_s = 1 for a pair and 1/(d − 2) for a
    /// triple, so that a target's d − 2 triples with another column count together as much as one pair
    /// (with c = 1 the target, in every triple, outweighed every other column d/2-fold, and Quality fell
    /// on 10 of the 12 benchmark cells and tied on 2).
    static func weights(_ candidates: [[Int]], workload: [[Int]], columns d: Int) -> [Double] {
        var touching = [Double](repeating: 0, count: d)       // Σ c_s over the workload marginals holding each variable
        let tripleWeight = 1 / Double(max(d - 2, 1))
        for s in workload { for v in s { touching[v] += s.count == 3 ? tripleWeight : 1 } }
        return candidates.map { r in r.reduce(0) { $0 + touching[$1] } }
    }
}
