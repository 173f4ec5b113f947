import DoppelMath
import DoppelData
import Foundation

extension GaussianCopulaModel {
    /// Partial synthesis: keeps every real row and replaces the values of `names` by values drawn from
    /// the copula conditioned on that row's other columns.
    ///
    /// Each kept value becomes a box on its latent score (a category's interval, the probability
    /// interval of a number, "missing" or "present" for a missing indicator; a missing value leaves its
    /// score free, which marginalises it). The kept scores are drawn from the box-truncated normal by
    /// Gibbs sweeps, then the replaced scores from z_S | z_K ~ N(Σ_SK Σ_KK⁻¹ z_K, Σ_SS − Σ_SK Σ_KK⁻¹ Σ_KS)
    /// and decoded through their marginals. Rows are processed in blocks with random stream
    /// (seed, block), so the output is the same for the same seed.
    public func synthesize(columns names: [String], in table: Table, seed: UInt64) throws -> Table {
        guard !names.isEmpty else { throw DoppelError.usage(message: "--synthesize: name at least one column") }
        var targets = Set<Int>()
        for name in names {
            guard let j = schema.index(of: name) else {
                throw DoppelError.usage(message: "--synthesize: no column '\(name)' in the model (columns: \(schema.columns.map(\.name).joined(separator: ", ")))")
            }
            targets.insert(j)
        }
        guard table.columns.map(\.name) == schema.columns.map(\.name) else {
            throw DoppelError.schema(message: "the table's columns differ from the model's")
        }
        let d = dims.count
        let sDims = (0..<d).filter { targets.contains(dims[$0].column) }
        let kDims = (0..<d).filter { !targets.contains(dims[$0].column) }
        let m = table.rowCount
        var z = [Double](repeating: 0, count: m * d)
        if !sDims.isEmpty {
            let r = correlation
            let nk = kDims.count, ns = sDims.count
            let precision = nk > 0 ? try LinearAlgebra.inverseSPD(r.submatrix(rows: kDims, cols: kDims)) : Matrix(rows: 0, cols: 0)
            let sk = r.submatrix(rows: sDims, cols: kDims)
            let a = nk > 0 ? sk * precision : Matrix(rows: ns, cols: 0)
            var cov = r.submatrix(rows: sDims, cols: sDims)
            if nk > 0 { let asr = a * sk.transposed; for i in 0..<cov.storage.count { cov.storage[i] -= asr.storage[i] } }
            let factor = try CopulaSampler.robustCholesky(cov)
            let block = Sampling.blockSize
            let blocks = (m + block - 1) / block
            let parts = try parallelMap(blocks) { b -> [Double] in
                var rng = SeededGenerator(seed: seed, stream: UInt64(b))
                let lo = b * block, hi = min(m, lo + block)
                var out = [Double](repeating: 0, count: (hi - lo) * d)
                var lower = [Double](repeating: 0, count: nk), upper = [Double](repeating: 0, count: nk)
                var zk = [Double](repeating: 0, count: nk)
                var eps = [Double](repeating: 0, count: ns)
                for i in lo..<hi {
                    for (k, dim) in kDims.enumerated() { (lower[k], upper[k]) = latentBox(dim: dim, row: i, table: table) }
                    for k in 0..<nk { zk[k] = Normal.truncated(lower: lower[k], upper: upper[k], using: &rng) }
                    for _ in 0..<8 {
                        for k in 0..<nk {
                            let pkk = precision[k, k]
                            var s = 0.0
                            for c in 0..<nk where c != k { s += precision[k, c] * zk[c] }
                            let mean = -s / pkk, sd = 1 / pkk.squareRoot()
                            zk[k] = mean + sd * Normal.truncated(lower: (lower[k] - mean) / sd, upper: (upper[k] - mean) / sd, using: &rng)
                        }
                    }
                    for k in 0..<ns { eps[k] = rng.nextNormal() }
                    let row = (i - lo) * d
                    for (k, dim) in kDims.enumerated() { out[row + dim] = zk[k] }
                    for (k, dim) in sDims.enumerated() {
                        var v = 0.0
                        for c in 0..<nk { v += a[k, c] * zk[c] }
                        for c in 0...k { v += factor[k, c] * eps[c] }
                        out[row + dim] = v
                    }
                }
                return out
            }
            var offset = 0
            for p in parts { z.replaceSubrange(offset..<offset + p.count, with: p); offset += p.count }
        }
        let decoded = decode(z, rows: m, firstRow: 0, seed: seed, only: targets)
        var columns = table.columns
        for j in targets { columns[j] = decoded[j] }
        return Table(schema: table.schema, columns: columns)
    }

    /// The interval of latent dim `dim` allowed by row `i`'s observed value.
    func latentBox(dim: Int, row i: Int, table: Table) -> (Double, Double) {
        let info = dims[dim]
        let column = columns[info.column]
        let values = table.columns[info.column].values
        if info.isMissingIndicator {
            let t = Normal.quantile(1 - column.missingRate)
            return values.isMissing(i) ? (t, .infinity) : (-.infinity, t)
        }
        if values.isMissing(i) { return (-.infinity, .infinity) }
        switch (column.kind, values) {
        case let (.numeric(marginal), .numeric(v)):
            let x = v[i]
            var lo = marginal.lowerProbability(x) ?? 1 - 1e-9
            var hi = marginal.upperProbability(x) ?? 1e-9
            if hi - lo < 1e-9 { let c = (lo + hi) / 2; lo = max(0, c - 5e-7); hi = min(1, c + 5e-7) }
            guard lo.isFinite, hi.isFinite, lo <= hi else { return (-.infinity, .infinity) }
            return (Normal.quantile(lo), Normal.quantile(hi))
        case let (.categorical(marginal), .categorical(codes, _)):
            guard let (lo, hi) = marginal.interval(of: codes[i]) else { return (-.infinity, .infinity) }
            return (Normal.quantile(lo), Normal.quantile(hi))
        default:
            return (-.infinity, .infinity)
        }
    }
}

extension FittedModel {
    /// Partial synthesis with the fitted model (see ``GaussianCopulaModel/synthesize(columns:in:seed:)``).
    public func synthesize(columns: [String], in table: Table, seed: UInt64) throws -> Table {
        switch self {
        case .gaussianCopula(let m): return try m.synthesize(columns: columns, in: table, seed: seed)
        default:
            throw DoppelError.usage(message: "partial synthesis replaces columns with the Gaussian copula's conditional draws; refit with --synthesizer gaussian-copula (this model is \(kind.rawValue))")
        }
    }
}
