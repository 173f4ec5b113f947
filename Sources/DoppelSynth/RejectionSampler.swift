import DoppelMath
import DoppelData

/// Serves conditions a model cannot turn into its own conditional distribution — today, a choice of
/// several categories in one column (`race=asian|black`) — by drawing rows from the model (which still
/// serves every other condition itself) and keeping those that match.
///
/// Before sampling, a pilot of ``pilotRows`` draws estimates the acceptance rate; a condition met by
/// none of them, or by fewer than ``minimumAcceptance`` of them, is refused with a clear error instead of
/// sampling for ever. Each block draws its candidates from its own random stream (seed, block), so the
/// output stays byte-identical for a seed, and identifiers are those of the block's own row indices.
public struct RejectionSampler: BlockSampler {
    public static let pilotRows = 20_000
    public static let minimumAcceptance = 1e-3

    let base: any BlockSampler
    /// Per filtered column: the allowed category codes.
    let filters: [(column: Int, codes: Set<Int32>)]
    public let acceptance: Double
    public var schema: Schema { base.schema }

    public init(base: any BlockSampler, alternatives: [Condition], seed: UInt64 = 0x5EED) throws {
        self.base = base
        var filters: [(Int, Set<Int32>)] = []
        for c in alternatives {
            guard let j = base.schema.index(of: c.column) else {
                throw DoppelError.condition(message: "no column '\(c.column)' (columns: \(base.schema.columns.map(\.name).joined(separator: ", ")))")
            }
            let spec = base.schema.columns[j]
            guard spec.kind == .categorical, c.op == .equal else {
                throw DoppelError.condition(message: "'\(c)': a choice of values (a|b) works on categorical columns with =")
            }
            let cats = spec.categories ?? []
            var codes = Set<Int32>()
            for v in c.alternatives {
                guard let k = cats.firstIndex(of: v) ?? cats.firstIndex(where: { $0.lowercased() == v.lowercased() }) else {
                    throw DoppelError.condition(message: "'\(v)' is not a category of '\(c.column)' (categories: \(cats.prefix(20).joined(separator: ", ")))")
                }
                codes.insert(Int32(k))
            }
            filters.append((j, codes))
        }
        self.filters = filters
        var rng = SeededGenerator(seed: seed, stream: 0xF11)
        let pilot = base.sampleBlock(rows: RejectionSampler.pilotRows, firstRow: 0, seed: seed, rng: &rng)
        let accepted = RejectionSampler.matches(pilot, filters).count
        acceptance = Double(accepted) / Double(RejectionSampler.pilotRows)
        guard acceptance >= RejectionSampler.minimumAcceptance else {
            throw DoppelError.condition(message: "\(alternatives.map(\.description).joined(separator: ", ")) has vanishing probability under the model (\(accepted) of \(RejectionSampler.pilotRows) model draws meet it)")
        }
    }

    static func matches(_ t: Table, _ filters: [(column: Int, codes: Set<Int32>)]) -> [Int] {
        (0..<t.rowCount).filter { i in
            filters.allSatisfy { f in
                if case .categorical(let codes, _) = t.columns[f.column].values { return f.codes.contains(codes[i]) }
                return false
            }
        }
    }

    public func sampleBlock(rows m: Int, firstRow: Int, seed: UInt64, rng: inout SeededGenerator) -> Table {
        // identifiers (and the column layout) from the block's own rows
        let template = base.sampleBlock(rows: m, firstRow: firstRow, seed: seed, rng: &rng)
        var parts: [Table] = []
        var have = 0
        let batch = max(256, Int(Double(m) / acceptance * 1.2))
        while have < m {
            let candidates = base.sampleBlock(rows: batch, firstRow: firstRow, seed: seed, rng: &rng)
            let keep = Array(RejectionSampler.matches(candidates, filters).prefix(m - have))
            parts.append(candidates.rows(keep))
            have += keep.count
        }
        let accepted = Table.concatenate(parts, schema: schema)
        var columns = accepted.columns
        for (k, spec) in schema.columns.enumerated() where spec.kind == .identifier { columns[k] = template.columns[k] }
        return Table(schema: schema, columns: columns)
    }
}
