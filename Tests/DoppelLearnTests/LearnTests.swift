import XCTest
import DoppelMath
import DoppelKernels
@testable import DoppelLearn

final class ROCTests: XCTestCase {
    func testAUCHandComputed() {
        // Positives 0.8, 0.4; negatives 0.5, 0.1: pairs (0.8>0.5 ✓, 0.8>0.1 ✓, 0.4>0.5 ✗, 0.4>0.1 ✓) → 3/4.
        XCTAssertEqual(ROC.auc(scores: [0.8, 0.4, 0.5, 0.1], labels: [true, true, false, false]), 0.75)
        // A tie counts ½: positive 0.5 vs negative 0.5 → 0.5.
        XCTAssertEqual(ROC.auc(scores: [0.5, 0.5], labels: [true, false]), 0.5)
        // Positives 0.9, 0.3, 0.6 against negatives 0.9, 0.2: ½ + 1 + 0 + 1 + 0 + 1 = 3.5 of 6 pairs.
        XCTAssertEqual(ROC.auc(scores: [0.9, 0.9, 0.3, 0.2, 0.6], labels: [true, false, true, false, true])!, 7.0 / 12, accuracy: 1e-12)
        XCTAssertNil(ROC.auc(scores: [1, 2], labels: [true, true]))
    }

    func testCurveEndsAtCorners() {
        let c = ROC.curve(scores: [0.9, 0.1, 0.8, 0.3], labels: [true, false, true, false])
        XCTAssertEqual(c.first!.0, 0); XCTAssertEqual(c.first!.1, 0)
        XCTAssertEqual(c.last!.0, 1); XCTAssertEqual(c.last!.1, 1)
    }
}

final class LearnerTests: XCTestCase {
    func data(n: Int, seed: UInt64) -> ([Double], [Int]) {
        var rng = SeededGenerator(seed: seed)
        var x: [Double] = [], y: [Int] = []
        for _ in 0..<n {
            let a = rng.nextNormal(), b = rng.nextNormal()
            let p = 1 / (1 + exp(-(1.5 * a - 1.0 * b + 0.3)))
            x += [a, b]; y.append(rng.nextUniform() < p ? 1 : 0)
        }
        return (x, y)
    }

    func testLogisticRegressionRecoversCoefficients() {
        let (x, y) = data(n: 20000, seed: 1)
        let m = LogisticRegression.fit(x: x, rows: 20000, cols: 2, labels: y, classes: 2, lambda: 0)
        // With softmax over two classes the identified quantity is w1 − w0.
        let wa = m.weights[0 * 2 + 1] - m.weights[0 * 2 + 0]
        let wb = m.weights[1 * 2 + 1] - m.weights[1 * 2 + 0]
        let b = m.weights[2 * 2 + 1] - m.weights[2 * 2 + 0]
        XCTAssertEqual(wa, 1.5, accuracy: 0.08); XCTAssertEqual(wb, -1.0, accuracy: 0.08); XCTAssertEqual(b, 0.3, accuracy: 0.08)
    }

    func testGradientBoostingBeatsChanceAndFitsSteps() {
        let (x, y) = data(n: 4000, seed: 2)
        let (xt, yt) = data(n: 2000, seed: 3)
        let m = GradientBoosting.fitClassifier(x: x, rows: 4000, cols: 2, labels: y, classes: 2)
        let p = m.predictProbabilities(x: xt, rows: 2000)
        let auc = ROC.auc(scores: (0..<2000).map { p[$0 * 2 + 1] }, labels: yt.map { $0 == 1 })!
        XCTAssertGreaterThan(auc, 0.80)
        // Regression on a step function.
        let xs = (0..<1000).map { Double($0) / 1000 }
        let ys = xs.map { $0 < 0.5 ? 1.0 : 3.0 }
        let r = GradientBoosting.fitRegressor(x: xs, rows: 1000, cols: 1, targets: ys)
        let pr = r.predict(x: [0.2, 0.8], rows: 2)
        XCTAssertEqual(pr[0], 1, accuracy: 0.05); XCTAssertEqual(pr[1], 3, accuracy: 0.05)
        // Multiclass.
        let lab = xs.map { $0 < 0.3 ? 0 : ($0 < 0.7 ? 1 : 2) }
        let mc = GradientBoosting.fitClassifier(x: xs, rows: 1000, cols: 1, labels: lab, classes: 3)
        let pm = mc.predictProbabilities(x: [0.1, 0.5, 0.9], rows: 3)
        XCTAssertGreaterThan(pm[0], 0.9); XCTAssertGreaterThan(pm[4], 0.9); XCTAssertGreaterThan(pm[8], 0.9)
    }

