import XCTest
import Foundation
@testable import DoppelEvaluate
@testable import DoppelData
import DoppelSynth
import DoppelMath
import DoppelLearn
import DoppelKernels

final class FidelityMetricTests: XCTestCase {
    func testKSComplementHandComputed() {
        // F_real − F_syn is largest at x = 4 (1.0 vs 0.75): D = 0.25.
        XCTAssertEqual(ColumnShapeMetrics.ksComplement(real: [1, 2, 3, 4], synthetic: [1, 2, 3, 5]), 0.75)
        XCTAssertEqual(ColumnShapeMetrics.ksComplement(real: [1, 2], synthetic: [3, 4]), 0)
        XCTAssertEqual(ColumnShapeMetrics.ksComplement(real: [1, .nan, 2], synthetic: [2, 1]), 1)
        // By hand: at x = 3, F_real = 4/5 and F_syn = 2/6, the largest gap: D = 7/15.
        XCTAssertEqual(ColumnShapeMetrics.ksComplement(real: [1, 2, 2, 3, 7], synthetic: [2, 2, 4, 5, 6, 8])!, 1 - 7.0 / 15, accuracy: 1e-12)
    }

    func testTVComplementHandComputed() {
        // real a,a,b; synthetic a,b,b: TV = ½(|2/3 − 1/3| + |1/3 − 2/3|) = 1/3.
        XCTAssertEqual(ColumnShapeMetrics.tvComplement(real: [0, 0, 1], synthetic: [0, 1, 1], levels: 2)!, 2.0 / 3, accuracy: 1e-12)
        // Missing values are dropped on both sides (their rate is compared separately).
        XCTAssertEqual(ColumnShapeMetrics.tvComplement(real: [0, -1], synthetic: [0, 0], levels: 1)!, 1, accuracy: 1e-12)
        // Categories seen only in the synthetic data count: real a,a vs synthetic a,b → TV = ½(½ + ½).
        XCTAssertEqual(ColumnShapeMetrics.tvComplement(real: [0, 0], synthetic: [0, 1], levels: 2)!, 0.5, accuracy: 1e-12)
    }

    func testPairMetricsHandComputed() {
        let x: [Double] = [1, 2, 3, 4], y: [Double] = [2, 4, 6, 8]
        XCTAssertEqual(PairTrendMetrics.correlationSimilarity(realX: x, realY: y, synX: x, synY: y.reversed())!, 0, accuracy: 1e-12)
        XCTAssertEqual(PairTrendMetrics.correlationSimilarity(realX: x, realY: y, synX: x, synY: y)!, 1, accuracy: 1e-12)
        // Joint tables {(0,0):½,(1,1):½} vs {(0,0):½,(0,1):½}: TV = ½(0 + ½ + ½) = ½.
        XCTAssertEqual(PairTrendMetrics.contingencySimilarity(realA: [0, 1], realB: [0, 1], synA: [0, 0], synB: [0, 1]), 0.5)
        XCTAssertEqual(PairTrendMetrics.binEdges([0, 10], bins: 10), (0...10).map(Double.init))
        // numpy: np.digitize([0, 9.99, 10, -5, nan], np.histogram_bin_edges([0, 10])) = [1, 10, 11, 0, 11]
        XCTAssertEqual(PairTrendMetrics.digitize([0, 9.99, 10, -5, .nan], edges: PairTrendMetrics.binEdges([0, 10])), [1, 10, 11, 0, 11])
        // Cramér's V of a perfectly associated 2×2 table is 1; of independent columns, 0.
        XCTAssertEqual(PairTrendMetrics.cramersV([0, 0, 1, 1], [0, 0, 1, 1])!, 1, accuracy: 1e-12)
        XCTAssertEqual(PairTrendMetrics.cramersV([0, 0, 1, 1], [0, 1, 0, 1])!, 0, accuracy: 1e-12)
        // scipy.stats.contingency.association([[10, 20], [30, 5]], method="cramer") = 0.5367450401216932
        let a: [Int32] = Array(repeating: 0, count: 30) + Array(repeating: 1, count: 35)
        let b: [Int32] = Array(repeating: 0, count: 10) + Array(repeating: 1, count: 20) + Array(repeating: 0, count: 30) + Array(repeating: 1, count: 5)
        XCTAssertEqual(PairTrendMetrics.cramersV(a, b)!, 0.5367450401216932, accuracy: 1e-12)
    }

