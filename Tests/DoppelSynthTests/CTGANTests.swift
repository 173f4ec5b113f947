import XCTest
import Foundation
@testable import DoppelSynth
@testable import DoppelData
@testable import DoppelNeural
import DoppelMath

extension Parameter {
    /// The central finite difference (f(v + h) − f(v − h)) / 2h of `f` in entry `i` of this parameter's
    /// value, which is restored afterwards (the gradient checks of TVAE's loss and CTGAN's penalty).
    func centralDifference(at i: Int, h: Float, _ f: () -> Double) -> Double {
        let v = value.values[i]
        value.values[i] = v + h; let up = f()
        value.values[i] = v - h; let down = f()
        value.values[i] = v
        return (up - down) / Double(2 * h)
    }
}

final class CTGANTests: XCTestCase {
    /// Compares each parameter's gradient (computed by one call of `loss`, from zeroed gradients) with
    /// central finite differences of `loss` (h = 1e-3, tolerance 2% of max(1, |numeric|)); returns how
    /// many entries agree, how many were checked, and the first disagreements.
    func finiteDifferenceAgreement(_ parameters: [Parameter], _ loss: () -> Double) -> (agreed: Int, checked: Int, disagreements: [String]) {
        for p in parameters { p.zeroGradient() }
        _ = loss()
        let analytic = parameters.map(\.gradient)
        var checked = 0, agreed = 0, disagreements: [String] = []
        for (k, p) in parameters.enumerated() {
            for i in 0..<p.value.count {
                let numeric = p.centralDifference(at: i, h: 1e-3, loss)
                checked += 1
                if abs(numeric - Double(analytic[k].values[i])) <= 2e-2 * max(1, abs(numeric)) { agreed += 1 }
                else if disagreements.count < 5 { disagreements.append("\(p.name)[\(i)]: analytic \(analytic[k].values[i]) numeric \(numeric)") }
            }
        }
        for (p, g) in zip(parameters, analytic) { p.gradient = g }
        return (agreed, checked, disagreements)
    }

    /// The critic's gradient-penalty gradient (derived by hand for the piecewise-linear critic; DP-CTGAN's
    /// path, here with equal row weights 1/n) against central finite differences of the penalty, for
    /// every weight matrix; the random interpolation weights and dropout masks are the same in every
    /// evaluation (same seed).
    /// A network too large because the encoded rows are wide (many categories) is refused with advice
    /// about the data, not about --layers alone; one too large by its options, with the options.
    func testOversizedNetworkAdviceNamesItsCause() {
        let rowWidth = 80_000
        XCTAssertThrowsError(try NeuralOptions.checkSize(layers: [(CTGAN.pac * rowWidth, 256), (256, 256), (256, 1)], batch: 500,
                                                         widest: CTGAN.pac * rowWidth, rowWidth: rowWidth, optionWidest: 128 + 512)) {
            XCTAssertTrue("\($0)".contains("80000 columns wide") && "\($0)".contains("identifiers"), "\($0)")
        }
        XCTAssertThrowsError(try NeuralOptions.checkSize(layers: [(40, 8_192)] + Array(repeating: (8_192, 8_192), count: 4), batch: 500,
                                                         widest: 8_192, rowWidth: 40, optionWidest: 8_192)) {
            XCTAssertTrue("\($0)".contains("lower --layers or --embedding-dim") && !"\($0)".contains("columns wide"), "\($0)")
        }
        XCTAssertNoThrow(try NeuralOptions.checkSize(layers: [(4_970, 256), (256, 256), (256, 1)], batch: 500, widest: 4_970, rowWidth: 497, optionWidest: 640))
    }

