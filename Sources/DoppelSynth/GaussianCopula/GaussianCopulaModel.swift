import DoppelMath
import DoppelData
import Foundation

/// A fitted Gaussian copula: marginals per column plus the latent correlation matrix. A value:
/// it can be saved, loaded and sampled from any number of times.
public struct GaussianCopulaModel: Codable, Sendable, Equatable {
    public var schema: Schema
    public var columns: [CopulaColumn]
    public var dims: [LatentDim]
    public var correlation: Matrix

    /// Prepares sampling, with the model serving `conditions` directly (no rejection).
    public func sampler(conditions: [Condition] = []) throws -> CopulaSampler {
        try CopulaSampler(model: self, conditions: conditions)
    }

    /// Refuses a model (a model file's) whose parts do not fit: one column per schema column, of a kind
    /// that matches it; a numeric or categorical column with a value score, and a score for missing
    /// exactly when it can be missing, each a latent dimension that names it back; categories within the
    /// schema's, on edges that rise from 0 to 1; and a correlation matrix over the latent dimensions.
    public func check() throws {
        func bad(_ what: String) -> DoppelError { .badModel(path: "model file", message: "gaussian copula: " + what) }
        let d = dims.count
        guard columns.count == schema.columns.count else { throw bad("\(columns.count) columns for a schema of \(schema.columns.count)") }
        guard correlation.rows == d, correlation.cols == d else { throw bad("a \(correlation.rows) × \(correlation.cols) correlation for \(d) latent scores") }
        for (j, spec) in schema.columns.enumerated() {
            let col = columns[j]
            func owns(_ k: Int?, missing: Bool) -> Bool {
                guard let k else { return true }
                return (0..<d).contains(k) && dims[k].column == j && dims[k].isMissingIndicator == missing
            }
            var fits = owns(col.valueDim, missing: false) && owns(col.missingDim, missing: true)
                && (col.missingDim == nil || (0..<1).contains(col.missingRate))
            switch col.kind {
            case .numeric:
                fits = fits && [.numeric, .datetime].contains(spec.kind) && col.valueDim != nil
            case .categorical(let marginal):
                let count = Int32(spec.categories?.count ?? 0)
                fits = fits && spec.kind == .categorical && col.valueDim != nil && !marginal.order.isEmpty
                    && marginal.edges.count == marginal.order.count + 1 && marginal.order.allSatisfy { (0..<count).contains($0) }
                    && marginal.edges.first == 0 && marginal.edges.last == 1 && zip(marginal.edges, marginal.edges.dropFirst()).allSatisfy { $0 <= $1 }
            case .identifier(let generator):
                try generator.check(prefix: "gaussian copula: ")
                fits = fits && spec.kind == .identifier
            case .text, .empty:
                break
            }
            guard fits else { throw bad("column \(j + 1) ('\(spec.name)') does not match the schema or its latent scores") }
        }
    }
}

/// Draws blocks of rows from a ``GaussianCopulaModel``, conditioned or not.
///
/// Conditions become boxes on the latent scores (a category is an interval; a numeric range maps
/// through the monotone marginal to an interval; a conditioned column must also be present). The
/// conditioned scores are drawn from the box-truncated multivariate normal (exactly by inversion for
/// one score, by Gibbs sweeps for several), and the remaining scores from the conditional normal
/// z_R | z_C ~ N(Σ_RC Σ_CC⁻¹ z_C, Σ_RR − Σ_RC Σ_CC⁻¹ Σ_CR).
public struct CopulaSampler: BlockSampler {
    public let model: GaussianCopulaModel
    let free: [Int]
    let conditioned: [Int]
    let lower: [Double], upper: [Double]
    let freeFactor: Matrix          // Cholesky of the conditional covariance of the free scores
    let regression: Matrix          // |free| × |conditioned|
    let precision: Matrix           // of the conditioned scores
    static let gibbsSweeps = 25

    public var schema: Schema { model.schema }

