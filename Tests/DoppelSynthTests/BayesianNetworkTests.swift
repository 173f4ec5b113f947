import XCTest
import Foundation
@testable import DoppelSynth
@testable import DoppelData
import DoppelMath
import DoppelPrivacy

func table(csv lines: [String], name: String = "t.csv") throws -> Table {
    let doc = try CSVDocument(bytes: Array((lines.joined(separator: "\n") + "\n").utf8), path: name)
    return try Table(document: doc, schema: SchemaInference.infer(doc))
}

/// A planted categorical network A → B → C, A → D, and an independent E.
func plantedNetwork(rows n: Int, seed: UInt64 = 11) throws -> Table {
    var rng = SeededGenerator(seed: seed)
    var lines = ["A,B,C,D,E"]
    func pick(_ p: [Double]) -> Int { let u = rng.nextUniform(); var s = 0.0; for (k, q) in p.enumerated() { s += q; if u < s { return k } }; return p.count - 1 }
    for _ in 0..<n {
        let a = pick([0.5, 0.3, 0.2])
        let b = pick(a == 0 ? [0.8, 0.1, 0.1] : a == 1 ? [0.1, 0.8, 0.1] : [0.1, 0.1, 0.8])
        let c = pick(b == 0 ? [0.9, 0.1] : b == 1 ? [0.2, 0.8] : [0.5, 0.5])
        let d = pick(a == 0 ? [0.7, 0.2, 0.1] : [0.1, 0.2, 0.7])
        let e = pick([0.25, 0.25, 0.5])
        lines.append("a\(a),b\(b),c\(c),d\(d),e\(e)")
    }
    return try table(csv: lines)
}

final class BayesianNetworkTests: XCTestCase {
    /// Structure learning finds exactly the planted edges (as undirected pairs) and leaves E alone.
    func testRecoversPlantedEdges() throws {
        let t = try plantedNetwork(rows: 5000)
        let (model, ledger) = try BayesianNetwork.fit(t, options: .init(degree: 2), seed: 1)
        XCTAssertNil(ledger)
        let found = Set(model.edges.map { [$0.0, $0.1].sorted().joined(separator: "-") })
        XCTAssertEqual(found, ["A-B", "B-C", "A-D"])
    }

    /// Conditioning on a child is exact: P(A | C = c1) from the samples matches the value computed from
    /// the model's own tables by summing out B.
    func testEvidenceOnADescendantIsExact() throws {
        let t = try plantedNetwork(rows: 20_000)
        let (model, _) = try BayesianNetwork.fit(t, options: .init(degree: 2), seed: 1)
        let names = model.discretizer.modelled.map { t.schema.columns[$0].name }
        let node = { (name: String) in model.nodes.first { names[$0.variable] == name }! }
        let a = node("A"), b = node("B"), c = node("C")
        XCTAssertEqual(b.parents.map { names[$0] }, ["A"]); XCTAssertEqual(c.parents.map { names[$0] }, ["B"])
        // category codes follow the schema's sorted categories: a0,a1,a2 / b0.. / c0,c1
        var joint = [Double](repeating: 0, count: 3)
        for x in 0..<3 {
            let pa = Double(a.parents.isEmpty ? a.table[x] : 0)
            var s = 0.0
            for y in 0..<3 { s += Double(b.table[x * 3 + y]) * Double(c.table[y * 2 + 1]) }
            joint[x] = pa * s
        }
        XCTAssertTrue(a.parents.isEmpty, "A should be the root")
        let z = joint.reduce(0, +)
        let sampler = try model.sampler(conditions: [Condition(column: "C", op: .equal, value: "c1")])
        let s = Sampling.table(sampler, total: 60_000, seed: 3)
        XCTAssertTrue(codes(s, "C").allSatisfy { $0 == 1 })
        let ca = codes(s, "A")
        for x in 0..<3 {
            let share = Double(ca.filter { $0 == Int32(x) }.count) / Double(ca.count)
            XCTAssertEqual(share, joint[x] / z, accuracy: 0.01, "P(A = a\(x) | C = c1)")
        }
        XCTAssertThrowsError(try model.sampler(conditions: [Condition(column: "C", op: .equal, value: "c9")]))
    }

