import DoppelData

/// Turns a table into a dense numeric matrix for learners and distances, fitted on reference data.
///
/// - `.standardized` (learners): numeric and datetime columns → (x − mean)/sd with missing set to 0
///   plus a 0/1 missing indicator when the reference has missing values; categorical → one-hot
///   (missing is its own level).
/// - `.gower` (distances, one coordinate per column): numeric → (x − min)/(max − min) on the reference
///   range, missing → a far sentinel; categorical → the category code (missing = −1). With each
///   coordinate's distance capped at 1 (``NearestNeighbors/Metric/gower``), a category mismatch or a
///   missing-vs-present pair costs 1 and two missing values cost 0: the sum divided by the number of
///   columns is the Gower distance.
public struct FeatureEncoder: Sendable {
    public enum Mode: Sendable { case standardized, gower }
    enum Part: Sendable {
        case numeric(column: Int, center: Double, scale: Double, missingIndicator: Bool)
        case categorical(column: Int, levels: Int, weight: Double)
    }
    let parts: [Part]
    public let width: Int
    public let columnCount: Int
    public let mode: Mode
    /// The value standing for a missing number in `.gower` mode (farther than 1 from any scaled value).
    public static let missingSentinel = 1000.0

    /// Fits on `reference` using the given columns (default: every modelled column).
    public init(reference: Table, columns: [Int]? = nil, mode: Mode) {
        self.mode = mode
        let use = columns ?? reference.schema.columns.indices.filter { reference.schema.columns[$0].isModelled }
        var parts: [Part] = []
        var width = 0
        for j in use {
            switch reference.columns[j].values {
            case .numeric(let v):
                let present = v.filter { !$0.isNaN }
                let hasMissing = present.count < v.count
                var center = 0.0, scale = 1.0
                if mode == .standardized {
                    if !present.isEmpty {
                        center = present.reduce(0, +) / Double(present.count)
                        let varSum = present.reduce(0) { $0 + ($1 - center) * ($1 - center) }
                        scale = max((varSum / Double(max(present.count, 1))).squareRoot(), 1e-12)
                    }
                } else {
                    center = present.min() ?? 0
                    scale = max((present.max() ?? 1) - center, 1e-12)
                }
                parts.append(.numeric(column: j, center: center, scale: scale, missingIndicator: hasMissing && mode == .standardized))
                width += hasMissing && mode == .standardized ? 2 : 1
            case .categorical(_, let levels):
                parts.append(.categorical(column: j, levels: levels.count, weight: 1))
                width += mode == .gower ? 1 : levels.count + 1
            case .text: continue
            }
        }
        self.parts = parts
        self.width = width
        self.columnCount = parts.count
    }

    /// Row-major `rows × width` matrix (padded with zero columns to `paddedWidth` when given).
    public func transform(_ table: Table, paddedWidth: Int? = nil) -> [Double] {
        let w = max(paddedWidth ?? width, width)
        let n = table.rowCount
        var out = [Double](repeating: 0, count: n * w)
        var offset = 0
        for part in parts {
            switch part {
            case let .numeric(j, center, scale, indicator):
                guard case .numeric(let v) = table.columns[j].values else { continue }
                for i in 0..<n {
                    let x = v[i]
                    if x.isNaN {
                        if indicator { out[i * w + offset + 1] = 1 }
                        if mode == .gower { out[i * w + offset] = FeatureEncoder.missingSentinel }
                    } else {
                        var s = (x - center) / scale
                        if mode == .gower { s = min(max(s, -1), 2) }
                        out[i * w + offset] = s
                    }
                }
                offset += indicator ? 2 : 1
            case let .categorical(j, levels, weight):
                guard case .categorical(let c, _) = table.columns[j].values else { continue }
                if mode == .gower {
                    for i in 0..<n { out[i * w + offset] = Double(c[i]) }
                    offset += 1
                    continue
                }
                for i in 0..<n {
                    let k = c[i] < 0 ? levels : min(Int(c[i]), levels)
                    out[i * w + offset + k] = weight
                }
                offset += levels + 1
            }
        }
        return out
    }
}