    init(model: GaussianCopulaModel, conditions: [Condition]) throws {
        self.model = model
        let d = model.dims.count
        var lo = [Double](repeating: -.infinity, count: d), hi = [Double](repeating: .infinity, count: d)
        var isConditioned = [Bool](repeating: false, count: d)
        for c in conditions {
            guard let j = model.schema.index(of: c.column) else {
                throw DoppelError.condition(message: "no column '\(c.column)' (columns: \(model.schema.columns.map(\.name).joined(separator: ", ")))")
            }
            let spec = model.schema.columns[j], col = model.columns[j]
            let (uLo, uHi) = try CopulaSampler.probabilityInterval(c, spec: spec, column: col)
            guard let vd = col.valueDim else { throw DoppelError.condition(message: "'\(c.column)' has no observed value to condition on") }
            lo[vd] = max(lo[vd], Normal.quantile(uLo)); hi[vd] = min(hi[vd], Normal.quantile(uHi))
            guard lo[vd] < hi[vd] else { throw DoppelError.condition(message: "the conditions on '\(c.column)' cannot all hold at once") }
            isConditioned[vd] = true
            if let md = col.missingDim {
                hi[md] = min(hi[md], Normal.quantile(1 - col.missingRate))
                isConditioned[md] = true
            }
        }
        conditioned = (0..<d).filter { isConditioned[$0] }
        free = (0..<d).filter { !isConditioned[$0] }
        lower = conditioned.map { lo[$0] }; upper = conditioned.map { hi[$0] }
        let r = model.correlation
        if conditioned.isEmpty {
            freeFactor = try CopulaSampler.robustCholesky(r)
            regression = Matrix(rows: d, cols: 0)
            precision = Matrix(rows: 0, cols: 0)
        } else {
            let scc = r.submatrix(rows: conditioned, cols: conditioned)
            let src = r.submatrix(rows: free, cols: conditioned)
            let srr = r.submatrix(rows: free, cols: free)
            let p = try LinearAlgebra.inverseSPD(scc)
            let a = src * p
            var s = srr
            let asr = a * src.transposed
            for i in 0..<s.storage.count { s.storage[i] -= asr.storage[i] }
            precision = p
            regression = a
            freeFactor = free.isEmpty ? Matrix(rows: 0, cols: 0) : try CopulaSampler.robustCholesky(s)
        }
    }

    static func robustCholesky(_ m: Matrix) throws -> Matrix {
        var jitter = 0.0
        for _ in 0..<8 {
            var a = m
            for i in 0..<a.rows { a[i, i] += jitter }
            if let l = try? LinearAlgebra.cholesky(a) { return l }
            jitter = jitter == 0 ? 1e-10 : jitter * 100
        }
        return try LinearAlgebra.cholesky(LinearAlgebra.nearestCorrelation(m, floor: 1e-6))
    }

    /// The interval of u (marginal probability) allowed by one condition.
    static func probabilityInterval(_ c: Condition, spec: ColumnSpec, column: CopulaColumn) throws -> (Double, Double) {
        switch column.kind {
        case .categorical(let marginal):
            guard c.op == .equal else { throw DoppelError.condition(message: "'\(c.column)' is categorical: use \(c.column)=value") }
            let code = try c.categoryCodes(in: spec)[0]
            guard let interval = marginal.interval(of: Int32(code)) else {
                throw DoppelError.condition(message: "'\(c.column)=\(c.value)' never occurs in the training data, so the model cannot generate it")
            }
            return interval
        case .numeric(let marginal):
            let (x, step) = try c.number(in: spec)
            let half = step / 2
            var lo = 0.0, hi = 1.0
            let range = "the model's range of '\(c.column)' is \(spec.display(marginal.knots.first!))…\(spec.display(marginal.knots.last!))"
            func lower(_ t: Double) throws -> Double {
                guard let u = marginal.lowerProbability(t) else { throw DoppelError.condition(message: "\(c) cannot be met: \(range)") }
                return u
            }
            func upper(_ t: Double) throws -> Double {
                guard let u = marginal.upperProbability(t) else { throw DoppelError.condition(message: "\(c) cannot be met: \(range)") }
                return u
            }
            switch c.op {
            case .equal: lo = try lower(x - half); hi = try upper(x + half - step * 1e-9)
            case .greaterOrEqual: lo = try lower(x - half)
            case .greater: lo = try lower(step > 0 ? x + half : x.nextUp)
            case .lessOrEqual: hi = try upper(x + half - step * 1e-9)
            case .less: hi = try upper(step > 0 ? x - half - step * 1e-9 : x.nextDown)
            }
            guard hi > lo else {
                throw DoppelError.condition(message: "\(c) has probability zero under the model (\(range), with its mass elsewhere)")
            }
            return (lo, hi)
        case .identifier, .text:
            throw DoppelError.condition(message: "'\(c.column)' is an \(spec.kind.rawValue) column and is not modelled; conditions apply to numeric, datetime and categorical columns")
        case .empty:
            throw DoppelError.condition(message: "'\(c.column)' has no observed value to condition on")
        }
    }