    func testGradientPenaltyGradient() {
        var rng = SeededGenerator(seed: 1)
        let critic = CTGANDiscriminator(inputs: 6, widths: [5, 4], dropout: 0.25, rng: &rng)
        var real = DoppelNeural.Matrix(rows: 4, cols: 6), fake = real
        for i in 0..<real.count { real.values[i] = Float(rng.nextNormal()); fake.values[i] = Float(rng.nextNormal()) }
        func penalty() -> Double {
            var r = SeededGenerator(seed: 77)
            let (value, grads) = critic.gradientPenaltyAndGradient(real: real, fake: fake, lambda: 10, rng: &r) { _ in
                [Float](repeating: 1 / Float(real.rows), count: real.rows)
            }
            critic.addPenaltyGradient(grads)
            return value
        }
        let (agreed, checked, disagreements) = finiteDifferenceAgreement(critic.parameters, penalty)
        // A perturbation can push a pre-activation across LeakyReLU's kink, where the penalty is not
        // differentiable; allow a few such entries, no more.
        XCTAssertGreaterThanOrEqual(Double(agreed), 0.97 * Double(checked), "\(agreed) of \(checked) agree; \(disagreements)")
        // Biases do not enter the penalty.
        XCTAssertEqual(critic.parameters.filter { $0.name.hasSuffix(".bias") }.map { $0.gradient.squaredNorm }.max(), 0)
    }

    /// The fused critic step (loss and penalty through one batch, weight gradients as one product per
    /// layer) against central finite differences of its own loss mean D(fake) − mean D(real) + penalty,
    /// for every weight and bias; same seed, so the same interpolation weights and dropout masks.
    func testCriticStepGradient() {
        var rng = SeededGenerator(seed: 2)
        let critic = CTGANDiscriminator(inputs: 7, widths: [6, 5], dropout: 0.25, rng: &rng)
        var real = DoppelNeural.Matrix(rows: 5, cols: 7), fake = real
        for i in 0..<real.count { real.values[i] = Float(rng.nextNormal()); fake.values[i] = Float(rng.nextNormal()) }
        func loss() -> Double {
            var r = SeededGenerator(seed: 78)
            let (meanReal, meanFake, penalty) = critic.step(real: real, fake: fake, lambda: 10, rng: &r)
            XCTAssertGreaterThan(penalty, 0)
            return meanFake - meanReal + penalty
        }
        let (agreed, checked, disagreements) = finiteDifferenceAgreement(critic.parameters, loss)
        // As above: a few entries may straddle LeakyReLU's kink.
        XCTAssertGreaterThanOrEqual(Double(agreed), 0.97 * Double(checked), "\(agreed) of \(checked) agree; \(disagreements)")
        XCTAssertGreaterThan(critic.parameters.map(\.gradient.squaredNorm).min() ?? 0, 0, "every parameter gets a gradient")
    }

    func twoGroups(rows n: Int) throws -> Table {
        var rng = SeededGenerator(seed: 9)
        var lines = ["id,group,value,kind"]
        for i in 0..<n {
            let g = i % 4 == 0 ? "rare" : "common"
            let v = (g == "rare" ? 80.0 : 20.0) + 5 * rng.nextNormal()
            lines.append("\(1000 + i),\(g),\(Int(v.rounded())),\(["x", "y", "z"][i % 3])")
        }
        return try table(csv: lines)
    }

