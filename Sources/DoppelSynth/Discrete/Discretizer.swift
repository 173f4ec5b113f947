import DoppelMath
import DoppelData
import DoppelPrivacy
import Foundation

/// One column as a finite domain of codes `0..<size`, and the way back from a code to a value. Shared by
/// the marginal-based synthesizers (Bayesian network, PrivBayes, MST, AIM).
///
/// - Numeric and datetime columns are cut into bins. Bin `b` holds the values `cuts[b] ≤ x < cuts[b+1]`
///   and keeps its own quantile function (``NumericMarginal``), so a decoded value is drawn *within* its
///   bin: the output is continuous again, with the shape the data had inside the bin, and is then rounded
///   to the column's decimals (integers stay integers) and kept within its bounds. A column with few
///   distinct values gets one bin per value, so it is reproduced exactly.
/// - Categorical columns use the schema's category index as their code.
/// - Missing is one more code (`missingCode`, the last) when the column has missing values; under
///   differential privacy, where whether a column has gaps is itself private, unless the schema declares
///   the column never missing (public, like its bounds).
public struct DiscreteColumn: Codable, Sendable, Equatable {
    public enum Kind: Codable, Sendable, Equatable {
        /// `bins[b]` is the quantile function of the values in bin b; `cuts[b]` its lower edge.
        case numeric(cuts: [Double], bins: [NumericMarginal])
        case categorical(count: Int)
        case identifier(IdentifierGenerator)
        case text
        /// No observed value: always missing.
        case empty
    }
    public var kind: Kind
    /// Code of "missing", when the column can be missing.
    public var missingCode: Int?

    /// Number of codes (0 for columns that are not modelled).
    public var size: Int {
        let values: Int
        switch kind {
        case .numeric(_, let bins): values = bins.count
        case .categorical(let count): values = count
        default: return 0
        }
        return values + (missingCode == nil ? 0 : 1)
    }

    public var isModelled: Bool { size > 0 }

    /// The code of row `i` of `values`.
    @inlinable
    func code(_ values: ColumnValues, _ i: Int) -> Int32 {
        switch (kind, values) {
        case (.numeric(let cuts, _), .numeric(let v)):
            let x = v[i]
            if x.isNaN { return Int32(missingCode ?? 0) }
            var lo = 0, hi = cuts.count          // last b with cuts[b] <= x (0 when below every cut)
            while hi - lo > 1 { let mid = (lo + hi) / 2; if cuts[mid] <= x { lo = mid } else { hi = mid } }
            return Int32(lo)
        case (.categorical, .categorical(let c, _)):
            return c[i] < 0 ? Int32(missingCode ?? 0) : c[i]
        default:
            return 0
        }
    }
}

/// For each column and code, the part of the code's within-bin distribution a set of conditions allows:
/// `allowed[k]` is nil (no condition on column k) or one u-interval per code (empty when hi ≤ lo). Its
/// width is the share of the code's probability that meets the conditions, the *evidence* a graphical
/// model multiplies in before it samples.
public struct Evidence: Sendable {
    public var allowed: [[(lo: Double, hi: Double)]?]

    /// Weights per code for column k (nil when unconditioned).
    public func weights(_ k: Int) -> [Double]? { allowed[k].map { $0.map { max(0, $0.hi - $0.lo) } } }
}

/// Turns a table into codes and codes back into a table (see ``DiscreteColumn``).
public struct Discretizer: Codable, Sendable, Equatable {
    public var schema: Schema
    public var columns: [DiscreteColumn]

    /// Knots kept per bin for the within-bin quantile function.
    public static let knotsPerBin = 33

    /// The default number of bins for `n` rows: ⌊∛n⌋ clamped to 8…20, so that the joint tables of a
    /// few columns stay well filled on small cohorts.
    public static func defaultBins(rows n: Int) -> Int { min(20, max(8, Int(cbrt(Double(max(n, 1)))))) }

    /// Indices of the modelled columns (the ones with codes).
    public var modelled: [Int] { columns.indices.filter { columns[$0].isModelled } }