    /// Numeric conditions cut through bins: every value meets them, and a choice a|b is served exactly.
    func testRangeAndChoiceConditions() throws {
        let t = try plantedTable()
        let (model, _) = try BayesianNetwork.fit(t, options: .init(), seed: 1)
        let s = try Sampling.table(model.sampler(conditions: [Condition(column: "age", op: .greaterOrEqual, value: "65"),
                                                              Condition(column: "age", op: .less, value: "71"),
                                                              Condition(column: "stage", op: .equal, value: "2|4")]), total: 5000, seed: 2)
        let ages = numeric(s, "age")
        XCTAssertTrue(ages.allSatisfy { $0 >= 65 && $0 < 71 && $0 == $0.rounded() })
        XCTAssertEqual(Set(ages).count, 6)
        let stages = codes(s, "stage"), levels = t.schema["stage"]!.categories!
        XCTAssertTrue(stages.allSatisfy { ["2", "4"].contains(levels[Int($0)]) })
        // the model's age distribution within [65, 71) follows the data's (mean within half a year)
        let real = numeric(t, "age").filter { $0 >= 65 && $0 < 71 }
        XCTAssertEqual(ages.reduce(0, +) / Double(ages.count), real.reduce(0, +) / Double(real.count), accuracy: 0.5)
    }

    /// Same data and seed → the same model bytes and the same rows.
    func testDeterministic() throws {
        let t = try plantedTable()
        for eps: Double? in [nil, 1] {
            let m1 = try BayesianNetwork.fit(t, options: .init(epsilon: eps), seed: 4).0
            let m2 = try BayesianNetwork.fit(t, options: .init(epsilon: eps), seed: 4).0
            let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys]     // as the model file writes it
            let (a, b) = (try enc.encode(m1), try enc.encode(m2))
            XCTAssertEqual(a, b)
            XCTAssertEqual(Sampling.table(try m1.sampler(), total: 500, seed: 1), Sampling.table(try m2.sampler(), total: 500, seed: 1))
        }
    }
}

final class DiscretizerTests: XCTestCase {
    /// A condition the model gives no probability says so with the model's range; two conditions that
    /// cannot hold together say that.
    func testImpossibleConditionsSayWhy() throws {
        let t = try plantedTable()
        let d = Discretizer(fitting: t, bins: 8)
        let age = numeric(t, "age").filter { !$0.isNaN }
        XCTAssertThrowsError(try d.evidence([try Condition.parse("age>=\(age.max()! + 5)")])) { e in
            XCTAssertTrue("\(e)".contains("has no probability under the model: its values of 'age' run from \(Int(age.min()!)) to \(Int(age.max()!))"), "\(e)")
        }
        XCTAssertThrowsError(try d.evidence(try Condition.parseList("age>=70,age<=50"))) { e in
            XCTAssertTrue("\(e)".contains("cannot all hold at once"), "\(e)")
        }
    }

    /// Decoding draws within the bin: every value lands in its code's bin, integers stay integers within
    /// bounds, a column with few values is reproduced exactly, and missing stays missing.
    func testWithinBinDecoding() throws {
        let t = try plantedTable()
        let d = Discretizer(fitting: t, bins: 8)
        let codes = d.encode(t)
        var rng = SeededGenerator(seed: 1)
        let back = d.decode(codes, rows: t.rowCount, firstRow: 0, seed: 1, rng: &rng)
        let decoded = Table(schema: t.schema, columns: back)
        for name in ["age", "bili"] {
            let j = t.schema.index(of: name)!, k = d.modelled.firstIndex(of: j)!
            guard case .numeric(let cuts, let bins) = d.columns[j].kind else { return XCTFail() }
            XCTAssertLessThanOrEqual(bins.count, 8)
            let original = numeric(t, name), again = numeric(decoded, name)
            for i in 0..<t.rowCount {
                XCTAssertEqual(original[i].isNaN, again[i].isNaN)
                guard !again[i].isNaN else { continue }
                let b = Int(codes[k][i])
                XCTAssertGreaterThanOrEqual(again[i], cuts[b] - 1e-9)
                XCTAssertLessThanOrEqual(again[i], bins[b].knots.last! + 1e-9)
            }
            // re-encoding the decoded values gives the same codes
            XCTAssertEqual(d.encode(decoded)[k], codes[k])
        }
        XCTAssertTrue(numeric(decoded, "age").allSatisfy { $0.isNaN || $0 == $0.rounded() })
        // stage has 4 values ≤ 8 bins: exact
        XCTAssertEqual(codes[d.modelled.firstIndex(of: t.schema.index(of: "stage")!)!].count, t.rowCount)
        XCTAssertEqual(decoded.column(named: "stage"), t.column(named: "stage"))
    }