    func testCoverage() {
        XCTAssertEqual(ColumnShapeMetrics.rangeCoverage(real: [0, 10], synthetic: [5, 20]), 0.5)
        XCTAssertEqual(ColumnShapeMetrics.categoryCoverage(real: [0, 1, 2, 2], synthetic: [0, 0]), 1.0 / 3)
    }
}

final class PrivacyMetricTests: XCTestCase {
    func testWilsonInterval() {
        // statsmodels proportion_confint(5, 10, method="wilson") = (0.2366, 0.7634)
        let p = Proportion(successes: 5, n: 10)
        XCTAssertEqual(p.lower, 0.23659309, accuracy: 1e-6); XCTAssertEqual(p.upper, 0.76340691, accuracy: 1e-6)
    }

    func testRiskFormula() {
        // Anonymeter's residual risk for 50/100 attack and 20/100 control successes, computed by hand:
        let z = 1.959963984540054
        let a = (50 + z * z / 2) / (100 + z * z), c = (20 + z * z / 2) / (100 + z * z)
        let r = Risk(name: "x", attackSuccesses: 50, controlSuccesses: 20, attacks: 100)
        XCTAssertEqual(r.attackRate, a, accuracy: 1e-12); XCTAssertEqual(r.controlRate, c, accuracy: 1e-12)
        XCTAssertEqual(r.risk.value, (a - c) / (1 - c), accuracy: 1e-12)
        XCTAssertLessThan(r.risk.lower, r.risk.value); XCTAssertGreaterThan(r.risk.upper, r.risk.value)
        XCTAssertEqual(Risk(name: "y", attackSuccesses: 10, controlSuccesses: 30, attacks: 100).risk.value, 0)
    }

    func testKAnonymityExactClasses() throws {
        let doc = try CSVDocument(bytes: Array("a,b\n1,x\n1,x\n2,x\n2,y\n2,y\n".utf8), path: "t.csv")
        let t = try Table(document: doc, schema: SchemaInference.infer(doc))
        let k = KAnonymity.compute(t, quasiIdentifiers: ["a", "b"])!
        XCTAssertEqual(k.k, 1); XCTAssertEqual(k.classes, 3); XCTAssertEqual(k.shareBelow5, 1)
    }

    func testDenseJointCountsGiveTheHashedFiguresBitForBit() {
        var rng = SeededGenerator(seed: 5)
        for trial in 0..<20 {
            let n = 50 + trial * 37, la = 1 + trial % 6, lb = 2 + trial % 11
            func col(_ levels: Int, _ m: Int) -> [Int32] { (0..<m).map { _ in Int32(rng.nextInt(below: levels + 1)) - 1 } }
            let ra = col(la, n), rb = col(lb, n), sa = col(la + 1, n + 13), sb = col(lb, n + 13)
            XCTAssertEqual(PairTrendMetrics.contingencySimilarity(realA: ra, realB: rb, synA: sa, synB: sb),
                           PairTrendMetrics.contingencySimilarityByKeys(realA: ra, realB: rb, synA: sa, synB: sb))
            XCTAssertEqual(PairTrendMetrics.cramersV(ra, rb), PairTrendMetrics.cramersVByKeys(ra, rb))
        }
        // Codes too spread for a dense table take the hashed path.
        XCTAssertEqual(PairTrendMetrics.cramersV([0, 5_000_000, 0, 5_000_000], [1, 2, 1, 2])!, 1, accuracy: 1e-12)
    }