    /// Refuses a discretizer (a model file's) that does not fit its schema or could not decode every
    /// code: one column per schema column, of a kind that matches it, with as many cuts as bins, cuts in
    /// order, as many categories as the schema has, and the missing code right after the value codes.
    /// `prefix` starts the message.
    public func check(prefix: String) throws {
        func bad(_ what: String) -> DoppelError { .badModel(path: "model file", message: prefix + what) }
        guard columns.count == schema.columns.count else { throw bad("\(columns.count) discretized columns for a schema of \(schema.columns.count)") }
        for (j, spec) in schema.columns.enumerated() {
            let col = columns[j]
            let fits: Bool
            switch col.kind {
            case .numeric(let cuts, let bins):
                fits = [.numeric, .datetime].contains(spec.kind) && !bins.isEmpty && cuts.count == bins.count
                    && cuts.allSatisfy(\.isFinite) && zip(cuts, cuts.dropFirst()).allSatisfy { $0 <= $1 }
            case .categorical(let count):
                fits = spec.kind == .categorical && count > 0 && count == spec.categories?.count
            case .identifier(let generator):
                try generator.check(prefix: prefix)
                fits = spec.kind == .identifier
            case .text, .empty:
                fits = true
            }
            guard fits else { throw bad("column \(j + 1) ('\(spec.name)') does not match the schema") }
            if let missing = col.missingCode, missing != col.size - 1 || col.size < 2 {
                throw bad("column \(j + 1) ('\(spec.name)') has a missing code out of place")
            }
        }
    }

    /// Bins from the data: quantile bins of the observed values (not private).
    public init(fitting table: Table, bins: Int) {
        schema = table.schema
        columns = []
        for (j, spec) in schema.columns.enumerated() {
            let values = table.columns[j].values
            let missing = values.missingCount
            let missingCode: (Int) -> Int? = { missing > 0 ? $0 : nil }
            switch (spec.kind, values) {
            case (.numeric, .numeric(let v)), (.datetime, .numeric(let v)):
                let present = v.filter { !$0.isNaN }.sorted()
                guard !present.isEmpty else { columns.append(DiscreteColumn(kind: .empty)); continue }
                let (cuts, marginals) = Discretizer.quantileBins(present, bins: bins)
                columns.append(DiscreteColumn(kind: .numeric(cuts: cuts, bins: marginals), missingCode: missingCode(marginals.count)))
            case (.categorical, .categorical(let codes, let levels)):
                guard codes.contains(where: { $0 >= 0 }) else { columns.append(DiscreteColumn(kind: .empty)); continue }
                columns.append(DiscreteColumn(kind: .categorical(count: levels.count), missingCode: missingCode(levels.count)))
            case (.identifier, .text(let t)):
                columns.append(DiscreteColumn(kind: .identifier(IdentifierGenerator(values: t.compactMap { $0 }))))
            default:
                columns.append(DiscreteColumn(kind: .text))
            }
        }
    }

    /// Up to `bins` bins cut at quantiles of the sorted values; one bin per value when there are no more
    /// distinct values than bins.
    static func quantileBins(_ v: [Double], bins: Int) -> ([Double], [NumericMarginal]) {
        var distinct: [Double] = []
        for x in v where distinct.last != x { distinct.append(x) }
        var cuts: [Double]
        if distinct.count <= bins {
            cuts = distinct
        } else {
            cuts = [v[0]]
            for b in 1..<bins {
                let q = v[min(v.count - 1, b * v.count / bins)]
                if q > cuts[cuts.count - 1] { cuts.append(q) }
            }
        }
        var marginals: [NumericMarginal] = []
        var start = 0
        for b in cuts.indices {
            var end = start
            let upper = b + 1 < cuts.count ? cuts[b + 1] : .infinity
            while end < v.count && v[end] < upper { end += 1 }
            marginals.append(NumericMarginal(sortedValues: Array(v[start..<end]), maxKnots: knotsPerBin))
            start = end
        }
        return (cuts, marginals)
    }

    /// Bins under differential privacy. Categories and numeric bounds come from the schema and are
    /// treated as public. For each numeric or datetime column, a histogram on a fine grid between its
    /// bounds (one cell per integer when the range allows, else 256 equal cells) is released with Laplace
    /// noise of scale 2/ε_column (one row moving between cells changes two counts by one: L1 sensitivity
    /// 2). The bins are cut at the quantiles of the noisy histogram, and the within-bin distribution is
    /// the noisy histogram's piecewise-uniform density — post-processing, so no further budget.
    /// Every column gets a missing code unless the schema declares it never missing (`missingRate` 0,
    /// public like the bounds); identifier columns are numbered 1, 2, 3, … (nothing learned
    /// from their values). `epsilon` is split evenly over the numeric and datetime columns and written
    /// to `ledger`.
    public init(privately table: Table, bins: Int, epsilon: Double, ledger: inout PrivacyLedger, rng: inout SeededGenerator) throws {
        try self.init(privately: table, bins: bins, noise: .laplace(epsilon: epsilon), ledger: &ledger, rng: &rng)
    }