    /// Latent scores for `rows` rows, row-major `rows × dims`.
    func latentScores(rows m: Int, rng: inout SeededGenerator) -> [Double] {
        let d = model.dims.count
        var z = [Double](repeating: 0, count: m * d)
        let nf = free.count, nc = conditioned.count
        var eps = [Double](repeating: 0, count: nf)
        var acc = [Double](repeating: 0, count: nf)
        var zc = [Double](repeating: 0, count: nc)
        // Lᵀ stored row by row, so z = L ε accumulates contiguous columns of L (vectorisable).
        let lt = freeFactor.transposed.storage
        z.withUnsafeMutableBufferPointer { zb in
          lt.withUnsafeBufferPointer { ltb in
            acc.withUnsafeMutableBufferPointer { accb in
            eps.withUnsafeMutableBufferPointer { epsb in
                for i in 0..<m {
                    let row = i * d
                    if nc > 0 {
                        sampleConditioned(&zc, rng: &rng)
                        for (k, dim) in conditioned.enumerated() { zb[row + dim] = zc[k] }
                    }
                    var k = 0
                    while k + 1 < nf {
                        let u1 = rng.nextOpenUniform(), u2 = rng.nextUniform()
                        let rad = (-2 * log(u1)).squareRoot(), ang = 2 * Double.pi * u2
                        epsb[k] = rad * cos(ang); epsb[k + 1] = rad * sin(ang)
                        k += 2
                    }
                    if k < nf { epsb[k] = rng.nextNormal() }
                    for a in 0..<nf { accb[a] = 0 }
                    for b in 0..<nf {
                        let e = epsb[b]
                        let base = b &* nf
                        for a in b..<nf { accb[a] += ltb[base &+ a] * e }
                    }
                    if nc > 0 { for a in 0..<nf { var s = 0.0; for c in 0..<nc { s += regression[a, c] * zc[c] }; accb[a] += s } }
                    for a in 0..<nf { zb[row &+ free[a]] = accb[a] }
                }
            }
            }
          }
        }
        return z
    }

    private func sampleConditioned(_ zc: inout [Double], rng: inout SeededGenerator) {
        let nc = conditioned.count
        if nc == 1 { zc[0] = Normal.truncated(lower: lower[0], upper: upper[0], using: &rng); return }
        for k in 0..<nc { zc[k] = Normal.truncated(lower: lower[k], upper: upper[k], using: &rng) }
        for _ in 0..<CopulaSampler.gibbsSweeps {
            for k in 0..<nc {
                let pkk = precision[k, k]
                var s = 0.0
                for c in 0..<nc where c != k { s += precision[k, c] * zc[c] }
                let mean = -s / pkk, sd = 1 / pkk.squareRoot()
                let t = Normal.truncated(lower: (lower[k] - mean) / sd, upper: (upper[k] - mean) / sd, using: &rng)
                zc[k] = mean + sd * t
            }
        }
    }

    public func sampleBlock(rows m: Int, firstRow: Int, seed: UInt64, rng: inout SeededGenerator) -> Table {
        let z = latentScores(rows: m, rng: &rng)
        return Table(schema: model.schema, columns: model.decode(z, rows: m, firstRow: firstRow, seed: seed))
    }
}

extension GaussianCopulaModel {
    /// Maps latent scores (row-major `rows × dims`) back to column values through the marginals.
    /// `only` restricts decoding to some columns (the others are returned empty).
    func decode(_ z: [Double], rows m: Int, firstRow: Int, seed: UInt64, only: Set<Int>? = nil) -> [Column] {
        let model = self
        let d = model.dims.count
        var columns: [Column] = []
        for (j, spec) in model.schema.columns.enumerated() {
            if let only, !only.contains(j) { columns.append(Column(name: spec.name, values: .text([]))); continue }
            let col = model.columns[j]
            let missingThreshold = col.missingDim.map { _ in Normal.quantile(1 - col.missingRate) }
            @inline(__always) func isMissing(_ i: Int) -> Bool {
                if let md = col.missingDim, let t = missingThreshold { return z[i * d + md] > t }
                return false
            }
            let values: ColumnValues
            switch col.kind {
            case .numeric(let marginal):
                let vd = col.valueDim!
                var out = [Double](repeating: .nan, count: m)
                let grid = ColumnSpec.OutputGrid(spec)
                for i in 0..<m where !isMissing(i) { out[i] = grid(marginal.quantile(Normal.cdf(z[i * d + vd]))) }
                values = .numeric(out)
            case .categorical(let marginal):
                let vd = col.valueDim!
                var out = [Int32](repeating: -1, count: m)
                for i in 0..<m where !isMissing(i) { out[i] = marginal.decode(Normal.cdf(z[i * d + vd])) }
                values = .categorical(codes: out, levels: spec.categories ?? [])
            case .identifier(let generator):
                values = generator.column(rows: m, firstRow: firstRow, seed: seed)
            case .text:
                values = .text([String?](repeating: nil, count: m))
            case .empty:
                values = spec.missingValues(m)
            }
            columns.append(Column(name: spec.name, values: values))
        }
        return columns
    }
}
