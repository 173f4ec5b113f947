import DoppelMath
import DoppelData

/// Draws rows from a fitted model in blocks. Block `b` of a run uses the random stream `(seed, b)`,
/// and identifiers depend only on the global row index, so any block can be produced on its own.
public protocol BlockSampler: Sendable {
    var schema: Schema { get }
    /// Generates `rows` rows starting at global row index `firstRow`.
    func sampleBlock(rows: Int, firstRow: Int, seed: UInt64, rng: inout SeededGenerator) -> Table
}

/// The synthesizers Doppel can fit, by their CLI names.
public enum SynthesizerKind: String, CaseIterable, Sendable, Codable {
    case gaussianCopula = "gaussian-copula"

    /// The synthesizer with this CLI name, or a usage error listing the valid names.
    public static func parse(_ name: String) throws -> SynthesizerKind {
        guard let kind = SynthesizerKind(rawValue: name) else {
            throw DoppelError.usage(message: "unknown synthesizer '\(name)'; choose one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }
}

/// Any fitted model, as stored in a model file.
public enum FittedModel: Codable, Sendable, Equatable {
    case gaussianCopula(GaussianCopulaModel)

    public var kind: SynthesizerKind {
        switch self { case .gaussianCopula: return .gaussianCopula }
    }

    public var schema: Schema {
        switch self { case .gaussianCopula(let m): return m.schema }
    }

    /// A sampler with `conditions` served by the model where it can (exactly, no rejection), and a
    /// choice of categories (`a|b`) by ``RejectionSampler`` on top of it.
    public func sampler(conditions: [Condition]) throws -> any BlockSampler {
        let choices = conditions.filter { $0.alternatives.count > 1 }
        let served = conditions.filter { $0.alternatives.count <= 1 }
        let base: any BlockSampler
        switch self { case .gaussianCopula(let m): base = try m.sampler(conditions: served) }
        return choices.isEmpty ? base : try RejectionSampler(base: base, alternatives: choices)
    }

    /// Fits the chosen synthesizer.
    public static func fit(_ kind: SynthesizerKind, table: Table, seed: UInt64) throws -> FittedModel {
        switch kind {
        case .gaussianCopula: return .gaussianCopula(try GaussianCopula.fit(table, seed: seed))
        }
    }
}