    /// The noise of the private bin histograms: Laplace for pure ε (PrivBayes; replace-one neighbours, L1
    /// sensitivity 2), Gaussian for ρ-zCDP (MST, AIM; add/remove-one neighbours, L2 sensitivity 1,
    /// σ = √(1/(2ρ_column))).
    public enum BinNoise: Sendable { case laplace(epsilon: Double), gaussian(rho: Double) }

    /// Bins under differential privacy with the chosen noise, its budget split evenly over the numeric and
    /// datetime columns (see ``init(privately:bins:epsilon:ledger:rng:)``).
    public init(privately table: Table, bins: Int, noise: BinNoise, ledger: inout PrivacyLedger, rng: inout SeededGenerator) throws {
        schema = table.schema
        columns = []
        let numeric = schema.columns.indices.filter { [.numeric, .datetime].contains(schema.columns[$0].kind) }
        let share = 1 / Double(max(numeric.count, 1))
        for (j, spec) in schema.columns.enumerated() {
            switch (spec.kind, table.columns[j].values) {
            case (.numeric, .numeric(let v)), (.datetime, .numeric(let v)):
                guard let lo = spec.min, let hi = spec.max, lo.isFinite, hi.isFinite, hi >= lo else {
                    throw DoppelError.schema(message: "differential privacy needs public bounds for '\(spec.name)': give min and max in the schema")
                }
                let grid = FineGrid(lo: lo, hi: hi, integer: spec.kind == .numeric && spec.integer == true)
                var counts = [Double](repeating: 0, count: grid.cells)
                for x in v where !x.isNaN { counts[grid.cell(x)] += 1 }
                let step = "bin edges of '\(spec.name)' (noisy histogram on \(grid.cells) cells)"
                switch noise {
                case .laplace(let epsilon):
                    let b = 2 / (epsilon * share)
                    for c in counts.indices { counts[c] = max(0, counts[c] + Mechanisms.laplace(scale: b, using: &rng)) }
                    ledger.spend(step, mechanism: "Laplace(b = \(fmt(b)))", epsilon: epsilon * share)
                case .gaussian(let rho):
                    let sigma = (1 / (2 * rho * share)).squareRoot()
                    for c in counts.indices { counts[c] = max(0, counts[c] + Mechanisms.gaussian(sigma: sigma, using: &rng)) }
                    ledger.spend(step, mechanism: "Gaussian(σ = \(fmt(sigma)))", rho: rho * share)
                }
                let (cuts, marginals) = grid.bins(noisyCounts: counts, bins: bins)
                let mayBeMissing = try spec.privateMayBeMissing(dataHasMissing: v.contains { $0.isNaN })
                columns.append(DiscreteColumn(kind: .numeric(cuts: cuts, bins: marginals), missingCode: mayBeMissing ? marginals.count : nil))
            case (.categorical, let values):
                let count = spec.categories?.count ?? 0
                var hasMissing = false
                if case .categorical(let codes, _) = values { hasMissing = codes.contains { $0 < 0 } }
                let mayBeMissing = try spec.privateMayBeMissing(dataHasMissing: hasMissing)
                columns.append(count == 0 ? DiscreteColumn(kind: .empty) : DiscreteColumn(kind: .categorical(count: count), missingCode: mayBeMissing ? count : nil))
            case (.identifier, _):
                // not learned from the data (its largest value or its layout would leak): plain 1, 2, 3, …
                columns.append(DiscreteColumn(kind: .identifier(IdentifierGenerator(values: ["0"]))))
            default:
                columns.append(DiscreteColumn(kind: .text))
            }
        }
    }

    /// The codes of the modelled columns, one array per column of ``modelled``.
    public func encode(_ table: Table) -> [[Int32]] {
        modelled.map { j in
            let col = columns[j], values = table.columns[j].values
            return (0..<table.rowCount).map { col.code(values, $0) }
        }
    }