    /// A short fit learns the group sizes and the value shift; conditioning through c serves
    /// `group=rare`; the fit is deterministic and the model file round-trips.
    func testFitSampleAndCondition() throws {
        let t = try twoGroups(rows: 400)
        var o = NeuralOptions()
        o.epochs = 80; o.batchSize = 100; o.embeddingDim = 16; o.layers = [32, 32]; o.learningRate = 2e-3
        let (model, none) = try CTGAN.fit(t, options: o, seed: 3)
        XCTAssertNil(none)
        let sample = Sampling.table(try FittedModel.ctgan(model).sampler(conditions: []), total: 1000, seed: 4)
        guard case .categorical(let g, let levels) = sample.columns[1].values else { return XCTFail() }
        let rare = Int32(levels.firstIndex(of: "rare")!)
        let share = Double(g.filter { $0 == rare }.count) / Double(g.count)
        XCTAssertEqual(share, 0.25, accuracy: 0.12)

        let conditioned = Sampling.table(try FittedModel.ctgan(model).sampler(conditions: [try Condition.parse("group=rare")]), total: 300, seed: 5)
        guard case .categorical(let cg, _) = conditioned.columns[1].values, case .numeric(let v) = conditioned.columns[2].values else { return XCTFail() }
        XCTAssertEqual(conditioned.rowCount, 300)
        XCTAssertTrue(cg.allSatisfy { $0 == rare })
        XCTAssertGreaterThan(v.reduce(0, +) / Double(v.count), 50, "rare rows carry the higher values")

        let (again, _) = try CTGAN.fit(t, options: o, seed: 3)
        XCTAssertEqual(again, model)
        let file = ModelFile(model: .ctgan(model), provenance: Provenance(trainingSHA256: String(repeating: "a", count: 64), trainingRows: t.rowCount, synthesizer: "ctgan", seed: 3, fitSeconds: 0))
        XCTAssertEqual(try ModelFile.decode(try file.encoded(), path: "m.doppel").model, .ctgan(model))
        // Conditioning fields that do not fit together are refused when a sampler is made, not indexed with.
        var damaged = [model, model, model, model]
        damaged[0].targetCondition = 2
        damaged[1].conditionFrequencies[1] = [1]
        damaged[2].conditionColumns[1].dataStart = model.encoder.width
        damaged[3].conditionFrequencies[0] = damaged[3].conditionFrequencies[0].map { _ in 0 }
        for (k, bad) in damaged.enumerated() {
            XCTAssertThrowsError(try FittedModel.ctgan(bad).sampler(conditions: []), "case \(k)") { e in
                guard case .badModel(_, let message)? = e as? DoppelError else { return XCTFail("\(e)") }
                XCTAssertTrue(message.hasPrefix("ctgan conditioning: "), message)
            }
            // Reading such a file (its checksum made to match) refuses it, naming the file.
            let written = try ModelFile(model: .ctgan(bad), provenance: file.provenance).encoded()
            XCTAssertThrowsError(try ModelFile.decode(written, path: "bad.doppel")) { e in
                guard case .badModel(let path, let message)? = e as? DoppelError else { return XCTFail("\(e)") }
                XCTAssertEqual(path, "bad.doppel"); XCTAssertTrue(message.hasPrefix("ctgan conditioning: "), message)
            }
        }
        // So are an encoder that does not fit the schema and identifier generators that do not.
        var encoders = [model, model, model]
        guard case .numeric(let mix, let missing, let fill) = model.encoder.columns[2] else { return XCTFail("value is numeric") }
        var shortMix = mix
        shortMix.stds.removeLast()
        encoders[0].encoder.columns[2] = .numeric(mixture: shortMix, missing: missing, fill: fill)
        encoders[1].encoder.columns[1] = .categorical(levels: 5, missing: false)
        encoders[2].identifiers.removeLast()
        for (k, bad) in encoders.enumerated() {
            XCTAssertThrowsError(try ModelFile.decode(try ModelFile(model: .ctgan(bad), provenance: file.provenance).encoded(), path: "enc.doppel"), "case \(k)") { e in
                guard case .badModel(let path, let message)? = e as? DoppelError else { return XCTFail("\(e)") }
                XCTAssertEqual(path, "enc.doppel"); XCTAssertTrue(message.hasPrefix(k < 2 ? "encoder: column" : "identifier generators"), message)
            }
        }
        // A weight matrix with fewer values than its shape says is refused when the file is read (the
        // kernels would read past its end).
        var short = model
        short.generator.values[0].values.removeLast(5)
        XCTAssertThrowsError(try ModelFile.decode(try ModelFile(model: .ctgan(short), provenance: file.provenance).encoded(), path: "short.doppel")) { e in
            guard case .badModel(let path, let message)? = e as? DoppelError else { return XCTFail("\(e)") }
            XCTAssertEqual(path, "short.doppel"); XCTAssertTrue(message.contains("values for a"), message)
            // in a few words: what was wrong and where, not Swift's DecodingError dump
            XCTAssertTrue(message.hasSuffix(" at model.ctgan._0.generator.values[0].values"), message)
        }
    }