    /// Quantile bins hold about equal shares of the rows.
    func testQuantileBinsAreBalanced() {
        var rng = SeededGenerator(seed: 2)
        let v = (0..<10_000).map { _ in exp(rng.nextNormal()) }.sorted()
        let (cuts, bins) = Discretizer.quantileBins(v, bins: 10)
        XCTAssertEqual(bins.count, 10)
        for b in 0..<10 {
            let hi = b + 1 < cuts.count ? cuts[b + 1] : .infinity
            let n = v.filter { $0 >= cuts[b] && $0 < hi }.count
            XCTAssertEqual(n, 1000, accuracy: 2)
        }
    }

    /// Under DP the bins come from a noisy histogram within the schema's bounds, and the noise scale and
    /// budget are those the ledger states.
    func testPrivateBinsStayWithinBoundsAndAreAccounted() throws {
        let t = try plantedTable()
        var ledger = PrivacyLedger(epsilon: 1)
        var rng = SeededGenerator(seed: 3)
        let d = try Discretizer(privately: t, bins: 10, epsilon: 0.4, ledger: &ledger, rng: &rng)
        XCTAssertEqual(ledger.entries.count, 3)               // age, bili, admitted
        XCTAssertEqual(ledger.spent, 0.4, accuracy: 1e-12)
        for e in ledger.entries { XCTAssertEqual(e.amount, 0.4 / 3, accuracy: 1e-12); XCTAssertTrue(e.mechanism.contains("b = 15")) }   // 2 / (0.4/3)
        let codes = d.encode(t)
        var r2 = SeededGenerator(seed: 4)
        let back = Table(schema: t.schema, columns: d.decode(codes, rows: t.rowCount, firstRow: 0, seed: 1, rng: &r2))
        let age = numeric(back, "age"), spec = t.schema["age"]!
        XCTAssertTrue(age.allSatisfy { $0.isNaN || ($0 >= spec.min! && $0 <= spec.max! && $0 == $0.rounded()) })
        // Under DP a column gets a missing code unless the schema declares it never missing (missingRate 0).
        XCTAssertGreaterThan(t.schema["bili"]!.missingRate!, 0)
        for j in d.modelled { XCTAssertEqual(d.columns[j].missingCode != nil, t.schema.columns[j].missingRate != 0, t.schema.columns[j].name) }
        XCTAssertNil(d.columns[t.schema.index(of: "age")!].missingCode)
        var unstated = t.schema
        for j in unstated.columns.indices { unstated.columns[j].missingRate = nil }
        var ledger2 = PrivacyLedger(epsilon: 1)
        let d2 = try Discretizer(privately: Table(schema: unstated, columns: t.columns), bins: 10, epsilon: 0.4, ledger: &ledger2, rng: &rng)
        XCTAssertTrue(d2.modelled.allSatisfy { d2.columns[$0].missingCode != nil }, "no statement: may be missing")
        // A schema that says "never missing" of a column with missing values is refused.
        var wrong = t.schema
        wrong.columns[wrong.index(of: "bili")!].missingRate = 0
        var ledger3 = PrivacyLedger(epsilon: 1)
        XCTAssertThrowsError(try Discretizer(privately: Table(schema: wrong, columns: t.columns), bins: 10, epsilon: 0.4, ledger: &ledger3, rng: &rng)) {
            XCTAssertTrue("\($0)".contains("the schema says 'bili' is never missing"), "\($0)")
        }
        // identifiers are numbered from 1, not continued from the data's largest value
        guard case .identifier(let ids) = d.columns[t.schema.index(of: "id")!].kind else { return XCTFail("id is not an identifier") }
        XCTAssertEqual(ids.value(row: 0, seed: 9), "1")
    }
}

