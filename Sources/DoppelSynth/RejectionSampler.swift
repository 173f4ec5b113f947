import DoppelMath
import Foundation
import DoppelData

/// Serves conditions a model cannot turn into its own conditional distribution — a choice of several
/// categories (`race=asian|black`) for the Gaussian copula, every condition for CART — by drawing rows
/// from the model (which still serves what it can itself) and keeping those that match.
///
/// Before sampling, a pilot of ``pilotRows`` draws estimates the acceptance rate; a condition met by
/// none of them, or by fewer than ``minimumAcceptance`` of them, is refused with a clear error instead of
/// sampling for ever. Each block draws its candidates from its own random stream (seed, block), so the
/// output stays byte-identical for a seed, and identifiers are those of the block's own row indices.
public struct RejectionSampler: BlockSampler {
    public static let pilotRows = 20_000
    public static let minimumAcceptance = 1e-3

    /// One condition as a test on one column.
    enum Filter {
        case codes(column: Int, allowed: Set<Int32>)
        case range(column: Int, lower: Double, upper: Double)      // lower ≤ x ≤ upper
    }

    let base: any BlockSampler
    let filters: [Filter]
    public let acceptance: Double
    public var schema: Schema { base.schema }

    public init(base: any BlockSampler, alternatives: [Condition], seed: UInt64 = 0x5EED) throws {
        self.base = base
        filters = try alternatives.map { try RejectionSampler.filter($0, schema: base.schema) }
        var rng = SeededGenerator(seed: seed, stream: 0xF11)
        let pilot = base.sampleBlock(rows: RejectionSampler.pilotRows, firstRow: 0, seed: seed, rng: &rng)
        let accepted = RejectionSampler.matches(pilot, filters).count
        acceptance = Double(accepted) / Double(RejectionSampler.pilotRows)
        guard acceptance >= RejectionSampler.minimumAcceptance else {
            throw DoppelError.condition(message: "\(alternatives.map(\.description).joined(separator: ", ")) has vanishing probability under the model (\(accepted) of \(RejectionSampler.pilotRows) model draws meet it)")
        }
    }

    static func filter(_ c: Condition, schema: Schema) throws -> Filter {
        guard let j = schema.index(of: c.column) else {
            throw DoppelError.condition(message: "no column '\(c.column)' (columns: \(schema.columns.map(\.name).joined(separator: ", ")))")
        }
        let spec = schema.columns[j]
        switch spec.kind {
        case .categorical:
            guard c.op == .equal else { throw DoppelError.condition(message: "'\(c.column)' is categorical: use \(c.column)=value (or a choice, \(c.column)=a|b)") }
            return .codes(column: j, allowed: Set(try c.categoryCodes(in: spec).map { Int32($0) }))
        case .numeric, .datetime:
            guard c.alternatives.count == 1 else { throw DoppelError.condition(message: "'\(c)': a choice of values (a|b) works on categorical columns") }
            let (x, step) = try c.number(in: spec)
            let tolerance = step / 2 * (1 - 1e-9)
            switch c.op {
            case .equal: return .range(column: j, lower: x - tolerance, upper: x + tolerance)
            case .greaterOrEqual: return .range(column: j, lower: x - tolerance, upper: .infinity)
            case .greater: return .range(column: j, lower: step > 0 ? x + tolerance : x.nextUp, upper: .infinity)
            case .lessOrEqual: return .range(column: j, lower: -.infinity, upper: x + tolerance)
            case .less: return .range(column: j, lower: -.infinity, upper: step > 0 ? x - tolerance : x.nextDown)
            }
        case .identifier, .text:
            throw DoppelError.condition(message: "'\(c.column)' is an \(spec.kind.rawValue) column and is not modelled; conditions apply to numeric, datetime and categorical columns")
        }
    }

    static func matches(_ t: Table, _ filters: [Filter]) -> [Int] {
        (0..<t.rowCount).filter { i in
            filters.allSatisfy { f in
                switch f {
                case let .codes(column, allowed):
                    if case .categorical(let codes, _) = t.columns[column].values { return allowed.contains(codes[i]) }
                    return false
                case let .range(column, lower, upper):
                    if case .numeric(let v) = t.columns[column].values { return v[i] >= lower && v[i] <= upper }   // NaN fails
                    return false
                }
            }
        }
    }

    /// Candidates drawn at once: enough for the block at the pilot's acceptance rate (plus 20%), at most
    /// ``maximumBatch`` or 2m, so a rare condition costs more draws but not more memory.
    static func candidateBatch(rows m: Int, acceptance: Double) -> Int {
        max(256, min(Int(min(Double(m) / acceptance * 1.2, 1e9)), max(2 * m, maximumBatch)))
    }
    static let maximumBatch = 16_384

    public func sampleBlock(rows m: Int, firstRow: Int, seed: UInt64, rng: inout SeededGenerator) -> Table {
        // Identifiers from the block's own rows (only drawn when the table has identifier columns).
        let hasIdentifiers = schema.columns.contains { $0.kind == .identifier }
        let template = hasIdentifiers ? base.sampleBlock(rows: m, firstRow: firstRow, seed: seed, rng: &rng) : nil
        var parts: [Table] = []
        var have = 0
        let batch = RejectionSampler.candidateBatch(rows: m, acceptance: acceptance)
        while have < m {
            let candidates = base.sampleBlock(rows: batch, firstRow: firstRow, seed: seed, rng: &rng)
            let keep = Array(RejectionSampler.matches(candidates, filters).prefix(m - have))
            parts.append(candidates.rows(keep))
            have += keep.count
        }
        let accepted = Table.concatenate(parts, schema: schema)
        var columns = accepted.columns
        if let template { for (k, spec) in schema.columns.enumerated() where spec.kind == .identifier { columns[k] = template.columns[k] } }
        return Table(schema: schema, columns: columns)
    }
}