    /// The column values for codes of the modelled columns (`codes[k]` for `modelled[k]`, `m` rows),
    /// drawn within each code's allowed u-interval (all of it without evidence).
    public func decode(_ codes: [[Int32]], rows m: Int, firstRow: Int, seed: UInt64, evidence: Evidence? = nil, rng: inout SeededGenerator) -> [Column] {
        var position = [Int](repeating: -1, count: columns.count)
        for (k, j) in modelled.enumerated() { position[j] = k }
        var out: [Column] = []
        for (j, spec) in schema.columns.enumerated() {
            let col = columns[j]
            let values: ColumnValues
            switch col.kind {
            case .numeric(_, let bins):
                let c = codes[position[j]]
                let allowed = evidence?.allowed[position[j]]
                let grid = ColumnSpec.OutputGrid(spec)
                var v = [Double](repeating: .nan, count: m)
                for i in 0..<m {
                    let b = Int(c[i])
                    guard b < bins.count else { continue }           // missing
                    var u = rng.nextUniform()
                    if let a = allowed?[b] { u = a.lo + (a.hi - a.lo) * u }
                    v[i] = grid(bins[b].quantile(u))
                }
                values = .numeric(v)
            case .categorical(let count):
                let c = codes[position[j]]
                values = .categorical(codes: c.map { $0 < count ? $0 : -1 }, levels: spec.categories ?? [])
            case .identifier(let generator):
                values = generator.column(rows: m, firstRow: firstRow, seed: seed)
            case .text:
                values = .text([String?](repeating: nil, count: m))
            case .empty:
                values = spec.missingValues(m)
            }
            out.append(Column(name: spec.name, values: values))
        }
        return out
    }

    /// The evidence of a set of conditions (`sex=Female`, `age>=65`, `race=asian|black`): per modelled
    /// column, the u-interval of each code that meets them. A conditioned column is never missing.
    public func evidence(_ conditions: [Condition]) throws -> Evidence {
        let modelled = self.modelled
        var allowed: [[(lo: Double, hi: Double)]?] = Array(repeating: nil, count: modelled.count)
        for c in conditions {
            guard let j = schema.index(of: c.column) else {
                throw DoppelError.condition(message: "no column '\(c.column)' (columns: \(schema.columns.map(\.name).joined(separator: ", ")))")
            }
            let spec = schema.columns[j], col = columns[j]
            guard let k = modelled.firstIndex(of: j) else {
                if spec.isModelled { throw DoppelError.condition(message: "'\(c.column)' has no observed value to condition on") }
                throw DoppelError.condition(message: "'\(c.column)' is an \(spec.kind.rawValue) column and is not modelled; conditions apply to numeric, datetime and categorical columns")
            }
            var current = allowed[k] ?? Array(repeating: (0.0, 1.0), count: col.size)
            let these = try Discretizer.intervals(c, spec: spec, column: col)
            if !these.contains(where: { $0.1 > $0.0 }), case .numeric(_, let bins) = col.kind,
               let lo = bins.first?.knots.first, let hi = bins.last?.knots.last {
                // The model gives the condition no probability at all (not a clash with another condition).
                throw DoppelError.condition(message: "\(c) has no probability under the model: its values of '\(c.column)' run from \(spec.display(lo)) to \(spec.display(hi))"
                    + " (a private model's noisy histogram can leave the rarest extremes empty)")
            }
            for b in current.indices {
                let t = b < these.count ? these[b] : (0.0, 0.0)        // missing code: excluded
                current[b] = (max(current[b].lo, t.0), min(current[b].hi, t.1))
            }
            guard current.contains(where: { $0.hi > $0.lo }) else {
                throw DoppelError.condition(message: "the conditions on '\(c.column)' cannot all hold at once (or \(c) lies outside the values the model knows)")
            }
            allowed[k] = current
        }
        return Evidence(allowed: allowed)
    }

    /// The u-interval of each value code (missing excluded) allowed by one condition.
    static func intervals(_ c: Condition, spec: ColumnSpec, column: DiscreteColumn) throws -> [(Double, Double)] {
        switch column.kind {
        case .categorical(let count):
            guard c.op == .equal else { throw DoppelError.condition(message: "'\(c.column)' is categorical: use \(c.column)=value") }
            var out = [(Double, Double)](repeating: (0, 0), count: count)
            for code in try c.categoryCodes(in: spec) { out[code] = (0, 1) }
            return out
        case .numeric(_, let bins):
            guard c.alternatives.count == 1 else { throw DoppelError.condition(message: "'\(c)': a choice of values (a|b) works on categorical columns") }
            let (x, step) = try c.number(in: spec)
            let half = step / 2
            return bins.map { m in
                // lowerProbability is nil above every knot (nothing allowed); upperProbability nil below every knot.
                func lower(_ t: Double) -> Double { m.lowerProbability(t) ?? 1 }
                func upper(_ t: Double) -> Double { m.upperProbability(t) ?? 0 }
                switch c.op {
                case .equal: return (lower(x - half), upper(x + half - step * 1e-9))
                case .greaterOrEqual: return (lower(x - half), 1)
                case .greater: return (lower(step > 0 ? x + half : x.nextUp), 1)
                case .lessOrEqual: return (0, upper(x + half - step * 1e-9))
                case .less: return (0, upper(step > 0 ? x - half - step * 1e-9 : x.nextDown))
                }
            }
        default:
            throw DoppelError.condition(message: "'\(c.column)' has no observed value to condition on")
        }
    }
}