final class PrivBayesTests: XCTestCase {
    /// The ledger spends exactly ε: 10% on bins, 30% of the rest on d − 1 structure steps, 70% on d tables,
    /// with Laplace scale 2d/ε₂ on the tables.
    func testBudgetSplitSumsToEpsilonAndNoiseMatchesFormula() throws {
        let t = try plantedTable()
        let (model, ledger) = try BayesianNetwork.fit(t, options: .init(degree: 2, epsilon: 2), seed: 1)
        let l = try XCTUnwrap(ledger)
        XCTAssertEqual(l.spent, 2, accuracy: 1e-9)
        let d = Double(model.nodes.count)
        let eps2 = 2 * 0.9 * 0.7
        let tables = l.entries.filter { $0.step.hasPrefix("counts of the family") }
        XCTAssertEqual(tables.count, model.nodes.count)
        for e in tables {
            XCTAssertEqual(e.amount, eps2 / d, accuracy: 1e-12)
            XCTAssertTrue(e.mechanism.contains(String(format: "%.4g", 2 * d / eps2)), e.mechanism)
        }
        let structure = l.entries.filter { $0.step.hasPrefix("parents of") }
        XCTAssertEqual(structure.count, model.nodes.count - 1)
        XCTAssertEqual(structure.reduce(0) { $0 + $1.amount }, 2 * 0.9 * 0.3, accuracy: 1e-12)
        XCTAssertEqual(PrivacySpent(ledger: l).epsilon!, 2, accuracy: 1e-9)
    }

    /// PrivBayes' Lemma 4.1 sensitivity, by hand for n = 1000.
    func testMutualInformationSensitivity() {
        let n = 1000.0
        let expected = (2 / n) * log2((n + 1) / 2) + ((n - 1) / n) * log2((n + 1) / (n - 1))
        XCTAssertEqual(FamilyScorer.privBayesSensitivity(rows: 1000), expected, accuracy: 1e-15)
        XCTAssertEqual(expected, 0.02082, accuracy: 1e-4)
    }

    /// With a large budget PrivBayes finds the planted structure too; with a tiny one it keeps columns
    /// independent rather than drowning tables in noise.
    func testLargeBudgetFindsStructureTinyBudgetStaysIndependent() throws {
        let t = try plantedNetwork(rows: 20_000)
        let big = try BayesianNetwork.fit(t, options: .init(degree: 1, epsilon: 50), seed: 2).0
        XCTAssertEqual(Set(big.edges.map { [$0.0, $0.1].sorted().joined(separator: "-") }).intersection(["A-B", "B-C", "A-D"]).count, 3)
        let t2 = try plantedNetwork(rows: 300)
        let tiny = try BayesianNetwork.fit(t2, options: .init(degree: 2, epsilon: 0.05), seed: 2).0
        XCTAssertTrue(tiny.edges.isEmpty)
    }

    func testNonsenseBudgetsAreRefused() throws {
        let t = try plantedTable(rows: 200)
        for e in [0.0, -1, .infinity, .nan] {
            var o = FitOptions(); o.epsilon = e
            XCTAssertThrowsError(try FittedModel.fit(.bayesianNetwork, table: t, seed: 1, options: o))
        }
        var o = FitOptions(); o.epsilon = 1
        XCTAssertThrowsError(try FittedModel.fit(.cart, table: t, seed: 1, options: o))
    }
}

final class CARTTests: XCTestCase {
    /// A column that is a function of another is reproduced: P(y | x) of the synthetic rows matches.
    func testTreesCarryConditionalStructure() throws {
        var rng = SeededGenerator(seed: 6)
        var lines = ["x,y,z"]
        for _ in 0..<3000 {
            let x = rng.nextUniform() * 100
            let y = x < 30 ? "low" : x < 70 ? "mid" : "high"
            let z = x * 2 + rng.nextNormal()
            lines.append(String(format: "%.2f,%@,%.2f", x, y, z))
        }
        let t = try table(csv: lines)
        let model = try CART.fit(t, minLeaf: 5, visitOrder: nil, seed: 1)
        XCTAssertEqual(model.visitOrder, ["x", "y", "z"])
        let s = Sampling.table(model.sampler(), total: 3000, seed: 2)
        let xs = numeric(s, "x"), zs = numeric(s, "z"), ys = codes(s, "y"), levels = t.schema["y"]!.categories!
        var wrong = 0
        for i in 0..<xs.count {
            let expected = xs[i] < 30 ? "low" : xs[i] < 70 ? "mid" : "high"
            if levels[Int(ys[i])] != expected { wrong += 1 }
        }
        XCTAssertLessThan(Double(wrong) / Double(xs.count), 0.02)
        XCTAssertGreaterThan(pearson(xs, zs), 0.99)
        XCTAssertTrue(xs.allSatisfy { $0 >= t.schema["x"]!.min! && $0 <= t.schema["x"]!.max! })
    }