    func testQuantisedFilterGivesTheFloatKernelsOutputsBitForBit() {
        // Numbers on a fine grid and off it, categories (some codes past the 16-bit range), missing
        // sentinels, duplicates; with and without a subset; a full scan and a partial (seeding) scan.
        var rng = SeededGenerator(seed: 11)
        let d = 30, nr = 997, nq = 403
        func value(_ c: Int) -> Float {
            switch c % 5 {
            case 0: return Float(rng.nextInt(below: 6)) - (rng.nextUniform() < 0.05 ? 1 : 0)
            case 1: return Float(rng.nextInt(below: 400))
            case 2: return rng.nextUniform() < 0.05 ? 1000 : Float(rng.nextUniform() * 3 - 1)
            default: return Float(rng.nextInt(below: 64)) / 64
            }
        }
        var refs = (0..<(nr * d)).map { value($0 % d) }
        for j in stride(from: 1, to: nr, by: 5) { for k in 0..<d { refs[j * d + k] = refs[(j - 1) * d + k] } }
        var queries = (0..<(nq * d)).map { value($0 % d) }
        for i in stride(from: 0, to: nq, by: 3) { let j = (i * 13) % nr; for k in 0..<d { queries[i * d + k] = refs[j * d + k] } }
        var blocked = [Float](repeating: 0, count: ((nr + 7) / 8) * d * 8)
        var blocked16 = [Int16](repeating: 0, count: ((nr + 15) / 16) * d * 16)
        var row = [Int16](repeating: 0, count: d)
        for j in 0..<nr {
            doppel_gower_quantize(Array(refs[(j * d)..<((j + 1) * d)]), Int64(d), &row)
            for k in 0..<d { blocked[((j / 8) * d + k) * 8 + j % 8] = refs[j * d + k]; blocked16[((j / 16) * d + k) * 16 + j % 16] = row[k] }
        }
        var q16 = [Int16](repeating: 0, count: nq * d)
        doppel_gower_quantize(queries, Int64(nq * d), &q16)
        // Even starts far enough from the end that a partial scan does not wrap: both kernels then scan the same rows.
        // The same start for each run of 8 queries (the filtered kernel's group; the float kernel's groups of 4 nest in it).
        let start = (0..<nq).map { Int64(2 * ((($0 / 8) * 7) % ((nr + 7) / 16 - 4))) }
        let subset = (0..<nr).map { UInt8($0 % 3 == 0 ? 1 : 0) }
        for useSubset in [false, true] {
            for scan in [0, 6] {
                var out: [[Float]] = [], indices: [[Int64]] = []
                for quantised in [false, true] {
                    var best = [Float](repeating: 0, count: nq), second = best, inSub = best
                    var idx = [Int64](repeating: 0, count: nq), refBest = [Float](repeating: .greatestFiniteMagnitude, count: nr)
                    subset.withUnsafeBufferPointer { sp in
                        let s = useSubset ? sp.baseAddress : nil
                        if quantised {
                            XCTAssertEqual(doppel_gower_cross_q16(queries, q16, Int64(nq), blocked, blocked16, Int64(nr), Int64(d), s, start,
                                                                  Int64(scan), &best, &second, &idx, &inSub, &refBest), doppel_has_avx2())
                        } else {
                            doppel_gower_cross(queries, Int64(nq), blocked, Int64(nr), Int64(d), s, start, Int64(scan), &best, &second, &idx, &inSub, &refBest)
                        }
                    }
                    out.append(best + second + inSub + refBest); indices.append(idx)
                }
                XCTAssertEqual(out[0], out[1], "subset \(useSubset), scan \(scan)")
                // Nearest indices agree except on exact ties (the two kernels start their scans 8 rows apart).
                for i in 0..<nq where indices[0][i] != indices[1][i] { XCTAssertEqual(out[0][i], out[0][i + nq]) }
            }
        }
    }

