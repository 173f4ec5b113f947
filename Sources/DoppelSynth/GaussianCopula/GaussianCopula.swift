import DoppelMath
import DoppelData
import Foundation

/// The Gaussian copula synthesizer.
///
/// Each modelled column is mapped to a standard-normal latent score through its marginal: every value
/// owns an interval of probability (its share of ranks for numbers and dates, ``NumericMarginal``; its
/// frequency for categories, ``CategoricalMarginal``) and is scored by the conditional mean of the
/// normal within that interval. A column with missing values gets a second latent score for "is
/// missing", so both the missing rate and its dependence on other columns are kept. The latent
/// correlation matrix is estimated from pairwise-complete scores, corrected for discretisation
/// (see ``latentCorrelation(_:)``) and repaired to the nearest positive-definite correlation matrix.
/// Sampling draws z ~ N(0, R) and maps each score back through its marginal.
///
/// Categories are placed on their latent line in the order that best follows the other columns
/// (sorted by their projection on the first principal axis of the per-category means of the numeric
/// scores), not alphabetically, so no arbitrary order is imposed on the dependence.
///
/// ```swift
/// let table = try Table.read(csv: "patients.csv")
/// let model = try GaussianCopula.fit(table, seed: 1)
/// let synthetic = try model.sample(1000, seed: 2)
/// ```
public enum GaussianCopula {
    public static let name = "gaussian-copula"

    public static func fit(_ table: Table, seed: UInt64) throws -> GaussianCopulaModel {
        let schema = table.schema
        let n = table.rowCount
        var columns: [CopulaColumn] = []
        var dims: [LatentDim] = []
        var latent: [[Double]] = []          // one array of n scores per latent dim (NaN = unobserved)
        var categoricalPending: [(column: Int, dim: Int)] = []

        for (j, spec) in schema.columns.enumerated() {
            let values = table.columns[j].values
            var col = CopulaColumn(kind: .empty, valueDim: nil, missingDim: nil, missingRate: 0)
            let missing = values.missingCount
            col.missingRate = n > 0 ? Double(missing) / Double(n) : 1
            switch (spec.kind, values) {
            case (.numeric, .numeric(let v)), (.datetime, .numeric(let v)):
                let present = v.filter { !$0.isNaN }
                if present.isEmpty { break }
                let marginal = NumericMarginal(sortedValues: present.sorted())
                col.kind = .numeric(marginal)
                col.valueDim = dims.count
                dims.append(LatentDim(column: j, isMissingIndicator: false))
                latent.append(NumericMarginal.normalScores(v))
            case (.categorical, .categorical(let codes, let levels)):
                var counts = [Int](repeating: 0, count: levels.count)
                for c in codes where c >= 0 { counts[Int(c)] += 1 }
                if counts.allSatisfy({ $0 == 0 }) { break }
                col.kind = .categorical(CategoricalMarginal(order: [], probabilities: []))
                col.valueDim = dims.count
                categoricalPending.append((j, dims.count))
                dims.append(LatentDim(column: j, isMissingIndicator: false))
                latent.append([])   // filled once the order is known
            case (.identifier, .text(let t)):
                col.kind = .identifier(IdentifierGenerator(values: t.compactMap { $0 }))
            case (.text, _):
                col.kind = .text
            default:
                throw DoppelError.schema(message: "column '\(spec.name)' does not hold \(spec.kind.rawValue) values")
            }
            if spec.isModelled, missing > 0, missing < n {
                col.missingDim = dims.count
                dims.append(LatentDim(column: j, isMissingIndicator: true))
                let present = 1 - col.missingRate
                let (scorePresent, scoreMissing) = (intervalScore(0, present), intervalScore(present, 1))
                latent.append((0..<n).map { values.isMissing($0) ? scoreMissing : scorePresent })
            }
            columns.append(col)
        }

        // Categorical latent order: by projection of per-category means of the numeric scores.
        let numericDims = dims.indices.filter { d in !latent[d].isEmpty && !dims[d].isMissingIndicator }
        for (j, d) in categoricalPending {
            guard case .categorical(let codes, let levels) = table.columns[j].values else { continue }
            var counts = [Double](repeating: 0, count: levels.count)
            for c in codes where c >= 0 { counts[Int(c)] += 1 }
            let observed = levels.indices.filter { counts[$0] > 0 }
            let order = categoryOrder(codes: codes, observed: observed, counts: counts, latent: numericDims.map { latent[$0] })
            let marginal = CategoricalMarginal(order: order.map { Int32($0) }, probabilities: order.map { counts[$0] })
            columns[j].kind = .categorical(marginal)
            var position = [Int](repeating: -1, count: levels.count)
            for (k, c) in order.enumerated() { position[c] = k }
            let scores = order.indices.map { intervalScore(marginal.edges[$0], marginal.edges[$0 + 1]) }
            latent[d] = codes.map { c in c >= 0 ? scores[position[Int(c)]] : .nan }
        }

        let correlation = LinearAlgebra.nearestCorrelation(latentCorrelation(latent), floor: 1e-4)
        return GaussianCopulaModel(schema: schema, columns: columns, dims: dims, correlation: correlation)
    }

    /// E[Z | Φ⁻¹(lo) < Z < Φ⁻¹(hi)] = (φ(a) − φ(b)) / (hi − lo): the normal score of a value that
    /// owns the probability interval [lo, hi). Without ties this is the van der Waerden-like score of its
    /// rank; with ties or categories it is the best (conditional-mean) score of the discretised normal.
    static func intervalScore(_ lo: Double, _ hi: Double) -> Double {
        guard hi > lo else { return Normal.quantile(lo) }
        return (Normal.pdf(Normal.quantile(lo)) - Normal.pdf(Normal.quantile(hi))) / (hi - lo)
    }