    /// With a categorical target, training draws the target as c's column in half of the rows plus its
    /// uniform share (here 1/2 + 1/4 of 2 columns), without one each column equally often; the model
    /// records the target (not a numeric one), sampling conditions every row on it with the observed
    /// frequencies, and a model file without the field samples as before.
    func testTargetConditioning() throws {
        var t = try twoGroups(rows: 400)
        let group = try XCTUnwrap(t.schema.index(of: "group"))
        let encoder = try TabularEncoder.fit(t, privately: false, seed: 1)
        var rng = SeededGenerator(seed: 2)
        let data = encoder.encode(t, rng: &rng)
        for (target, expected) in [(nil, 0.5), (group, 0.75)] as [(Int?, Double)] {
            let space = ConditionSpace(encoder: encoder, data: data, target: target)
            XCTAssertEqual(space.columns.map(\.column), [1, 3], "group and kind")
            let chosen = space.sampleTraining(20_000, rng: &rng).2
            XCTAssertEqual(Double(chosen.filter { space.columns[$0.0].column == group }.count) / 20_000, expected, accuracy: 0.015)
        }
        XCTAssertNil(ConditionSpace(encoder: encoder, data: data, target: 2).target, "a numeric target is no conditioning column")

        t.schema.columns[group].roles.append(.target)
        var o = NeuralOptions()
        o.epochs = 40; o.batchSize = 100; o.embeddingDim = 16; o.layers = [32, 32]; o.learningRate = 2e-3
        let (model, _) = try CTGAN.fit(t, options: o, seed: 3)
        XCTAssertEqual(model.targetCondition, 0)
        // Every row's c is on the target, drawn with the observed shares (1/4 rare): the generator
        // reproduces its condition (the cross-entropy term), so the sample's shares follow.
        let sample = Sampling.table(try FittedModel.ctgan(model).sampler(conditions: []), total: 2000, seed: 4)
        guard case .categorical(let g, let levels) = sample.columns[1].values else { return XCTFail() }
        let rare = Int32(levels.firstIndex(of: "rare")!)
        XCTAssertEqual(Double(g.filter { $0 == rare }.count) / 2000, 0.25, accuracy: 0.04)
        var legacy = model
        legacy.targetCondition = nil
        let old = Sampling.table(try FittedModel.ctgan(legacy).sampler(conditions: []), total: 2000, seed: 4)
        XCTAssertNotEqual(old, sample, "without the field, c's column is drawn uniformly, as before")
        let file = ModelFile(model: .ctgan(model), provenance: Provenance(trainingSHA256: String(repeating: "a", count: 64), trainingRows: t.rowCount, synthesizer: "ctgan", seed: 3, fitSeconds: 0))
        XCTAssertEqual(try ModelFile.decode(try file.encoded(), path: "m.doppel").model, .ctgan(model))
    }

    /// DP-CTGAN: the category counts and the critic's DP-SGD compose within (ε, δ); the private fit
    /// still samples and serves a condition.
    func testPrivateFitIsAccounted() throws {
        let t = try twoGroups(rows: 300)
        var o = NeuralOptions()
        o.epochs = 4; o.batchSize = 100; o.embeddingDim = 8; o.layers = [16, 16]; o.epsilon = 2; o.delta = 1e-4
        let (model, ledger) = try CTGAN.fit(t, options: o, seed: 3)
        let l = try XCTUnwrap(ledger)
        XCTAssertEqual(l.entries.count, 2)
        XCTAssertLessThanOrEqual(l.guarantee.epsilon, 2)
        XCTAssertGreaterThan(l.guarantee.epsilon, 1.99)
        let s = Sampling.table(try FittedModel.ctgan(model).sampler(conditions: [try Condition.parse("group=rare")]), total: 50, seed: 1)
        XCTAssertEqual(s.rowCount, 50)
        guard case .text(let ids) = s.columns[0].values else { return XCTFail() }
        XCTAssertEqual(ids.prefix(2), ["1", "2"])
    }
}