    /// A CART model file whose trees would index outside themselves, loop, or draw codes past their
    /// column's categories is refused when read (naming the file), and a marginal without knots too.
    func testDamagedTreesAreRefusedWhenRead() throws {
        var rng = SeededGenerator(seed: 7)
        var lines = ["x,y"]
        for _ in 0..<500 { let x = rng.nextUniform() * 100; lines.append(String(format: "%.2f,%@", x, x < 50 ? "low" : "high")) }
        let model = try CART.fit(try table(csv: lines), minLeaf: 5, visitOrder: nil, seed: 1)
        let provenance = Provenance(trainingSHA256: String(repeating: "a", count: 64), trainingRows: 500, synthesizer: "cart", seed: 1, fitSeconds: 0)
        XCTAssertNoThrow(try ModelFile.decode(try ModelFile(model: .cart(model), provenance: provenance).encoded(), path: "good.doppel"))
        let y = try XCTUnwrap(model.trees.firstIndex { $0.target == 1 })
        let split = try XCTUnwrap(model.trees[y].nodes.firstIndex { $0.feature >= 0 })
        var damaged = [model, model, model, model, model]
        damaged[0].trees[y].nodes[split].left = Int32(split)                      // a loop
        damaged[1].trees[y].nodes[split].right = Int32(model.trees[y].nodes.count) // outside the tree
        damaged[2].trees[y].leaves[0].cumulative = [0.2, 0.4, 0.6, 1]            // 4 codes for 2 categories
        damaged[3].trees[y].nodes[split].feature = 9
        damaged[4].identifiers.removeLast()
        for (k, bad) in damaged.enumerated() {
            XCTAssertThrowsError(try ModelFile.decode(try ModelFile(model: .cart(bad), provenance: provenance).encoded(), path: "bad.doppel"), "case \(k)") { e in
                guard case .badModel(let path, let message)? = e as? DoppelError else { return XCTFail("\(e)") }
                XCTAssertEqual(path, "bad.doppel"); XCTAssertTrue(message.hasPrefix("cart: "), message)
            }
        }
        let x = try XCTUnwrap(model.trees.firstIndex { $0.target == 0 })
        var noKnots = model
        noKnots.trees[x].leaves[0].knots?.knots = []
        XCTAssertThrowsError(try ModelFile.decode(try ModelFile(model: .cart(noKnots), provenance: provenance).encoded(), path: "k.doppel")) { e in
            guard case .badModel(_, let message)? = e as? DoppelError else { return XCTFail("\(e)") }
            XCTAssertTrue(message.contains("without knots"), message)
        }
    }

    /// The visit order can be given; targets go last by default; unknown names are refused.
    func testVisitOrderAndConditions() throws {
        var t = try plantedTable()
        t.schema.columns[t.schema.index(of: "sex")!].roles = [.target]
        let m = try CART.fit(t, minLeaf: 10, visitOrder: ["stage"], seed: 1)
        XCTAssertEqual(m.visitOrder.first, "stage")
        XCTAssertEqual(m.visitOrder.last, "sex")
        XCTAssertThrowsError(try CART.fit(t, minLeaf: 10, visitOrder: ["nope"], seed: 1))
        XCTAssertThrowsError(try CART.fit(t, minLeaf: 0, visitOrder: nil, seed: 1))
        let sampler = try FittedModel.cart(m).sampler(conditions: [Condition(column: "age", op: .greaterOrEqual, value: "70"), Condition(column: "sex", op: .equal, value: "Female")])
        let s = Sampling.table(sampler, total: 1000, seed: 3)
        XCTAssertTrue(numeric(s, "age").allSatisfy { $0 >= 70 })
        XCTAssertTrue(codes(s, "sex").allSatisfy { t.schema["sex"]!.categories![Int($0)] == "Female" })
        XCTAssertEqual(Set(s.column(named: "id")!.values == t.column(named: "id")!.values ? [0] : [1]), [1])
    }

