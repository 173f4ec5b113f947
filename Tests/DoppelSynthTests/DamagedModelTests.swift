import XCTest
import Foundation
@testable import DoppelSynth
@testable import DoppelData
import DoppelMath

/// Model files that other code wrote, or that were edited and resealed, are refused when read — naming
/// the file — when their parts do not fit together, instead of stopping the sampler at an array index.
/// (CART, TVAE and CTGAN have their own cases beside their tests.)
final class DamagedModelTests: XCTestCase {
    let provenance = Provenance(trainingSHA256: String(repeating: "a", count: 64), trainingRows: 500, synthesizer: "test", seed: 1, fitSeconds: 0)

    func assertRefused(_ models: [FittedModel], prefix: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for (k, model) in models.enumerated() {
            let bytes = try ModelFile(model: model, provenance: provenance).encoded()
            XCTAssertThrowsError(try ModelFile.decode(bytes, path: "bad.doppel"), "case \(k + 1)", file: file, line: line) { e in
                guard case .badModel(let path, let message)? = e as? DoppelError else { return XCTFail("case \(k + 1): \(e)", file: file, line: line) }
                XCTAssertEqual(path, "bad.doppel", file: file, line: line)
                XCTAssertTrue(message.hasPrefix(prefix), "case \(k + 1): \(message)", file: file, line: line)
            }
        }
    }

    func assertAccepted(_ model: FittedModel, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertNoThrow(try ModelFile.decode(try ModelFile(model: model, provenance: provenance).encoded(), path: "good.doppel"), file: file, line: line)
    }

    /// A file cut inside its header says so (it does start like a model file).
    func testTruncatedHeader() throws {
        let m = try GaussianCopula.fit(try plantedTable(rows: 200), seed: 1)
        let bytes = try ModelFile(model: .gaussianCopula(m), provenance: provenance).encoded()
        XCTAssertThrowsError(try ModelFile.decode(bytes.prefix(40), path: "cut.doppel")) { e in
            XCTAssertEqual(e as? DoppelError, .badModel(path: "cut.doppel", message: "model file is truncated (it ends inside its header)"))
        }
    }

    func testGaussianCopula() throws {
        let t = try plantedTable(rows: 500)
        let m = try GaussianCopula.fit(t, seed: 1)
        try assertAccepted(.gaussianCopula(m))
        let age = try XCTUnwrap(t.schema.index(of: "age")), sex = try XCTUnwrap(t.schema.index(of: "sex"))
        let id = try XCTUnwrap(t.schema.index(of: "id")), bili = try XCTUnwrap(t.schema.index(of: "bili"))
        var bad = [GaussianCopulaModel](repeating: m, count: 6)
        bad[0].columns.removeLast()
        bad[1].dims.removeLast()                                              // the correlation no longer fits
        bad[2].columns[age].valueDim = m.columns[sex].valueDim                // a score of another column
        if case .categorical(var marginal) = m.columns[sex].kind {
            marginal.order[0] = 7                                             // a category the schema lacks
            bad[3].columns[sex].kind = .categorical(marginal)
        }
        var overflowing = IdentifierGenerator(values: ["1"])
        overflowing.shape = .sequential(start: .max, width: 0)                 // start + row would trap
        bad[4].columns[id].kind = .identifier(overflowing)
        bad[5].columns[bili].missingDim = nil; bad[5].columns[bili].valueDim = m.columns[bili].missingDim
        try assertRefused(bad.map { .gaussianCopula($0) }, prefix: "gaussian copula: ")
    }

    func testBayesianNetwork() throws {
        let (m, _) = try BayesianNetwork.fit(try plantedNetwork(rows: 1000), options: .init(degree: 2), seed: 1)
        try assertAccepted(.bayesianNetwork(m))
        let child = try XCTUnwrap(m.nodes.firstIndex { !$0.parents.isEmpty })
        var bad = [BayesianNetworkModel](repeating: m, count: 7)
        bad[0].nodes.removeLast()
        bad[1].nodes[child].parents = [m.nodes[child].variable]               // not drawn before itself
        bad[2].nodes[child].attach = nil
        bad[3].nodes[child].attach = child
        bad[4].nodes[child].table.removeLast()
        bad[5].nodes[0].table[0] = -1
        bad[6].discretizer.columns[0].kind = .categorical(count: 9)
        try assertRefused(bad.map { .bayesianNetwork($0) }, prefix: "bayesian network: ")
    }

    func testMarginalModels() throws {
        let t = try plantedNetwork(rows: 1000)
        let (mst, _) = try MST.fit(t, epsilon: 5, delta: 1e-9, bins: nil, seed: 1, iterations: 20)
        let (aim, _) = try AIM.fit(t, epsilon: 5, delta: 1e-9, bins: nil, seed: 1)
        try assertAccepted(.mst(mst)); try assertAccepted(.aim(aim))
        var bad = [MarginalModel](repeating: mst, count: 7)
        bad[0].model.potentials[0].values.removeLast()
        bad[1].model.tree.order.removeLast()
        bad[2].model.tree.cliques[0] = [0, 99]
        bad[3].model.total = 0
        bad[4].model.sizes[0] += 1
        bad[5].discretizer.columns[1].missingCode = 0
        if let c = mst.model.tree.order.first(where: { mst.model.tree.parent[$0] != nil }) {
            bad[6].model.tree.order = [c] + mst.model.tree.order.filter { $0 != c }   // a child before its parent
        }
        try assertRefused(bad.map { .mst($0) }, prefix: "mst: ")
        var damagedAIM = aim
        damagedAIM.model.potentials[0].values[0] = .nan
        try assertRefused([.aim(damagedAIM)], prefix: "aim: ")
    }
}