    func testBundlingAndSubtractionChangeNothingButSpeed() {
        // One-hot blocks (bundled) beside numeric features, a multiclass target that needs both.
        var rng = SeededGenerator(seed: 9)
        let n = 600, levels = 5
        var x: [Double] = [], y: [Int] = []
        for _ in 0..<n {
            let c = rng.nextInt(below: levels), a = rng.nextNormal(), b = rng.nextUniform()
            var row = [a, b] + [Double](repeating: 0, count: levels) + [Double](repeating: 0, count: 3)
            row[2 + c] = 1
            row[2 + levels + rng.nextInt(below: 3)] = 1
            x += row
            y.append(c % 3 == 0 && a > 0 ? 2 : (b > 0.5 ? 1 : 0))
        }
        let d = 2 + levels + 3
        var plain = GradientBoosting.Options()
        plain.rounds = 30; plain.bundling = false; plain.subtraction = false
        var fast = plain
        fast.bundling = true; fast.subtraction = true
        // The two one-hot blocks are found as bundles (they clash with each other, so they stay two).
        var binned = [UInt8](repeating: 0, count: n * d)
        for f in 2..<d { for i in 0..<n { binned[f * n + i] = x[i * d + f] > 0.5 ? 1 : 0 } }
        let edges = (0..<d).map { $0 < 2 ? [-1.0, 0.0, 1.0] : [0.5] }
        XCTAssertEqual(GradientBoosting.Bundles(binned: binned, edges: edges, n: n, d: d).members, [[2, 3, 4, 5, 6], [7, 8, 9]])
        let p0 = GradientBoosting.fitClassifier(x: x, rows: n, cols: d, labels: y, classes: 3, options: plain).predictProbabilities(x: x, rows: n)
        let p1 = GradientBoosting.fitClassifier(x: x, rows: n, cols: d, labels: y, classes: 3, options: fast).predictProbabilities(x: x, rows: n)
        for i in p0.indices { XCTAssertEqual(p0[i], p1[i], accuracy: 1e-9) }
    }

    func testLogisticKernelPassMatchesTheFormula() {
        // n = 13 leaves a padded block; k = 2 takes the kernel's binary path, k = 3 the general one.
        var rng = SeededGenerator(seed: 4)
        let n = 13, d = 5
        for k in [2, 3] {
            let x = (0..<(n * d)).map { _ in rng.nextNormal() }
            let y = (0..<n).map { _ in rng.nextInt(below: k) }
            let w = (0..<((d + 1) * k)).map { _ in rng.nextNormal() * 0.5 }
            var loss = 0.0, grad = [Double](repeating: 0, count: (d + 1) * k)
            for i in 0..<n {
                var z = (0..<k).map { c in (0..<d).reduce(w[d * k + c]) { $0 + x[i * d + $1] * w[$1 * k + c] } }
                let m = z.max()!
                z = z.map { exp($0 - m) }
                let s = z.reduce(0, +)
                loss -= log(z[y[i]] / s)
                for c in 0..<k {
                    let r = z[c] / s - (c == y[i] ? 1 : 0)
                    for f in 0..<d { grad[f * k + c] += x[i * d + f] * r }
                    grad[d * k + c] += r
                }
            }
            let blocks = (n + 7) / 8
            var xb = [Double](repeating: 0, count: blocks * d * 8)
            for i in 0..<n { for f in 0..<d { xb[((i / 8) * d + f) * 8 + i % 8] = x[i * d + f] } }
            let labels = y.map { Int32($0) } + [Int32](repeating: 0, count: blocks * 8 - n)
            var lanes = [Double](repeating: 0, count: (d + 1) * k * 8), scratch = [Double](repeating: 0, count: 8 * k), kernelLoss = 0.0
            doppel_logistic_pass(xb, Int64(n), Int64(d), Int64(k), w, labels, &lanes, &kernelLoss, &scratch)
            XCTAssertEqual(kernelLoss, loss, accuracy: 1e-10)
            for j in grad.indices { XCTAssertEqual((0..<8).reduce(0.0) { $0 + lanes[j * 8 + $1] }, grad[j], accuracy: 1e-10) }
        }
    }

    func testRidgeMatchesClosedForm() {
        // y = 2x + 1 exactly: ridge with tiny λ recovers it.
        let x: [Double] = [0, 1, 2, 3, 4], y = x.map { 2 * $0 + 1 }
        let m = RidgeRegression.fit(x: x, rows: 5, cols: 1, targets: y, lambda: 0)
        XCTAssertEqual(m.weights[0], 2, accuracy: 1e-6); XCTAssertEqual(m.intercept, 1, accuracy: 1e-6)
    }

    func testLBFGSOnQuadratic() {
        let xmin = LBFGS.minimize(initial: [5, -3], maxIterations: 100) { w in
            ((w[0] - 1) * (w[0] - 1) + 10 * (w[1] + 2) * (w[1] + 2), [2 * (w[0] - 1), 20 * (w[1] + 2)])
        }
        XCTAssertEqual(xmin[0], 1, accuracy: 1e-4); XCTAssertEqual(xmin[1], -2, accuracy: 1e-4)
    }
}
