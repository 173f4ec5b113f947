import XCTest
import Foundation
@testable import DoppelSynth
@testable import DoppelData
import DoppelMath
import DoppelPrivacy

final class FactorTests: XCTestCase {
    func testSumLogSumExpAndBroadcast() {
        let f = Factor(variables: [0, 1], sizes: [3, 2], values: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(f.sum(onto: [1]).values, [9, 12])
        XCTAssertEqual(f.sum(onto: [0]).values, [3, 7, 11])
        XCTAssertEqual(f.sum(onto: []).values, [21])
        let l = Factor(variables: [0, 1], sizes: [3, 2], values: f.values.map { log($0) })
        for (a, b) in zip(l.logSumExp(onto: [1]).values, [9.0, 12].map { log($0) }) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        XCTAssertEqual(f.adding(Factor(variables: [1], sizes: [2], values: [10, 20])).values, [11, 22, 13, 24, 15, 26])
        XCTAssertEqual(f.values(inOrder: [1, 0]), [1, 3, 5, 2, 4, 6])
        let minusInf = Factor(variables: [0], sizes: [2], values: [-.infinity, -.infinity])
        XCTAssertEqual(minusInf.logSumExp(onto: []).values, [-.infinity])
    }
}

final class JunctionTreeTests: XCTestCase {
    /// Every measured set lies in a clique, and the cliques holding a variable are connected.
    func testRunningIntersectionOnACycle() {
        // a 5-cycle plus a chord needs triangulation
        let measured = [[0, 1], [1, 2], [2, 3], [3, 4], [0, 4], [1, 3]]
        let t = JunctionTree.build(covering: measured, sizes: [2, 3, 2, 4, 2])
        for m in measured { XCTAssertNotNil(t.clique(containing: m)) }
        for v in 0..<5 {
            let holding = Set(t.cliques.indices.filter { t.cliques[$0].contains(v) })
            XCTAssertFalse(holding.isEmpty)
            // connected: the holding cliques whose parent does not hold v are exactly one
            let tops = holding.filter { c in t.parent[c].map { !holding.contains($0) } ?? true }
            XCTAssertEqual(tops.count, 1, "cliques holding \(v) are not connected")
        }
        XCTAssertEqual(t.order.count, t.cliques.count)
        XCTAssertTrue(t.cliques.allSatisfy { $0.count <= 3 })
    }
}

final class MarginalEstimationTests: XCTestCase {
    /// Calibrated marginals of the product of potentials equal brute-force marginals.
    func testCalibrationMatchesBruteForce() {
        let sizes = [2, 3, 2]
        let tree = JunctionTree.build(covering: [[0, 1], [1, 2]], sizes: sizes)
        var rng = SeededGenerator(seed: 1)
        let potentials = tree.cliques.map { c in Factor(variables: c, sizes: c.map { sizes[$0] }, values: (0..<c.reduce(1) { $0 * sizes[$1] }).map { _ in rng.nextNormal() }) }
        let model = GraphicalModel(tree: tree, sizes: sizes, potentials: potentials, total: 1)
        var joint = [Double](repeating: 0, count: 12)
        for a in 0..<2 { for b in 0..<3 { for c in 0..<2 {
            var s = 0.0
            for p in potentials { s += p.values[p.variables == [0, 1] ? a * 3 + b : b * 2 + c] }
            joint[(a * 3 + b) * 2 + c] = exp(s)
        } } }
        let z = joint.reduce(0, +)
        let full = Factor(variables: [0, 1, 2], sizes: sizes, values: joint.map { $0 / z })
        for vars in [[0, 1], [1, 2], [0], [2]] {
            let expected = full.sum(onto: vars).values, got = model.marginal(vars)!.values
            for (e, g) in zip(expected, got) { XCTAssertEqual(e, g, accuracy: 1e-12) }
        }
    }

