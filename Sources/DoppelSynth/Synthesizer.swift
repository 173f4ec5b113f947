import DoppelMath
import DoppelData
import DoppelPrivacy

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
    case bayesianNetwork = "bayesian-network"
    case cart = "cart"
    case mst = "mst"
    case aim = "aim"
    case tvae = "tvae"
    case ctgan = "ctgan"

    /// The synthesizer with this CLI name, or a usage error listing the valid names.
    public static func parse(_ name: String) throws -> SynthesizerKind {
        guard let kind = SynthesizerKind(rawValue: name) else {
            throw DoppelError.usage(message: "unknown synthesizer '\(name)'; choose one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }

    /// Whether the synthesizer can be fitted with a differential-privacy budget.
    public var supportsDifferentialPrivacy: Bool { self == .bayesianNetwork || isNeural || requiresDifferentialPrivacy }
    /// Whether the synthesizer's guarantee is approximate (ε, δ)-DP, so that it takes --delta.
    public var takesDelta: Bool { requiresDifferentialPrivacy || isNeural }
    /// Whether the synthesizer is a neural network trained by gradient descent (takes --epochs etc.).
    public var isNeural: Bool { self == .tvae || self == .ctgan }
    /// Whether the synthesizer only exists in a differentially private form (it needs --epsilon).
    public var requiresDifferentialPrivacy: Bool { self == .mst || self == .aim }
}

/// Settings of a fit. Each synthesizer reads the ones that apply to it; the CLI refuses the others.
public struct FitOptions: Sendable {
    /// Bayesian network: most parents per column.
    public var degree: Int = 2
    /// Marginal-based models: bins per numeric column (nil: chosen from the row count).
    public var bins: Int?
    /// Differential privacy: total ε (nil: not private).
    public var epsilon: Double?
    /// Differential privacy: δ (approximate-DP mechanisms).
    public var delta: Double?
    /// CART: smallest number of training rows in a leaf.
    public var minLeaf: Int = 5
    /// CART: the order in which columns are synthesized (nil: the default order).
    public var visitOrder: [String]?
    /// Neural synthesizers: training settings (epochs, batch size, widths, learning rate, clipping).
    public var neural = NeuralOptions()
    /// Long fits (AIM, neural training) report their progress here.
    public var progress: (@Sendable (String) -> Void)?
    public init() {}

    /// Refuses an ε that is not a positive, finite number.
    public static func checkEpsilon(_ e: Double?) throws {
        if let e, !(e > 0 && e.isFinite) { throw DoppelError.usage(message: "--epsilon must be a positive number (got \(e))") }
    }

    /// Refuses a δ outside (0, 1/n): a larger δ allows releasing a whole row.
    public static func checkDelta(_ d: Double?, rows n: Int) throws {
        let bound = 1 / Double(max(n, 1))
        if let d, !(d > 0 && d < bound) {
            throw DoppelError.usage(message: "--delta must be in (0, 1/n) = (0, \(String(format: "%.3g", bound))) for \(n) rows (got \(d)); 1e-9 is usual")
        }
    }

    /// δ when --delta is not given: 1e-9, or 1/n² when that is smaller.
    public static func defaultDelta(rows n: Int) -> Double { min(1e-9, 1 / Double(max(n, 2) * max(n, 2))) }
}

/// Any fitted model, as stored in a model file.
public enum FittedModel: Codable, Sendable, Equatable {
    case gaussianCopula(GaussianCopulaModel)
    case bayesianNetwork(BayesianNetworkModel)
    case cart(CARTModel)
    case mst(MarginalModel)
    case aim(MarginalModel)
    case tvae(TVAEModel)
    case ctgan(CTGANModel)

    public var kind: SynthesizerKind {
        switch self {
        case .gaussianCopula: return .gaussianCopula
        case .bayesianNetwork: return .bayesianNetwork
        case .cart: return .cart
        case .mst: return .mst
        case .aim: return .aim
        case .tvae: return .tvae
        case .ctgan: return .ctgan
        }
    }

    public var schema: Schema {
        switch self {
        case .gaussianCopula(let m): return m.schema
        case .bayesianNetwork(let m): return m.schema
        case .cart(let m): return m.schema
        case .mst(let m), .aim(let m): return m.schema
        case .tvae(let m): return m.schema
        case .ctgan(let m): return m.schema
        }
    }

    /// Epochs of training behind a TVAE or CTGAN model's weights (nil for the other models).
    public var epochs: Int? {
        switch self {
        case .tvae(let m): return m.epochs
        case .ctgan(let m): return m.epochs
        default: return nil
        }
    }

    /// The column a CTGAN model conditions every sampled row on (its categorical target), if any.
    public var conditionedTarget: String? {
        guard case .ctgan(let m) = self, let t = m.targetCondition, m.conditionColumns.indices.contains(t) else { return nil }
        return m.schema.columns[m.conditionColumns[t].column].name
    }

    /// What early stopping did in a TVAE fit (nil for other models, or when it was off).
    public var earlyStop: EarlyStopRecord? {
        if case .tvae(let m) = self { return m.earlyStop }
        return nil
    }

    /// A sampler with `conditions` served by the model where it can (exactly, no rejection), and the
    /// rest by ``RejectionSampler`` on top of it: a choice of categories (`a|b`) for the Gaussian copula,
    /// every condition for CART.
    public func sampler(conditions: [Condition]) throws -> any BlockSampler {
        switch self {
        case .gaussianCopula(let m):
            try m.check()
            let choices = conditions.filter { $0.alternatives.count > 1 }
            let served = conditions.filter { $0.alternatives.count <= 1 }
            let base = try m.sampler(conditions: served)
            return choices.isEmpty ? base : try RejectionSampler(base: base, alternatives: choices)
        case .bayesianNetwork(let m):
            try m.check()
            return try m.sampler(conditions: conditions)
        case .mst(let m):
            try m.check(name: "mst")
            return try m.sampler(conditions: conditions)
        case .aim(let m):
            try m.check(name: "aim")
            return try m.sampler(conditions: conditions)
        case .cart(let m):
            try m.check()
            let base = m.sampler()
            return conditions.isEmpty ? base : try RejectionSampler(base: base, alternatives: conditions)
        case .tvae(let m):
            let base = try m.sampler()
            return conditions.isEmpty ? base : try RejectionSampler(base: base, alternatives: conditions)
        case .ctgan(let m):
            // The generator serves the first condition on a categorical column through its conditional
            // vector; every condition is then checked row by row.
            var fixed: (column: Int, codes: [Int])?
            for c in conditions where c.op == .equal {
                guard let j = m.schema.index(of: c.column), m.schema.columns[j].kind == .categorical,
                      m.conditionColumns.contains(where: { $0.column == j }) else { continue }
                fixed = (j, try c.categoryCodes(in: m.schema.columns[j]))
                break
            }
            let base = try m.sampler(fixed: fixed)
            return conditions.isEmpty ? base : try RejectionSampler(base: base, alternatives: conditions)
        }
    }

    /// Fits the chosen synthesizer; the ledger is the privacy budget spent (nil when not private).
    public static func fit(_ kind: SynthesizerKind, table: Table, seed: UInt64, options: FitOptions) throws -> (FittedModel, PrivacyLedger?) {
        guard table.rowCount >= 2 else {
            throw DoppelError.badInput(path: "training data", line: nil, column: nil,
                                       message: "\(table.rowCount) row\(table.rowCount == 1 ? "" : "s"): a synthesizer needs at least 2 (from one patient, every synthetic row would be that patient)")
        }
        if options.epsilon != nil && !kind.supportsDifferentialPrivacy {
            throw DoppelError.usage(message: "--epsilon is not available for \(kind.rawValue); differentially private synthesizers: \(SynthesizerKind.allCases.filter(\.supportsDifferentialPrivacy).map(\.rawValue).joined(separator: ", "))")
        }
        try FitOptions.checkEpsilon(options.epsilon)
        if kind.requiresDifferentialPrivacy && options.epsilon == nil {
            throw DoppelError.usage(message: "\(kind.rawValue) is differentially private: give its budget with --epsilon (and --delta)")
        }
        if options.delta != nil && !kind.takesDelta {
            throw DoppelError.usage(message: "--delta applies to mst, aim (zCDP), tvae and ctgan (DP-SGD); \(kind.rawValue) \(kind.supportsDifferentialPrivacy ? "is pure ε-DP (it takes --epsilon alone)" : "is not differentially private")")
        }
        try FitOptions.checkDelta(options.delta, rows: table.rowCount)
        switch kind {
        case .gaussianCopula: return (.gaussianCopula(try GaussianCopula.fit(table, seed: seed)), nil)
        case .bayesianNetwork:
            let (m, ledger) = try BayesianNetwork.fit(table, options: .init(degree: options.degree, bins: options.bins, epsilon: options.epsilon), seed: seed)
            return (.bayesianNetwork(m), ledger)
        case .cart:
            return (.cart(try CART.fit(table, minLeaf: options.minLeaf, visitOrder: options.visitOrder, seed: seed)), nil)
        case .mst:
            let (m, ledger) = try MST.fit(table, epsilon: options.epsilon!, delta: options.delta ?? FitOptions.defaultDelta(rows: table.rowCount), bins: options.bins, seed: seed)
            return (.mst(m), ledger)
        case .aim:
            let (m, ledger) = try AIM.fit(table, epsilon: options.epsilon!, delta: options.delta ?? FitOptions.defaultDelta(rows: table.rowCount), bins: options.bins, seed: seed, progress: options.progress)
            return (.aim(m), ledger)
        case .tvae:
            var neural = options.neural
            neural.epsilon = options.epsilon
            neural.delta = options.delta
            if neural.progress == nil { neural.progress = options.progress }
            let (m, ledger) = try TVAE.fit(table, options: neural, seed: seed)
            return (.tvae(m), ledger)
        case .ctgan:
            var neural = options.neural
            if neural.progress == nil { neural.progress = options.progress }
            neural.epsilon = options.epsilon
            neural.delta = options.delta
            let (m, ledger) = try CTGAN.fit(table, options: neural, seed: seed)
            return (.ctgan(m), ledger)
        }
    }

    /// Fits a synthesizer that is not differentially private.
    public static func fit(_ kind: SynthesizerKind, table: Table, seed: UInt64) throws -> FittedModel {
        try fit(kind, table: table, seed: seed, options: FitOptions()).0
    }
}