    /// The latent correlation matrix from interval scores.
    ///
    /// For a latent normal Z discretised into intervals with conditional-mean score s = E[Z | interval],
    /// and any W jointly normal with Z with correlation ρ, Cov(s, W) = ρ·E[s²], so Corr(s, W) = ρ·f with
    /// f = √E[s²] ≤ 1 (the polyserial attenuation). Each pairwise-complete Pearson correlation r is
    /// therefore corrected as ρ̂ = r / (f_a f_b) — exact when one side is continuous (f = 1), first-order
    /// for two discrete sides — then clipped to ±0.999; the caller repairs the matrix to the nearest
    /// positive-definite correlation matrix.
    static func latentCorrelation(_ z: [[Double]]) -> Matrix {
        let d = z.count
        var r = Matrix.identity(d)
        guard d > 1 else { return r }
        let f: [Double] = z.map { v in
            var s = 0.0, n = 0.0
            for x in v where !x.isNaN { s += x * x; n += 1 }
            return n > 0 ? max((s / n).squareRoot(), 1e-6) : 1
        }
        let pairs = (0..<d).flatMap { a in ((a + 1)..<d).map { (a, $0) } }
        let values = (try? parallelMap(2) { part -> [(Int, Double)] in
            stride(from: part, to: pairs.count, by: 2).map { p in
                let (a, b) = pairs[p]
                return (p, correlation(z[a], z[b]))
            }
        }) ?? []
        for part in values {
            for (p, v) in part {
                let (a, b) = pairs[p]
                let corrected = max(-0.999, min(0.999, v / (f[a] * f[b])))
                r[a, b] = corrected; r[b, a] = corrected
            }
        }
        return r
    }

    static func correlation(_ x: [Double], _ y: [Double]) -> Double {
        var n = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
        for i in x.indices {
            let a = x[i], b = y[i]
            if a.isNaN || b.isNaN { continue }
            n += 1; sx += a; sy += b; sxx += a * a; syy += b * b; sxy += a * b
        }
        guard n >= 3 else { return 0 }
        let vx = sxx - sx * sx / n, vy = syy - sy * sy / n
        guard vx > 1e-12, vy > 1e-12 else { return 0 }
        return max(-1, min(1, (sxy - sx * sy / n) / (vx * vy).squareRoot()))
    }

    /// Orders observed categories by the first principal axis of their mean numeric scores
    /// (frequency order when there are no numeric columns).
    static func categoryOrder(codes: [Int32], observed: [Int], counts: [Double], latent: [[Double]]) -> [Int] {
        let byFrequency = observed.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        let p = latent.count
        guard p > 0, observed.count > 2 else { return byFrequency }
        let k = counts.count
        var sums = [Double](repeating: 0, count: k * p), ns = [Double](repeating: 0, count: k * p)
        for (i, c) in codes.enumerated() where c >= 0 {
            for f in 0..<p { let v = latent[f][i]; if !v.isNaN { sums[Int(c) * p + f] += v; ns[Int(c) * p + f] += 1 } }
        }
        var means = Matrix(rows: observed.count, cols: p)
        for (r, c) in observed.enumerated() { for f in 0..<p { means[r, f] = ns[c * p + f] > 0 ? sums[c * p + f] / ns[c * p + f] : 0 } }
        // Weighted covariance of the category means, then its leading eigenvector.
        let total = observed.reduce(0) { $0 + counts[$1] }
        var cov = Matrix(rows: p, cols: p)
        for (r, c) in observed.enumerated() {
            let w = counts[c] / total
            for a in 0..<p { for b in 0..<p { cov[a, b] += w * means[r, a] * means[r, b] } }
        }
        let axis: [Double]
        if p <= 40 {
            let (values, vectors) = LinearAlgebra.symmetricEigen(cov)
            guard let top = values.indices.max(by: { values[$0] < values[$1] }), values[top] > 1e-9 else { return byFrequency }
            axis = (0..<p).map { vectors[$0, top] }
        } else {
            // Wide tables: the full Jacobi decomposition per categorical column costs O(p³) sweeps each
            // (minutes at p = 400); the leading eigenvector alone comes from power iteration.
            guard let v = LinearAlgebra.leadingEigenvector(cov) else { return byFrequency }
            axis = v
        }
        let score: [Double] = observed.indices.map { r in (0..<p).reduce(0) { $0 + means[r, $1] * axis[$1] } }
        let position = Dictionary(uniqueKeysWithValues: observed.enumerated().map { ($1, $0) })
        return observed.sorted { a, b in
            let sa = score[position[a]!], sb = score[position[b]!]
            return sa != sb ? sa < sb : a < b
        }
    }
}

/// One latent normal score: a column's value, or whether the column is missing.
public struct LatentDim: Codable, Sendable, Equatable {
    public var column: Int
    public var isMissingIndicator: Bool
}

/// How one column is represented in a fitted copula.
public struct CopulaColumn: Codable, Sendable, Equatable {
    public enum Kind: Codable, Sendable, Equatable {
        case numeric(NumericMarginal)
        case categorical(CategoricalMarginal)
        case identifier(IdentifierGenerator)
        case text
        /// No observed value: always missing.
        case empty
    }
    public var kind: Kind
    public var valueDim: Int?
    public var missingDim: Int?
    public var missingRate: Double
}
