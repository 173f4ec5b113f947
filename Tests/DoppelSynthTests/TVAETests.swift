import XCTest
import Foundation
@testable import DoppelSynth
@testable import DoppelData
import DoppelMath
import DoppelPrivacy

final class TVAETests: XCTestCase {
    /// A mixture of two well-separated Gaussians: the narrow mode at 10 is one component with the right
    /// weight, mean and spread; the wide N(0, 1) may be covered by several components, as scikit-learn's
    /// BayesianGaussianMixture does with the same settings (4–5 components kept over 3 seeds on such
    /// data, 100 iterations); the components' total weight and mean match.
    /// Values near the top of the Double range (squares overflow) are fitted in units of their largest
    /// magnitude: finite modes, posteriors that sum to 1, and the same modes, scaled, as the unit data.
    func testVariationalMixtureOfHugeValuesIsFinite() {
        var rng = SeededGenerator(seed: 4)
        let unit = (0..<600).map { i in (i % 2 == 0 ? 0.2 : 0.7) + 0.01 * rng.nextNormal() }
        let huge = unit.map { $0 * 1e300 }
        let m = VariationalGaussianMixture.fit(huge, seed: 1)
        XCTAssertTrue(m.means.allSatisfy(\.isFinite) && m.stds.allSatisfy { $0.isFinite && $0 > 0 })
        var p = [Double](repeating: 0, count: m.count)
        m.posterior(huge[0], into: &p)
        XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-9)
        let u = VariationalGaussianMixture.fit(unit.map { $0 * (1e300 / huge.map(abs).max()!) }, seed: 1)
        XCTAssertEqual(m.count, u.count)
    }

    func testVariationalMixtureFindsTwoModes() {
        var rng = SeededGenerator(seed: 3)
        var x: [Double] = []
        for i in 0..<3000 { x.append(i % 3 == 0 ? 10 + 0.5 * rng.nextNormal() : rng.nextNormal()) }
        let m = VariationalGaussianMixture.fit(x, seed: 1)
        XCTAssertLessThanOrEqual(m.count, 10)
        let high = m.weights.indices.filter { m.means[$0] > 5 }, low = m.weights.indices.filter { m.means[$0] <= 5 }
        XCTAssertEqual(high.count, 1, "weights \(m.weights) means \(m.means)")
        XCTAssertEqual(m.means[high[0]], 10, accuracy: 0.1)
        XCTAssertEqual(m.stds[high[0]], 0.5, accuracy: 0.1)
        XCTAssertEqual(m.weights[high[0]], 1.0 / 3, accuracy: 0.03)
        let lowWeight = low.reduce(0) { $0 + m.weights[$1] }
        XCTAssertEqual(lowWeight, 2.0 / 3, accuracy: 0.03)
        XCTAssertEqual(low.reduce(0) { $0 + m.weights[$1] * m.means[$1] } / lowWeight, 0, accuracy: 0.1)
        XCTAssertEqual(m.weights.reduce(0, +), 1, accuracy: 1e-9)
    }

    /// A sentinel (one 99999 among values near 6.5) or a heavy tail does not widen the modes: the variance
    /// prior is the robust scale's square, so the main mode keeps the data's spread, and a small mode of a
    /// heavy-tailed column keeps its own.
    func testVariationalMixtureIgnoresSentinelsAndTails() {
        var rng = SeededGenerator(seed: 5)
        let x = (0..<999).map { _ in 6.5 + 0.8 * rng.nextNormal() } + [99999]
        let m = VariationalGaussianMixture.fit(x, seed: 1)
        let main = m.weights.indices.filter { m.means[$0] < 100 }
        XCTAssertEqual(main.reduce(0) { $0 + m.weights[$1] }, 1, accuracy: 0.01)
        XCTAssertTrue(main.allSatisfy { m.stds[$0] < 1.2 }, "stds \(m.stds) means \(m.means)")
        // 89% of values near 5 (spread 1), 10% near 0.02 (spread 0.01), 1% far out, to 500
        let tail = (0..<2000).map { i -> Double in
            i % 100 == 0 ? 100 + 400 * rng.nextUniform() : i % 10 == 1 ? abs(0.02 + 0.01 * rng.nextNormal()) : 5 + rng.nextNormal()
        }
        let t = VariationalGaussianMixture.fit(tail, seed: 1)
        let low = t.weights.indices.filter { t.means[$0] < 0.5 }
        XCTAssertEqual(low.count, 1, "means \(t.means)")
        XCTAssertTrue(low.allSatisfy { t.stds[$0] < 0.4 }, "stds \(t.stds) means \(t.means)")
    }

    func testDigamma() {
        XCTAssertEqual(digamma(1), -0.5772156649015329, accuracy: 1e-12)
        XCTAssertEqual(digamma(0.5), -1.9635100260214235, accuracy: 1e-12)
        XCTAssertEqual(digamma(10), 2.251752589066721, accuracy: 1e-12)
    }

    func twoGroups(rows n: Int) throws -> Table {
        var rng = SeededGenerator(seed: 9)
        var lines = ["id,group,value,score"]
        for i in 0..<n {
            let g = i % 2 == 0 ? "a" : "b"
            let v = (g == "a" ? 20.0 : 80.0) + 5 * rng.nextNormal()
            let s = i % 7 == 0 ? "" : String(format: "%.1f", v / 10 + rng.nextNormal())
            lines.append("\(1000 + i),\(g),\(Int(v.rounded())),\(s)")
        }
        return try table(csv: lines)
    }

    /// Encoding then decoding the exact one-hots gives back every value (numbers to within the
    /// column's rounding, categories and missing cells exactly), with missing values as one more mode
    /// and in the older layout (a (present, missing) one-hot), which model files without
    /// `missingAsMode` are read with.
    func testEncoderRoundTrip() throws {
        let t = try twoGroups(rows: 300)
        let fitted = try TabularEncoder.fit(t, privately: false, seed: 1)
        XCTAssertTrue(fitted.missingAsMode)
        var legacy = fitted
        legacy.missingAsMode = false
        XCTAssertEqual(legacy.width, fitted.width + 1, "score has missing values: a 2-way span instead of one more mode")
        for enc in [fitted, legacy] {
            var rng = SeededGenerator(seed: 2)
            let y = enc.encode(t, rng: &rng)
            XCTAssertEqual(y.cols, enc.width)
            // Every softmax span of every row is one-hot.
            for span in enc.spans { if case .softmax(let start, let w) = span {
                for i in 0..<y.rows { XCTAssertEqual((0..<w).reduce(Float(0)) { $0 + y[i, start + $1] }, 1) }
            } }
            let back = enc.decode(y, schema: t.schema, rng: &rng)
            for j in 1..<4 {
                switch (back[j], t.columns[j].values) {
                case (.numeric(let a), .numeric(let b)):
                    XCTAssertTrue(b.contains { $0.isNaN } || j != 3, "the fixture's score has missing values")
                    for i in 0..<t.rowCount {
                        if b[i].isNaN { XCTAssertTrue(a[i].isNaN) } else { XCTAssertEqual(a[i], b[i], accuracy: 0.051) }
                    }
                case (.categorical(let a, _), .categorical(let b, _)): XCTAssertEqual(a, b)
                default: XCTFail("column \(j) changed kind")
                }
            }
        }
        // Model files written before missing became a mode have no `missingAsMode` key.
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(fitted)) as! [String: Any]
        XCTAssertEqual(json["missingAsMode"] as? Bool, true)
        json.removeValue(forKey: "missingAsMode")
        XCTAssertEqual(try JSONDecoder().decode(TabularEncoder.self, from: JSONSerialization.data(withJSONObject: json)), legacy)
    }

    func smallOptions(epochs: Int = 60) -> NeuralOptions {
        var o = NeuralOptions()
        o.epochs = epochs; o.batchSize = 100; o.embeddingDim = 8; o.layers = [32, 32]; o.learningRate = 5e-3
        return o
    }

    /// TVAE learns the planted dependency (value ≈ 20 in group a, ≈ 80 in group b), keeps the missing
    /// share of `score`, and is deterministic; the model file round-trips.
    func testLearnsPlantedDependency() throws {
        let t = try twoGroups(rows: 400)
        let (model, ledger) = try TVAE.fit(t, options: smallOptions(), seed: 4)
        XCTAssertNil(ledger)
        let sample = Sampling.table(try model.sampler(), total: 2000, seed: 5)
        guard case .categorical(let g, let levels) = sample.columns[1].values, case .numeric(let v) = sample.columns[2].values,
              case .numeric(let s) = sample.columns[3].values else { return XCTFail() }
        var sums = [0.0, 0.0], counts = [0.0, 0.0]
        for i in 0..<sample.rowCount where g[i] >= 0 { sums[Int(g[i])] += v[i]; counts[Int(g[i])] += 1 }
        let a = levels.firstIndex(of: "a")!, b = 1 - a
        XCTAssertGreaterThan(counts[a], 600); XCTAssertGreaterThan(counts[b], 600)
        XCTAssertEqual(sums[a] / counts[a], 20, accuracy: 8)
        XCTAssertEqual(sums[b] / counts[b], 80, accuracy: 8)
        let missing = Double(s.filter(\.isNaN).count) / Double(s.count)
        XCTAssertEqual(missing, 1.0 / 7, accuracy: 0.08)

        let (again, _) = try TVAE.fit(t, options: smallOptions(), seed: 4)
        XCTAssertEqual(again, model, "same seed, same model")
        let file = ModelFile(model: .tvae(model), provenance: Provenance(trainingSHA256: String(repeating: "a", count: 64), trainingRows: t.rowCount, synthesizer: "tvae", seed: 4, fitSeconds: 0))
        let decoded = try ModelFile.decode(try file.encoded(), path: "m.doppel")
        XCTAssertEqual(decoded.model, .tvae(model))
    }

    /// The two-core step hands each half its own rows' one-hot targets, and the summed gradient of the
    /// halves equals the gradient of the two halves computed one after the other on one network.
    func testHalvesGetTheirRowsTargets() throws {
        let t = try twoGroups(rows: 300)
        let enc = try TabularEncoder.fit(t, privately: false, seed: 1)
        var rng = SeededGenerator(seed: 2)
        let data = enc.encode(t, rng: &rng)
        let targets = TVAENetwork.oneHotTargets(data, spans: enc.spans)
        XCTAssertGreaterThan(Set(targets).count, 1, "the fixture has categories in more than one position")
        var initRng = SeededGenerator(seed: 3)
        let net = TVAENetwork(width: enc.width, hidden: [12], embedding: 3, rng: &initRng)
        var spare = SeededGenerator(seed: 0)
        let replica = TVAENetwork(width: enc.width, hidden: [12], embedding: 3, rng: &spare)
        let rows = rng.permutation(data.rows).prefix(200).map { $0 }
        let seen = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 2)
        defer { seen.deallocate() }
        seen.initialize(repeating: false)
        let flags = UncheckedSendable(seen)
        var stepRng = SeededGenerator(seed: 5)
        for p in net.parameters { p.zeroGradient() }
        _ = TVAENetwork.parallel([net, replica], rows: rows, data: data, targets: targets, rng: &stepRng) { network, x, t, r in
            flags.value[network === net ? 0 : 1] = t == TVAENetwork.oneHotTargets(x, spans: enc.spans)
            return network.step(x, targets: t, spans: enc.spans, batchSize: rows.count, rng: &r)
        }
        XCTAssertEqual(Array(seen), [true, true], "each half's targets are its rows' targets")
        let together = net.parameters.map(\.gradient.values)
        // The same halves, one after the other, with the streams `parallel` gives them.
        var seeds = SeededGenerator(seed: 5)
        let streams = [seeds.next(), seeds.next()]
        for p in net.parameters { p.zeroGradient() }
        for (h, part) in [Array(rows[..<100]), Array(rows[100...])].enumerated() {
            var r = SeededGenerator(seed: streams[h], stream: 0x68616c66)
            _ = net.step(data.gatherRows(part), spans: enc.spans, batchSize: rows.count, rng: &r)
        }
        for (a, b) in zip(together, net.parameters.map(\.gradient.values)) {
            for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: 1e-5 * max(1, abs(v))) }
        }
    }

    /// The hand-derived gradient of TVAE's loss (reconstruction with learned scales, cross-entropy,
    /// KL) against central finite differences, for a sample of every parameter tensor; the code's
    /// noise is the same in every evaluation (same seed).
    func testLossGradientMatchesFiniteDifferences() throws {
        let t = try twoGroups(rows: 40)
        let enc = try TabularEncoder.fit(t, privately: false, seed: 1)
        var rng = SeededGenerator(seed: 2)
        let x = enc.encode(t, rng: &rng)
        var initRng = SeededGenerator(seed: 3)
        let net = TVAENetwork(width: enc.width, hidden: [12], embedding: 3, rng: &initRng)
        for (k, _) in net.sigma.value.values.enumerated() { net.sigma.value.values[k] = 0.3 + 0.01 * Float(k) }
        func loss() -> Double { var r = SeededGenerator(seed: 9); return net.step(x, spans: enc.spans, rng: &r) }
        for p in net.parameters { p.zeroGradient() }
        _ = loss()
        let analytic = net.parameters.map(\.gradient)
        let h: Float = 1e-2
        var checked = 0, agreed = 0
        for (k, p) in net.parameters.enumerated() {
            var tensorChecked = 0, tensorAgreed = 0
            var disagreements: [String] = []   // shown only when the tensor fails (kinks make a few expected)
            defer { XCTAssertGreaterThanOrEqual(Double(tensorAgreed), 0.75 * Double(tensorChecked), "\(p.name): \(tensorAgreed) of \(tensorChecked); \(disagreements.joined(separator: "; "))") }
            for i in stride(from: 0, to: p.value.count, by: max(1, p.value.count / 12)) {
                let numeric = p.centralDifference(at: i, h: h, loss)
                checked += 1; tensorChecked += 1
                if abs(numeric - Double(analytic[k].values[i])) <= 3e-2 * max(0.1, abs(numeric)) { agreed += 1; tensorAgreed += 1 }
                else { disagreements.append("[\(i)] analytic \(analytic[k].values[i]) numeric \(numeric)") }
            }
        }
        // A step of h moves some of the 40 rows' pre-activations across a ReLU kink (layers before a
        // ReLU then differ by a few %); a wrong factor in the loss's gradient would fail a whole tensor.
        XCTAssertGreaterThanOrEqual(Double(agreed), 0.9 * Double(checked), "\(agreed) of \(checked)")
    }

    /// DP-SGD's clipped sum: with a clipping norm no row reaches and no noise it equals the ordinary
    /// batch-mean gradient (so the per-sample norms and weighted accumulation are right end to end);
    /// with a tiny norm every row contributes at most C, so the whole update is at most C·rows/B.
    func testPrivateStepClipsPerRow() throws {
        let t = try twoGroups(rows: 50)
        let enc = try TabularEncoder.fit(t, privately: true, seed: 1)
        var rng = SeededGenerator(seed: 2)
        let x = enc.encode(t, rng: &rng)
        var initRng = SeededGenerator(seed: 3)
        let net = TVAENetwork(width: enc.width, hidden: [16], embedding: 4, rng: &initRng)
        func grads(_ body: () -> Void) -> [Float] {
            for p in net.parameters { p.zeroGradient() }
            body()
            return net.parameters.flatMap { $0.gradient.values }
        }
        var r1 = SeededGenerator(seed: 9), r2 = SeededGenerator(seed: 9), r3 = SeededGenerator(seed: 9)
        let plain = grads { _ = net.step(x, spans: enc.spans, rng: &r1) }
        let clipped = grads { _ = net.privateStep(x, spans: enc.spans, clip: 1e9, expectedBatch: Float(x.rows), rng: &r2) }
        XCTAssertEqual(plain.count, clipped.count)
        var worst: Float = 0
        for (a, b) in zip(plain, clipped) { worst = max(worst, abs(a - b) / max(1, abs(a))) }
        XCTAssertLessThan(worst, 1e-3)
        let tiny = grads { _ = net.privateStep(x, spans: enc.spans, clip: 1e-3, expectedBatch: 10, rng: &r3) }
        let norm = tiny.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        XCTAssertLessThanOrEqual(norm, 1e-3 * Float(x.rows) / 10 * 1.0001)
        XCTAssertGreaterThan(norm, 0)
    }

    /// DP-SGD: the noise is calibrated so the ledger's (ε, δ) stays within the budget; nonsensical
    /// budgets are refused.
    func testPrivateTrainingIsAccounted() throws {
        let t = try twoGroups(rows: 300)
        var o = smallOptions(epochs: 5)
        o.epsilon = 2; o.delta = 1e-4
        let (model, ledger) = try TVAE.fit(t, options: o, seed: 4)
        let l = try XCTUnwrap(ledger)
        XCTAssertEqual(l.accounting, .renyi)
        XCTAssertLessThanOrEqual(l.guarantee.epsilon, 2)
        XCTAssertGreaterThan(l.guarantee.epsilon, 1.99)
        XCTAssertEqual(l.guarantee.delta, 1e-4)
        // Private identifiers are numbered, not learned.
        let sample = Sampling.table(try model.sampler(), total: 3, seed: 1)
        guard case .text(let ids) = sample.columns[0].values else { return XCTFail() }
        XCTAssertEqual(ids, ["1", "2", "3"])
        // Columns the schema declares never missing (missingRate 0, public) get no missing cells, however
        // noisy the training (a new-user trial saw 30% missing cells in a column that had none).
        XCTAssertEqual(t.schema.columns.map { $0.missingRate == 0 }, [true, true, true, false])   // score is sometimes missing
        let many = Sampling.table(try model.sampler(), total: 2000, seed: 2)
        for (spec, column) in zip(many.schema.columns, many.columns).dropFirst() where spec.missingRate == 0 {
            switch column.values {
            case .numeric(let v): XCTAssertFalse(v.contains { $0.isNaN }, spec.name)
            case .categorical(let c, _): XCTAssertFalse(c.contains { $0 < 0 }, spec.name)
            default: break
            }
        }

        for (eps, delta) in [(0.0, 1e-5), (-1, 1e-5), (1, 0.01), (1, 0)] {
            var bad = smallOptions(epochs: 1); bad.epsilon = eps; bad.delta = delta
            XCTAssertThrowsError(try TVAE.fit(t, options: bad, seed: 1), "ε=\(eps) δ=\(delta)")
        }
    }

    /// The stopping rule: a new best only below the best by more than the relative margin, a stop once
    /// `patience` epochs have passed without one; a non-finite loss is never a best.
    func testEarlyStoppingRule() {
        var rule = EarlyStopping(patience: 2)
        XCTAssertTrue(rule.record(.nan, epoch: 0) == (false, false))
        var diverged = EarlyStopping(patience: 1)
        for e in 0..<5 { XCTAssertTrue(diverged.record(.infinity, epoch: e) == (false, false), "no stop without a finite best") }
        XCTAssertTrue(rule.record(100, epoch: 1) == (true, false))
        XCTAssertTrue(rule.record(99.995, epoch: 2) == (false, false), "a decrease of 5e-5 relative is not an improvement")
        XCTAssertTrue(rule.record(99, epoch: 3) == (true, false))
        XCTAssertTrue(rule.record(99.5, epoch: 4) == (false, false))
        XCTAssertTrue(rule.record(99.2, epoch: 5) == (false, true))
        XCTAssertEqual(rule.bestEpoch, 3); XCTAssertEqual(rule.best, 99)
        // Near zero the margin is absolute (1e-4): the loss may be negative.
        var small = EarlyStopping(patience: 1)
        XCTAssertTrue(small.record(-0.5, epoch: 0).improved)
        XCTAssertFalse(small.record(-0.50005, epoch: 1).improved)
        XCTAssertTrue(small.record(-0.6, epoch: 2).improved)
    }

    /// The held-out rows: a seeded tenth, disjoint from the training rows, together all rows in order.
    func testEarlyStoppingSplit() {
        let (train, held) = EarlyStopping.split(rows: 1234, seed: 7)
        XCTAssertEqual(held.count, 123)
        XCTAssertEqual((train + held).sorted(), Array(0..<1234))
        XCTAssertEqual(train, train.sorted()); XCTAssertEqual(held, held.sorted())
        XCTAssertTrue(EarlyStopping.split(rows: 1234, seed: 7) == (train, held))
        XCTAssertFalse(EarlyStopping.split(rows: 1234, seed: 8).heldOut == held)
    }

    /// Early stopping keeps the best epoch's weights. A fit that ran past its best epoch b and a fit of
    /// exactly b epochs (same seed and patience, so the same rows held out and the same trajectory) store
    /// the same decoder — so the weights kept are epoch b's, and checking the held-out loss changes
    /// nothing in training. The record says what happened, and round-trips through the model file.
    func testEarlyStoppingKeepsTheBestEpoch() throws {
        let t = try twoGroups(rows: 400)
        var options = smallOptions(epochs: 120)
        options.patience = 3
        let (stopped, _) = try TVAE.fit(t, options: options, seed: 4)
        let record = try XCTUnwrap(stopped.earlyStop)
        XCTAssertEqual(record.trainingRows, 360); XCTAssertEqual(record.heldOutRows, 40)
        XCTAssertTrue(record.stoppedEarly, "120 epochs on 400 rows: the held-out loss stops improving (\(record))")
        XCTAssertEqual(record.epochsTrained, record.bestEpoch + 3)
        XCTAssertEqual(stopped.epochs, record.bestEpoch)
        XCTAssertTrue(record.bestLoss.isFinite)

        options.epochs = record.bestEpoch
        let (exact, _) = try TVAE.fit(t, options: options, seed: 4)
        XCTAssertEqual(exact.earlyStop?.bestEpoch, record.bestEpoch)
        XCTAssertFalse(exact.earlyStop!.stoppedEarly)
        XCTAssertEqual(exact.decoder, stopped.decoder, "the kept weights are those after epoch \(record.bestEpoch)")
        XCTAssertEqual(exact.sigmas, stopped.sigmas)

        // One epoch more than the best, with a patience too long to stop: the last epoch's weights
        // differ, and the best epoch's are kept all the same.
        options.epochs = record.bestEpoch + 1; options.patience = 50
        let (past, _) = try TVAE.fit(t, options: options, seed: 4)
        XCTAssertEqual(past.earlyStop?.epochsTrained, record.bestEpoch + 1)
        XCTAssertEqual(past.decoder, stopped.decoder)

        let file = ModelFile(model: .tvae(stopped), provenance: Provenance(trainingSHA256: String(repeating: "a", count: 64), trainingRows: t.rowCount, synthesizer: "tvae", seed: 4, fitSeconds: 0))
        XCTAssertEqual(try ModelFile.decode(try file.encoded(), path: "m.doppel").model.earlyStop, record)
    }

    /// Early stopping is refused where it cannot be sound: under DP (the held-out loss reads rows outside
    /// the budget), on tiny tables, with a patience below 1, and for CTGAN.
    func testEarlyStoppingRefusals() throws {
        let t = try twoGroups(rows: 400)
        for (patience, epsilon) in [(0, nil), (5, 3.0)] as [(Int, Double?)] {
            var o = smallOptions(epochs: 2); o.patience = patience; o.epsilon = epsilon
            XCTAssertThrowsError(try TVAE.fit(t, options: o, seed: 1))
        }
        var o = smallOptions(epochs: 2); o.patience = 5
        XCTAssertThrowsError(try TVAE.fit(try twoGroups(rows: 150), options: o, seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("at least 200 rows"), "\(error)")
        }
        XCTAssertThrowsError(try CTGAN.fit(t, options: o, seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("tvae only"), "\(error)")
        }
    }
}