    /// With consistent, almost noise-free measurements the estimate reproduces them.
    func testMirrorDescentFitsConsistentMeasurements() {
        let sizes = [2, 3]
        let joint: [Double] = [30, 10, 5, 5, 20, 30]               // 100 records over (a, b)
        let f = Factor(variables: [0, 1], sizes: sizes, values: joint)
        let ms = [Measurement(variables: [0], values: f.sum(onto: [0]).values, sigma: 1),
                  Measurement(variables: [1], values: f.sum(onto: [1]).values, sigma: 1),
                  Measurement(variables: [0, 1], values: joint, sigma: 1)]
        let model = MarginalEstimation.estimate(ms, sizes: sizes, iterations: 2000)
        XCTAssertEqual(model.total, 100, accuracy: 1e-9)
        for (e, g) in zip(joint, model.marginal([0, 1])!.values) { XCTAssertEqual(e, g, accuracy: 0.05) }
    }
}

final class MSTTests: XCTestCase {
    /// ρ from (ε, δ), then 10% to bins and three equal thirds, each with the stated σ; the total spent is
    /// ρ, so the guarantee printed is exactly the (ε, δ) asked for.
    func testBudgetAndNoiseScales() throws {
        let t = try plantedTable()
        let (model, ledger) = try MST.fit(t, epsilon: 1, delta: 1e-9, bins: nil, seed: 1, iterations: 50)
        let rho = PrivacyConversion.rho(epsilon: 1, delta: 1e-9)
        XCTAssertEqual(ledger.spent, rho, accuracy: 1e-12)
        XCTAssertEqual(ledger.guarantee.epsilon, 1, accuracy: 1e-9)
        let d = Double(model.discretizer.modelled.count), third = rho * 0.9 / 3
        let oneWay = try XCTUnwrap(ledger.entries.first { $0.step.hasPrefix("one-way") })
        XCTAssertEqual(oneWay.amount, third, accuracy: 1e-12)
        XCTAssertTrue(oneWay.mechanism.contains(String(format: "%.4g", (d / (2 * third)).squareRoot())), oneWay.mechanism)
        let edges = ledger.entries.filter { $0.step.hasPrefix("spanning-tree edge") }
        XCTAssertEqual(edges.count, Int(d) - 1)
        XCTAssertEqual(edges.reduce(0) { $0 + $1.amount }, third, accuracy: 1e-12)
        XCTAssertTrue(edges[0].mechanism.contains(String(format: "%.4g", (8 * third / (d - 1)).squareRoot())))
        let twoWay = try XCTUnwrap(ledger.entries.first { $0.step.hasPrefix("two-way") })
        XCTAssertTrue(twoWay.mechanism.contains(String(format: "%.4g", ((d - 1) / (2 * third)).squareRoot())))
        XCTAssertEqual(model.measured.filter { $0.count == 2 }.count, Int(d) - 1)
    }

    /// With a large budget the tree finds the planted edges, and conditions are met exactly.
    func testLargeBudgetRecoversTreeAndServesConditions() throws {
        let t = try plantedNetwork(rows: 20_000)
        let (model, _) = try MST.fit(t, epsilon: 50, delta: 1e-9, bins: nil, seed: 2, iterations: 300)
        let edges = Set(model.measured.filter { $0.count == 2 }.map { $0.sorted().joined(separator: "-") })
        XCTAssertTrue(edges.isSuperset(of: ["A-B", "B-C", "A-D"]), "\(edges)")
        let s = Sampling.table(try model.sampler(conditions: [Condition(column: "C", op: .equal, value: "c1")]), total: 20_000, seed: 1)
        XCTAssertTrue(codes(s, "C").allSatisfy { $0 == 1 })
        // P(B | C = c1) follows the data: b1 dominates
        let real = try plantedNetwork(rows: 20_000)
        let rc = codes(real, "C"), rb = codes(real, "B"), sb = codes(s, "B")
        let realShare = Double(rc.indices.filter { rc[$0] == 1 && rb[$0] == 1 }.count) / Double(rc.filter { $0 == 1 }.count)
        XCTAssertEqual(Double(sb.filter { $0 == 1 }.count) / Double(sb.count), realShare, accuracy: 0.03)
    }