    func testNearestNeighborsMatchBruteForce() {
        var rng = SeededGenerator(seed: 2)
        let d = 11, nr = 300, nq = 77
        let refs = (0..<(nr * d)).map { _ in rng.nextUniform() }, qs = (0..<(nq * d)).map { _ in rng.nextUniform() }
        let r = NearestNeighbors(refs, rows: nr, dimension: d).query(qs, rows: nq)
        for i in 0..<nq {
            var dist = (0..<nr).map { j in (0..<d).reduce(0.0) { $0 + abs(qs[i * d + $1] - refs[j * d + $1]) } }
            let best = dist.indices.min { dist[$0] < dist[$1] }!
            XCTAssertEqual(r.index[i], best)
            XCTAssertEqual(r.nearest[i], dist[best], accuracy: 1e-4)
            dist.sort()
            XCTAssertEqual(r.second[i], dist[1], accuracy: 1e-4)
        }
        // The fused Gower kernel: per-query top two, nearest within a subset, per-reference nearest.
        let subset = (0..<nr).map { $0 % 3 == 0 }
        let cats = (0..<(nr * d)).map { k in k % 4 == 0 ? Double(k % 3) : refs[k] }, qcat = (0..<(nq * d)).map { k in k % 4 == 0 ? Double(k % 5) : qs[k] }
        let g = GowerCross.search(queries: qcat, rows: nq, references: cats, rows: nr, dimension: d, subset: subset)
        assertMatchesBruteForce(g, queries: qcat, rows: nq, references: cats, rows: nr, dimension: d, subset: subset)
        // Wide enough for the kernel to prune (≥ 12 coordinates), with duplicates, categories, missing
        // sentinels and ties: pruning and the k-d layout must not change any distance.
        let wide = 24, nr2 = 1_003, nq2 = 611
        func row(_ k: Int) -> [Double] {
            (0..<wide).map { c in
                c < 8 ? Double(rng.nextInt(below: 4)) : c >= 22 ? 0.5 : (rng.nextUniform() < 0.05 ? FeatureEncoder.missingSentinel : rng.nextUniform())
            }
        }
        var refRows = (0..<nr2).map(row)
        for k in stride(from: 0, to: nr2, by: 7) { refRows[k] = refRows[(k * 31) % nr2] }
        let queryRows = (0..<nq2).map { k in k % 3 == 0 ? refRows[(k * 17) % nr2] : row(k) }
        let r2 = refRows.flatMap { $0 }, q2 = queryRows.flatMap { $0 }
        let sub2 = (0..<nr2).map { $0 % 2 == 1 }
        let g2 = GowerCross.search(queries: q2, rows: nq2, references: r2, rows: nr2, dimension: wide, subset: sub2)
        assertMatchesBruteForce(g2, queries: q2, rows: nq2, references: r2, rows: nr2, dimension: wide, subset: sub2)
        // A subset that is sparse and clustered: whole blocks of references hold no subset row, so a
        // query's first blocks may all be outside it (its subset-nearest must still be found).
        let tiny = GowerCross.search(queries: [0, 0.5], rows: 2, references: [Double](repeating: 0, count: 16) + [Double](repeating: 0.5, count: 16),
                                     rows: 32, dimension: 1, subset: (0..<32).map { $0 >= 16 })
        XCTAssertEqual(tiny.nearestInSubset, [0.5, 0])
        let sparse = (0..<nr2).map { refRows[$0][8] > 0.9 && refRows[$0][8] < 2 }
        let g3 = GowerCross.search(queries: q2, rows: nq2, references: r2, rows: nr2, dimension: wide, subset: sparse)
        assertMatchesBruteForce(g3, queries: q2, rows: nq2, references: r2, rows: nr2, dimension: wide, subset: sparse)
        // One coordinate order shared by two searches: the same pair of rows gets the same float sum.
        let order = Array((0..<wide).reversed())
        let a = GowerCross.search(queries: q2, rows: nq2, references: r2, rows: nr2, dimension: wide, coordinates: order)
        let b = GowerCross.search(queries: q2, rows: nq2, references: Array(r2[0..<(500 * wide)]), rows: 500, dimension: wide, coordinates: order)
        for i in 0..<nq2 where a.index[i] < 500 { XCTAssertEqual(a.nearest[i], b.nearest[i]) }
        // Leave-one-out search of a set against itself.
        let self_ = NearestNeighbors(refs, rows: nr, dimension: d).query(refs, rows: nr, exclude: Array(0..<nr))
        XCTAssertTrue(self_.index.enumerated().allSatisfy { $0.offset != $0.element })
    }
}

/// A fused Gower search checked against brute force: per query the two nearest distances, the
/// distance of the reported nearest index and the nearest within the subset; per reference the
/// nearest query.
func assertMatchesBruteForce(_ g: GowerCross.Result, queries q: [Double], rows nq: Int, references r: [Double], rows nr: Int,
                             dimension d: Int, subset: [Bool], file: StaticString = #filePath, line: UInt = #line) {
    var refBest = [Double](repeating: .infinity, count: nr)
    for i in 0..<nq {
        let all = (0..<nr).map { j in (0..<d).reduce(0.0) { $0 + min(abs(q[i * d + $1] - r[j * d + $1]), 1) } }
        for j in 0..<nr { refBest[j] = min(refBest[j], all[j]) }
        let sorted = all.sorted()
        XCTAssertEqual(g.nearest[i], sorted[0], accuracy: 1e-4, file: file, line: line)
        XCTAssertEqual(g.second[i], sorted[1], accuracy: 1e-4, file: file, line: line)
        XCTAssertEqual(all[g.index[i]], sorted[0], accuracy: 1e-4, file: file, line: line)
        XCTAssertEqual(g.nearestInSubset[i], (0..<nr).filter { subset[$0] }.map { all[$0] }.min()!, accuracy: 1e-4, file: file, line: line)
    }
    for j in 0..<nr { XCTAssertEqual(g.referenceNearest[j], refBest[j], accuracy: 1e-4, file: file, line: line) }
}