    /// Histogram subtraction is exact: the larger child's histograms taken as parent − smaller equal the
    /// ones counted from its rows (to rounding, for sums of a numeric target), for both target kinds.
    func testHistogramSubtractionMatchesCounting() throws {
        let t = try plantedTable()
        let data = TreeTrainingData(t)
        let features = t.schema.columns.indices.filter { data.bins[$0] != nil }
        for j in features {
            let target: TreeTarget
            switch t.columns[j].values {
            case .categorical(let c, let levels): target = .categorical(codes: c.map { $0 < 0 ? Int32(levels.count) : $0 }, classes: levels.count + 1)
            case .numeric(let v): target = .numeric(values: v, scale: 1)
            case .text: continue
            }
            let others = features.filter { $0 != j }
            let layout = TreeGrower.HistogramLayout(data: data, target: target, features: others)
            let all = (0..<data.rows).map { Int32($0) }
            let parent = TreeGrower.histograms(all, layout: layout, data: data, target: target, features: others)
            let split = try XCTUnwrap(TreeGrower.bestSplit(rows: all.count, hist: parent, layout: layout, data: data, target: target, features: others, minLeaf: 5, minGain: 0))
            let (left, right, _, _) = TreeGrower.divide(all, by: split, data: data)
            XCTAssertEqual(left.count + right.count, all.count)
            let small = TreeGrower.histograms(left, layout: layout, data: data, target: target, features: others)
            let counted = TreeGrower.histograms(right, layout: layout, data: data, target: target, features: others)
            for i in parent.indices { XCTAssertEqual(parent[i] - small[i], counted[i], accuracy: 1e-9 * max(1, abs(parent[i]))) }
            // and the split found from the histograms is the one the rows give: recount gives the same gain
            let again = TreeGrower.bestSplit(rows: right.count, hist: counted, layout: layout, data: data, target: target, features: others, minLeaf: 5, minGain: 0)
            var derived = parent
            for i in derived.indices { derived[i] -= small[i] }
            let viaSubtraction = TreeGrower.bestSplit(rows: right.count, hist: derived, layout: layout, data: data, target: target, features: others, minLeaf: 5, minGain: 0)
            XCTAssertEqual(again?.feature, viaSubtraction?.feature)
            XCTAssertEqual(again?.cut, viaSubtraction?.cut)
            // whole trees, grown with subtraction and by recounting every node: the same tree for a
            // categorical target (counts subtract exactly); for a numeric one sums of y and y² round
            // differently, which may flip a near-tie deep down, so the first splits must agree
            let fast = TreeGrower.grow(data: data, target: target, targetColumn: j, features: others, minLeaf: 5)
            let slow = TreeGrower.grow(data: data, target: target, targetColumn: j, features: others, minLeaf: 5, subtraction: false)
            XCTAssertGreaterThan(fast.leaves.count, 10)
            let name = t.schema.columns[j].name
            if case .categorical = target {
                XCTAssertTrue(fast == slow, "column \(name): trees differ")
            } else {
                XCTAssertTrue(fast.nodes.prefix(15).elementsEqual(slow.nodes.prefix(15)), "column \(name): first splits differ")
                XCTAssertEqual(Double(fast.leaves.count), Double(slow.leaves.count), accuracy: 0.05 * Double(slow.leaves.count), "column \(name)")
            }
        }
    }

    /// A larger minimum leaf gives fewer leaves.
    func testMinLeafControlsTreeSize() throws {
        let t = try plantedTable()
        let small = try CART.fit(t, minLeaf: 5, visitOrder: nil, seed: 1), large = try CART.fit(t, minLeaf: 100, visitOrder: nil, seed: 1)
        let leaves = { (m: CARTModel) in m.trees.reduce(0) { $0 + $1.leaves.count } }
        XCTAssertGreaterThan(leaves(small), 3 * leaves(large))
        for tree in large.trees { XCTAssertLessThanOrEqual(tree.leaves.count, t.rowCount / 100) }
    }
}