    func testDeltaAndEpsilonAreChecked() throws {
        let t = try plantedTable(rows: 300)
        var o = FitOptions()
        XCTAssertThrowsError(try FittedModel.fit(.mst, table: t, seed: 1, options: o))        // no ε
        o.epsilon = 1; o.delta = 0.01                                                          // δ ≥ 1/n
        XCTAssertThrowsError(try FittedModel.fit(.mst, table: t, seed: 1, options: o))
        o.delta = 0
        XCTAssertThrowsError(try FittedModel.fit(.mst, table: t, seed: 1, options: o))
        o.delta = 1e-9
        XCTAssertNoThrow(try FittedModel.fit(.mst, table: t, seed: 1, options: o))
    }
}

/// A model on `tree` with standard-normal log-potentials, scaled to `total` records, and its joint over
/// every variable computed by brute force.
func randomModel(_ tree: JunctionTree, sizes: [Int], total: Double, rng: inout SeededGenerator) -> (GraphicalModel, joint: Factor) {
    let potentials = tree.cliques.map { c in Factor(variables: c, sizes: c.map { sizes[$0] }, values: (0..<c.reduce(1) { $0 * sizes[$1] }).map { _ in rng.nextNormal() }) }
    var joint = Factor(variables: Array(sizes.indices), sizes: sizes, constant: 0)
    for p in potentials { joint = joint.adding(p) }
    let z = joint.logSumExp(onto: []).values[0]
    joint.values = joint.values.map { exp($0 - z) * total }
    return (GraphicalModel(tree: tree, sizes: sizes, potentials: potentials, total: total), joint)
}

final class AIMTests: XCTestCase {
    /// Pair marginals carried through the tree equal brute-force marginals of the model's joint.
    func testPairMarginalsMatchBruteForce() {
        let sizes = [2, 3, 2, 2]
        let tree = JunctionTree.build(covering: [[0, 1], [1, 2], [2, 3]], sizes: sizes)
        var rng = SeededGenerator(seed: 4)
        let (model, joint) = randomModel(tree, sizes: sizes, total: 50, rng: &rng)
        let pairs = model.pairMarginals(of: 0, mu: model.marginals())
        XCTAssertEqual(Set(pairs.keys), [1, 2, 3])
        for b in 1...3 {
            for (e, g) in zip(joint.sum(onto: [0, b]).values, pairs[b]!.values) { XCTAssertEqual(e, g, accuracy: 1e-9) }
        }
    }

    /// Any marginal by elimination over the joining subtree equals the brute-force marginal of the
    /// model's joint: triples spread over three cliques, a triple inside one clique, a pair of
    /// far-apart variables, and a variable in its own component (an empty separator).
    func testAnyMarginalMatchesBruteForce() {
        let sizes = [2, 3, 2, 2, 3, 2]
        let tree = JunctionTree.build(covering: [[0, 1], [1, 2], [2, 3], [1, 4]], sizes: sizes)
        var rng = SeededGenerator(seed: 5)
        let (model, joint) = randomModel(tree, sizes: sizes, total: 70, rng: &rng)
        let mu = model.marginals()
        for target in [[0, 3, 4], [0, 1, 2], [3, 4], [0, 3, 5], [5, 2, 4], [0, 1, 2, 3, 4, 5]] {
            let got = model.marginal(of: target, mu: mu)
            XCTAssertEqual(got.variables, target.sorted())
            for (e, g) in zip(joint.sum(onto: target.sorted()).values, got.values) { XCTAssertEqual(e, g, accuracy: 1e-9, "\(target)") }
        }
        // a chain of five cliques: whichever is the root, some of these targets join below it, so the
        // subtree's top is not the root and the cliques above it are left out
        let chainSizes = [2, 3, 2, 3, 2, 2]
        let chain = JunctionTree.build(covering: [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]], sizes: chainSizes)
        XCTAssertEqual(chain.cliques.count, 5)
        let (chainModel, chainJoint) = randomModel(chain, sizes: chainSizes, total: 30, rng: &rng)
        let chainMu = chainModel.marginals()
        var topsBelowRoot = 0
        for target in [[3, 5], [0, 2], [2, 4], [1, 3], [0, 5], [2, 5]] {
            let got = chainModel.marginal(of: target, mu: chainMu)
            for (e, g) in zip(chainJoint.sum(onto: target).values, got.values) { XCTAssertEqual(e, g, accuracy: 1e-9, "\(target)") }
            if !chain.cliques[chain.order[0]].contains(where: target.contains) { topsBelowRoot += 1 }   // the root holds neither
        }
        XCTAssertGreaterThan(topsBelowRoot, 0)
    }