/// The embedded heart-disease data from the repository.
func heartTables(seed: UInt64 = 7, fraction: Double = 0.5) throws -> (Table, Table) {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Doppel/Resources/heart_disease_uci.csv").path
    let t = try Table.read(csv: path)
    return t.split(fraction: fraction, seed: seed)
}

final class PolicyFileTests: XCTestCase {
    func read(_ json: String) throws -> Policy {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("policy-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Policy.read(from: path)
    }

    func refusal(_ json: String) -> String {
        do { _ = try read(json); return "accepted" } catch { return "\(error)" }
    }

    func testFieldsAreReadAndTheRestKeepDefaults() throws {
        let p = try read(#"{"minQuality": 0.95, "minK": 3, "maxExactCopies": 2.0}"#)
        XCTAssertEqual(p.minQuality, 0.95); XCTAssertEqual(p.minK, 3); XCTAssertEqual(p.maxExactCopies, 2); XCTAssertEqual(p.maxRiskUpper, Policy().maxRiskUpper)
        XCTAssertNil(try read(#"{"minQuality": null}"#).minQuality)
        XCTAssertEqual(try read("{}"), Policy())
    }

    /// A typo must not leave a rule silently at its default, and nonsense thresholds are refused by name.
    func testTyposWrongTypesAndNonsenseAreRefused() {
        XCTAssertTrue(refusal(#"{"minquality": 0.95}"#).contains("unknown policy field 'minquality' (did you mean 'minQuality'?)"), refusal(#"{"minquality": 0.95}"#))
        XCTAssertTrue(refusal(#"{"maxLeak": 1}"#).contains("unknown policy field 'maxLeak'; the fields are maxExactCopies"))
        XCTAssertTrue(refusal(#"{"minK": "5"}"#).contains("'minK' must be a whole number"), refusal(#"{"minK": "5"}"#))
        XCTAssertTrue(refusal(#"{"minQuality": "high"}"#).contains("'minQuality' must be a number or null"))
        XCTAssertTrue(refusal(#"{"maxDcrShareUpper": 7}"#).contains("'maxDcrShareUpper' must be between 0 and 1 (got 7.0)"))
        XCTAssertTrue(refusal(#"{"minK": -3}"#).contains("'minK' must be 1 or more (got -3)"))
        XCTAssertTrue(refusal(#"{"maxExactCopies": -1}"#).contains("'maxExactCopies' must be 0 or more"))
        XCTAssertTrue(refusal("[1, 2]").contains("expected one JSON object"))
        XCTAssertTrue(refusal("{not json").contains("expected one JSON object"))
        XCTAssertFalse(refusal(#"{"minK": "5"}"#).contains("DecodingError"))
        XCTAssertTrue(refusal(#"{"maxExactCopies": 1.5}"#).contains("'maxExactCopies' must be a whole number"))
        XCTAssertTrue(refusal(#"{"minK": 1e30}"#).contains("'minK' must be a whole number"))
        XCTAssertTrue(refusal(#"{"minK": true}"#).contains("'minK' must be a whole number"))
        XCTAssertTrue(refusal(#"{"maxRiskUpper": null}"#).contains("'maxRiskUpper' must be a number"))
        XCTAssertTrue(refusal(#"{"minQuality": 0.5, "minQuality": 0.99}"#).contains("'minQuality' is given more than once"))
    }
}

final class GateTests: XCTestCase {
    func testIdentityFailsAndHoldoutPasses() throws {
        let (train, holdout) = try heartTables()
        // A copy of the training data must fail with the right reasons.
        let identity = try Evaluation.run(Evaluation.Inputs(train: train, holdout: holdout, synthetic: train, target: "num",
                                                            sensitive: [], quasiIdentifiers: []))
        XCTAssertFalse(identity.gate.passed)
        let failed = Set(identity.gate.rules.filter { !$0.passed }.map(\.rule))
        XCTAssertTrue(failed.isSuperset(of: ["exact copies", "DCR share", "membership inference"]), "\(failed)")
        XCTAssertEqual(identity.privacy.exactCopies, train.rowCount)
        XCTAssertGreaterThan(identity.privacy.membershipInferenceAUC, 0.9)
        XCTAssertGreaterThan(identity.privacy.densityRatioMIA_AUC, 0.9)
        XCTAssertEqual(identity.quality.score, 1, accuracy: 1e-12)
        // Real unseen rows as "synthetic" pass every distance rule.
        // Thirds of the table: train, a holdout, and unseen real rows standing in for synthetic ones.
        let (third, rest) = try heartTables(fraction: 0.34)
        let (a, b) = rest.split(fraction: 0.5, seed: 3)
        let fresh = try Evaluation.run(Evaluation.Inputs(train: third, holdout: a, synthetic: b, target: "num", sensitive: [], quasiIdentifiers: []))
        // Every distance rule passes; the Anonymeter-style risks are near zero (their intervals are wide
        // at ~300 rows, so the point estimates are checked rather than the gate's upper bounds).
        for rule in fresh.gate.rules where ["exact copies", "DCR share", "membership inference", "density-ratio membership inference"].contains(rule.rule) {
            XCTAssertTrue(rule.passed, rule.explanation)
        }
        for risk in fresh.risks?.all ?? [] { XCTAssertLessThan(risk.risk.value, 0.15, risk.name) }
        XCTAssertEqual(fresh.privacy.dcrShare.value, 0.5, accuracy: 0.1)
        XCTAssertEqual(fresh.privacy.membershipInferenceAUC, 0.5, accuracy: 0.08)
    }

    func testCopulaOnHeartIsUsefulAndPrivate() throws {
        let (train, holdout) = try heartTables()
        let syn = try GaussianCopula.fit(train, seed: 1).sample(train.rowCount, seed: 2)
        let r = try Evaluation.run(Evaluation.Inputs(train: train, holdout: holdout, synthetic: syn, target: "num",
                                                     sensitive: ["sex"], quasiIdentifiers: ["age", "sex", "dataset"]))
        XCTAssertGreaterThan(r.quality.score, 0.85)
        XCTAssertGreaterThan(r.utility!.ratio!, 0.85)
        XCTAssertEqual(r.privacy.exactCopies, 0)
        XCTAssertLessThan(r.privacy.membershipInferenceAUC, 0.6)
        XCTAssertEqual(r.fairness.first?.groups.count, 2)
        XCTAssertNotNil(r.risks?.linkability)
        XCTAssertEqual(r.risks?.inference.count, 1)
        // The attack cap (evaluate --attacks) sets the attacks run, up to the rows there are; fewer
        // attacks give a wider interval, and the report records the cap.
        XCTAssertEqual(r.risks?.attackCap, RiskReport.maxAttacks)
        XCTAssertEqual(r.risks?.inference.first?.attacks, min(train.rowCount, holdout.rowCount))
        let few = RiskReport.compute(train: train, holdout: holdout, synthetic: syn, quasiIdentifiers: ["age", "sex", "dataset"], sensitive: ["sex"],
                                     seed: 1, attacks: 100)
        XCTAssertEqual(few.attackCap, 100)
        XCTAssertEqual(few.inference.first?.attacks, 100)
        XCTAssertEqual(few.linkability?.attacks, 100)
        let wide = few.inference[0].risk, narrow = r.risks!.inference[0].risk
        XCTAssertGreaterThan(wide.upper - wide.lower, narrow.upper - narrow.lower)
    }

    func testBadEvaluationInputs() throws {
        let (train, holdout) = try heartTables()
        XCTAssertThrowsError(try Evaluation.run(Evaluation.Inputs(train: train, holdout: holdout.rows([]), synthetic: train, target: nil, sensitive: [], quasiIdentifiers: []))) {
            XCTAssertTrue("\($0)".contains("holdout table is empty"))
        }
        XCTAssertThrowsError(try Evaluation.run(Evaluation.Inputs(train: train, holdout: holdout, synthetic: train, target: "death", sensitive: [], quasiIdentifiers: []))) {
            XCTAssertTrue("\($0)".contains("no column 'death'"))
        }
    }

    func testPolicyFileDefaultsAndOverrides() throws {
        let p = try JSONDecoder().decode(Policy.self, from: Data("{\"maxMembershipAUC\": 0.55}".utf8))
        XCTAssertEqual(p.maxMembershipAUC, 0.55); XCTAssertEqual(p.maxExactCopies, 0); XCTAssertEqual(p.minK, 5)
    }
}
