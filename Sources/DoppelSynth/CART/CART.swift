import DoppelMath
import DoppelData
import Foundation

/// Sequential CART synthesis (synthpop's default method; Reiter 2005, Nowok, Raab and Dibben 2016).
///
/// Columns are synthesized one after another in a visit order. The first is drawn from its observed
/// distribution; each later column from the leaf its synthetic row reaches in a ``SynthesisTree`` fitted
/// on the real data to predict that column from the columns before it. A categorical leaf draws a
/// category with the leaf's frequencies; a numeric leaf draws from the quantile function of the leaf's
/// values (linear between neighbouring values, so values between observed ones appear, then rounded to
/// the column's decimals), and missing with the leaf's missing share.
///
/// The default visit order is the file's column order with target columns (schema role `target`) last,
/// so the outcome is predicted from everything else; `visitOrder` names a different order (columns left
/// out are appended in the default order). The model stores, per leaf, up to
/// ``Discretizer/knotsPerBin`` quantiles of the target values of the training rows in that leaf: it is
/// not a private model, and `minLeaf` (default 5, synthpop's `minbucket`) sets how few rows a leaf may
/// describe.
public enum CART {
    public static let name = "cart"

    public static func fit(_ table: Table, minLeaf: Int, visitOrder: [String]?, seed: UInt64) throws -> CARTModel {
        guard minLeaf >= 1 else { throw DoppelError.usage(message: "--min-leaf must be at least 1 (got \(minLeaf))") }
        let schema = table.schema
        var order: [Int] = []
        for name in visitOrder ?? [] {
            guard let j = schema.index(of: name) else {
                throw DoppelError.usage(message: "--visit-order: no column '\(name)' (columns: \(schema.columns.map(\.name).joined(separator: ", ")))")
            }
            guard schema.columns[j].isModelled else { throw DoppelError.usage(message: "--visit-order: '\(name)' is an \(schema.columns[j].kind.rawValue) column, which is not modelled") }
            guard !order.contains(j) else { throw DoppelError.usage(message: "--visit-order names '\(name)' twice") }
            order.append(j)
        }
        let modelled = schema.columns.indices.filter { schema.columns[$0].isModelled }
        let rest = modelled.filter { !order.contains($0) }
        order += rest.filter { !schema.columns[$0].roles.contains(.target) } + rest.filter { schema.columns[$0].roles.contains(.target) }

        let data = TreeTrainingData(table)
        let trees = try parallelMap(order.count) { k -> SynthesisTree in
            let j = order[k]
            let target: TreeTarget
            switch table.columns[j].values {
            case .categorical(let codes, let levels):
                target = .categorical(codes: codes.map { $0 < 0 ? Int32(levels.count) : $0 }, classes: levels.count + 1)
            case .numeric(let v):
                var n = 0.0, s = 0.0, ss = 0.0
                for x in v where !x.isNaN { n += 1; s += x; ss += x * x }
                let variance = n > 1 ? (ss - s * s / n) / n : 0
                target = .numeric(values: v, scale: variance > 0 ? 1 / variance : 1)
            case .text:
                throw DoppelError.schema(message: "column '\(schema.columns[j].name)' does not hold \(schema.columns[j].kind.rawValue) values")
            }
            return TreeGrower.grow(data: data, target: target, targetColumn: j, features: Array(order[..<k]), minLeaf: minLeaf)
        }
        let identifiers = IdentifierGenerator.perColumn(of: table)
        return CARTModel(schema: schema, trees: trees, identifiers: identifiers, minLeaf: minLeaf)
    }
}

/// A fitted CART synthesizer: one tree per modelled column, in visit order.
public struct CARTModel: Codable, Sendable, Equatable {
    public var schema: Schema
    public var trees: [SynthesisTree]
    public var identifiers: [IdentifierGenerator?]
    public var minLeaf: Int

    /// The visit order, as column names.
    public var visitOrder: [String] { trees.map { schema.columns[$0.target].name } }

    public func sampler() -> CARTSampler { CARTSampler(model: self) }

    /// Refuses trees that would index outside themselves, the schema or their target's categories, or
    /// walk in a loop (a child before its parent) — a model file that other code wrote (the checksum
    /// guards against damage only).
    public func check() throws {
        func bad(_ what: String) -> DoppelError { .badModel(path: "model file", message: "cart: \(what)") }
        try IdentifierGenerator.checkPerColumn(identifiers, schema: schema, prefix: "cart: ")
        for (t, tree) in trees.enumerated() {
            guard schema.columns.indices.contains(tree.target), !tree.nodes.isEmpty else { throw bad("tree \(t + 1) has no nodes or no column") }
            let n = tree.nodes.count
            for (k, node) in tree.nodes.enumerated() {
                if node.feature < 0 {
                    guard tree.leaves.indices.contains(Int(node.leaf)) else { throw bad("tree \(t + 1), node \(k + 1): leaf \(node.leaf) of \(tree.leaves.count)") }
                } else {
                    guard schema.columns.indices.contains(Int(node.feature)), node.left > k, node.right > k, node.left < n, node.right < n else {
                        throw bad("tree \(t + 1), node \(k + 1) splits on no column of the schema or points outside the tree or back up it")
                    }
                }
            }
            let categories = schema.columns[tree.target].categories?.count ?? 0
            for leaf in tree.leaves where (leaf.cumulative?.count ?? 0) > categories {
                throw bad("tree \(t + 1) draws among more codes than its column's \(categories) categories")
            }
        }
    }
}

/// Draws rows from a ``CARTModel``, column by column.
public struct CARTSampler: BlockSampler {
    public let model: CARTModel
    public var schema: Schema { model.schema }

    public func sampleBlock(rows m: Int, firstRow: Int, seed: UInt64, rng: inout SeededGenerator) -> Table {
        let schema = model.schema
        var columns: [ColumnValues] = schema.columns.enumerated().map { j, spec in
            if spec.kind == .identifier, let g = model.identifiers[j] { return g.column(rows: m, firstRow: firstRow, seed: seed) }
            return spec.missingValues(m)
        }
        for tree in model.trees {
            let j = tree.target, spec = schema.columns[j]
            switch columns[j] {
            case .categorical(var codes, let levels):
                for i in 0..<m {
                    let leaf = tree.leaves[tree.leaf(columns, i)]
                    let u = Float(rng.nextUniform())
                    guard let cum = leaf.cumulative, let last = cum.last, u < last else { codes[i] = -1; continue }
                    var lo = 0, hi = cum.count - 1
                    while lo < hi { let mid = (lo + hi) / 2; if cum[mid] > u { hi = mid } else { lo = mid + 1 } }
                    codes[i] = Int32(lo)
                }
                columns[j] = .categorical(codes: codes, levels: levels)
            case .numeric(var v):
                let grid = ColumnSpec.OutputGrid(spec)
                for i in 0..<m {
                    let leaf = tree.leaves[tree.leaf(columns, i)]
                    let u = rng.nextUniform()
                    guard let knots = leaf.knots, Float(u) >= leaf.missing else { v[i] = .nan; continue }
                    v[i] = grid(knots.quantile(rng.nextUniform()))
                }
                columns[j] = .numeric(v)
            case .text: break
            }
        }
        return Table(schema: schema, columns: zip(schema.columns, columns).map { Column(name: $0.name, values: $1) })
    }
}