    /// The workload holds every pair, and the triples with the target (or all triples on a narrow
    /// table), up to ``AIM/maxTriples``; weights are Σ_{s ∈ W} c_s |r ∩ s|.
    func testWorkloadAndWeights() {
        let five = AIM.workload(sizes: [2, 2, 2, 2, 2], targets: [])
        XCTAssertEqual(five.filter { $0.count == 2 }.count, 10)
        XCTAssertEqual(five.filter { $0.count == 3 }.count, 10)
        let targeted = AIM.workload(sizes: [2, 2, 2, 2, 2], targets: [4])
        XCTAssertEqual(targeted.filter { $0.count == 3 }, [[0, 1, 4], [0, 2, 4], [0, 3, 4], [1, 2, 4], [1, 3, 4], [2, 3, 4]])
        XCTAssertEqual(AIM.workload(sizes: [300, 300, 2], targets: [2]), [[0, 2], [1, 2]])   // 300·300 cells do not fit
        let wide = AIM.workload(sizes: [Int](repeating: 2, count: 40), targets: [])
        XCTAssertTrue(wide.allSatisfy { $0.count == 2 })                                      // 9,880 triples > maxTriples
        XCTAssertEqual(AIM.workload(sizes: [Int](repeating: 2, count: 31), targets: [30]).filter { $0.count == 3 }.count, 435)
        XCTAssertTrue(AIM.workload(sizes: [Int](repeating: 2, count: 47), targets: [46]).allSatisfy { $0.count == 2 })   // 1,035 > maxTriples
        XCTAssertEqual(AIM.workload(sizes: [Int](repeating: 2, count: 15), targets: []).filter { $0.count == 3 }.count, 455)
        XCTAssertTrue(AIM.workload(sizes: [Int](repeating: 2, count: 16), targets: []).allSatisfy { $0.count == 2 })      // 560 > 500
        // W = {01, 02, 03, 12, 13, 23, 012} over 4 columns: variable 0 is in 3 pairs and one triple (c = 1/2)
        let w = AIM.weights([[0], [3], [0, 1], [0, 1, 2]], workload: [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3], [0, 1, 2]], columns: 4)
        XCTAssertEqual(w, [3.5, 3, 7, 10.5])
    }

    /// A target that is the exclusive-or of two columns has no pairwise signal at all; with the
    /// three-way workload AIM measures the triple and the output keeps the rule.
    func testTripleWithTheTargetKeepsAnInteraction() throws {
        var rng = SeededGenerator(seed: 8)
        var lines = ["A,B,N,T"]
        for _ in 0..<20_000 {
            let a = rng.nextUniform() < 0.5 ? 1 : 0, b = rng.nextUniform() < 0.5 ? 1 : 0
            let t = rng.nextUniform() < 0.95 ? a ^ b : 1 - (a ^ b)
            lines.append("a\(a),b\(b),n\(Int(rng.nextUniform() * 3)),t\(t)")
        }
        var t = try table(csv: lines)
        t.schema.columns[3].roles = [.target]
        let (model, _) = try AIM.fit(t, epsilon: 10, delta: 1e-9, bins: nil, seed: 2)
        XCTAssertTrue(model.measured.contains { Set($0) == ["A", "B", "T"] }, "\(model.measured)")
        let s = Sampling.table(try model.sampler(conditions: []), total: 5000, seed: 3)
        let (a, b, y) = (codes(s, "A"), codes(s, "B"), codes(s, "T"))
        let agree = a.indices.filter { (a[$0] ^ b[$0]) == y[$0] }.count
        XCTAssertEqual(Double(agree) / Double(a.count), 0.95, accuracy: 0.03)
    }

    /// The rounds spend exactly ρ (bins + one-way + selections + measurements), every round is in the
    /// ledger, and with a large budget the planted edges are measured.
    func testBudgetIsSpentExactlyAndLargeBudgetFindsTheEdges() throws {
        let t = try plantedNetwork(rows: 20_000)
        let (model, ledger) = try AIM.fit(t, epsilon: 20, delta: 1e-9, bins: nil, seed: 3)
        XCTAssertEqual(ledger.spent, PrivacyConversion.rho(epsilon: 20, delta: 1e-9), accuracy: 1e-9)
        XCTAssertEqual(ledger.guarantee.epsilon, 20, accuracy: 1e-6)
        let rounds = ledger.entries.filter { $0.step.contains(": choose") }.count
        XCTAssertEqual(rounds, ledger.entries.filter { $0.step.contains(": measure") }.count)
        XCTAssertGreaterThan(rounds, 0)
        for edge in [["A", "B"], ["B", "C"], ["A", "D"]] {       // measured as a pair or inside a triple
            XCTAssertTrue(model.measured.contains { Set($0).isSuperset(of: edge) }, "\(edge) not in \(model.measured)")
        }
        let s = Sampling.table(try model.sampler(conditions: [Condition(column: "A", op: .equal, value: "a2")]), total: 5000, seed: 1)
        XCTAssertTrue(codes(s, "A").allSatisfy { $0 == 2 })
        let b = codes(s, "B")
        XCTAssertEqual(Double(b.filter { $0 == 2 }.count) / Double(b.count), 0.8, accuracy: 0.04)   // P(B = b2 | A = a2) = 0.8
    }
}