/// The fine grid of a numeric column under differential privacy.
struct FineGrid {
    let lo: Double, hi: Double, cells: Int, integer: Bool
    static let maxCells = 256

    init(lo: Double, hi: Double, integer: Bool) {
        self.lo = lo; self.hi = hi
        let span = hi - lo
        if integer && span + 1 <= Double(FineGrid.maxCells) {
            self.integer = true; cells = Int(span) + 1
        } else {
            self.integer = false; cells = span > 0 ? FineGrid.maxCells : 1
        }
    }

    /// Cell c covers [left(c), left(c + 1)); an integer cell c is the value lo + c.
    func left(_ c: Int) -> Double { integer ? lo + Double(c) - 0.5 : lo + (hi - lo) * Double(c) / Double(cells) }

    func cell(_ x: Double) -> Int {
        if integer { return min(cells - 1, max(0, Int((x - lo).rounded()))) }
        guard hi > lo else { return 0 }
        return min(cells - 1, max(0, Int((x - lo) / (hi - lo) * Double(cells))))
    }

    /// Bins cut at the quantiles of the noisy histogram (on cell boundaries), each with the
    /// piecewise-uniform quantile function of its cells.
    func bins(noisyCounts counts: [Double], bins: Int) -> ([Double], [NumericMarginal]) {
        var w = counts
        var total = w.reduce(0, +)
        if total <= 0 { w = Array(repeating: 1, count: cells); total = Double(cells) }
        // group cells into bins of about total/bins mass each (every bin at least one cell)
        var groups: [Range<Int>] = []
        if cells <= bins {
            groups = (0..<cells).map { $0..<($0 + 1) }
        } else {
            // end of group g: the first cell boundary where the cumulative mass reaches g/bins of the total
            var cumulative = [Double](repeating: 0, count: cells + 1)
            for c in 0..<cells { cumulative[c + 1] = cumulative[c] + w[c] }
            var start = 0
            for g in 1..<bins {
                let target = total * Double(g) / Double(bins)
                var end = start + 1
                while end < cells && cumulative[end] < target { end += 1 }
                if end >= cells { break }
                if cumulative[end] > cumulative[start] { groups.append(start..<end); start = end }
            }
            if start < cells { groups.append(start..<cells) }
        }
        var cuts: [Double] = [], marginals: [NumericMarginal] = []
        for g in groups {
            let edges = (g.lowerBound...g.upperBound).map { left($0) }
            let edgeLo = integer ? edges[0] + 0.0001 : edges[0], edgeHi = integer ? edges[edges.count - 1] - 0.0001 : edges[edges.count - 1]
            cuts.append(integer ? lo + Double(g.lowerBound) - 0.5 : edges[0])
            let mass = g.map { w[$0] }
            let m = mass.reduce(0, +)
            var knots: [Double] = []
            let k = Discretizer.knotsPerBin
            for t in 0..<k {
                let p = Double(t) / Double(k - 1)
                if m <= 0 { knots.append(edgeLo + (edgeHi - edgeLo) * p); continue }
                var target = p * m, c = 0
                while c < mass.count - 1 && target > mass[c] { target -= mass[c]; c += 1 }
                let f = mass[c] > 0 ? min(1, target / mass[c]) : 0.5
                knots.append(min(edgeHi, max(edgeLo, edges[c] + (edges[c + 1] - edges[c]) * f)))
            }
            for t in 1..<knots.count where knots[t] < knots[t - 1] { knots[t] = knots[t - 1] }
            marginals.append(NumericMarginal(knots: knots))
        }
        return (cuts, marginals)
    }
}

func fmt(_ x: Double) -> String { String(format: "%.4g", x) }
