/// A dense, row-major matrix of `Double`, used for covariance-sized problems.
public struct Matrix: Equatable, Sendable, Codable {
    public let rows: Int
    public let cols: Int
    public var storage: [Double]

    public init(rows: Int, cols: Int, repeating value: Double = 0) {
        self.rows = rows; self.cols = cols
        storage = Array(repeating: value, count: rows * cols)
    }

    public init(rows: Int, cols: Int, storage: [Double]) {
        precondition(storage.count == rows * cols)
        self.rows = rows; self.cols = cols; self.storage = storage
    }

    private enum CodingKeys: String, CodingKey { case rows, cols, storage }

    /// Decodes a matrix (a model file's correlations), refusing a shape its values do not fill, which
    /// would otherwise stop the program at the first index past the end.
    public init(from decoder: Decoder) throws {
        (rows, cols, storage) = try decodeShaped(decoder.container(keyedBy: CodingKeys.self), rows: .rows, cols: .cols, values: .storage)
    }

    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, cols: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    @inlinable public subscript(i: Int, j: Int) -> Double {
        get { storage[i * cols + j] }
        set { storage[i * cols + j] = newValue }
    }

    /// The sub-matrix with the given row and column indices.
    public func submatrix(rows r: [Int], cols c: [Int]) -> Matrix {
        var m = Matrix(rows: r.count, cols: c.count)
        for (a, i) in r.enumerated() { for (b, j) in c.enumerated() { m[a, b] = self[i, j] } }
        return m
    }

    public static func * (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.cols == b.rows)
        var c = Matrix(rows: a.rows, cols: b.cols)
        for i in 0..<a.rows {
            for k in 0..<a.cols {
                let aik = a[i, k]
                if aik == 0 { continue }
                for j in 0..<b.cols { c.storage[i * c.cols + j] += aik * b.storage[k * b.cols + j] }
            }
        }
        return c
    }

    public var transposed: Matrix {
        var t = Matrix(rows: cols, cols: rows)
        for i in 0..<rows { for j in 0..<cols { t[j, i] = self[i, j] } }
        return t
    }
}

public enum LinearAlgebraError: Error, Equatable {
    case notPositiveDefinite
}

public enum LinearAlgebra {
    /// Lower-triangular Cholesky factor L with A = L Lᵀ.
    public static func cholesky(_ a: Matrix) throws -> Matrix {
        let n = a.rows
        var l = Matrix(rows: n, cols: n)
        for j in 0..<n {
            var d = a[j, j]
            for k in 0..<j { d -= l[j, k] * l[j, k] }
            guard d > 1e-12 else { throw LinearAlgebraError.notPositiveDefinite }
            let ljj = d.squareRoot()
            l[j, j] = ljj
            for i in (j + 1)..<max(n, j + 1) {
                var s = a[i, j]
                for k in 0..<j { s -= l[i, k] * l[j, k] }
                l[i, j] = s / ljj
            }
        }
        return l
    }

    /// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations.
    /// Returns eigenvalues and the matrix whose columns are the eigenvectors.
    public static func symmetricEigen(_ a: Matrix, tolerance: Double = 1e-12, maxSweeps: Int = 100) -> (values: [Double], vectors: Matrix) {
        let n = a.rows
        var m = a
        var v = Matrix.identity(n)
        for _ in 0..<maxSweeps {
            var off = 0.0
            for i in 0..<n { for j in (i + 1)..<max(n, i + 1) { off += m[i, j] * m[i, j] } }
            if off < tolerance * tolerance { break }
            for p in 0..<n {
                for q in (p + 1)..<max(n, p + 1) {
                    let apq = m[p, q]
                    if abs(apq) < 1e-300 { continue }
                    let theta = (m[q, q] - m[p, p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let mkp = m[k, p], mkq = m[k, q]
                        m[k, p] = c * mkp - s * mkq
                        m[k, q] = s * mkp + c * mkq
                    }
                    for k in 0..<n {
                        let mpk = m[p, k], mqk = m[q, k]
                        m[p, k] = c * mpk - s * mqk
                        m[q, k] = s * mpk + c * mqk
                    }
                    for k in 0..<n {
                        let vkp = v[k, p], vkq = v[k, q]
                        v[k, p] = c * vkp - s * vkq
                        v[k, q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { m[$0, $0] }, v)
    }

    /// The nearest correlation matrix with eigenvalues ≥ `floor`: eigenvalues are clipped and the
    /// result rescaled to a unit diagonal (one step of Higham's 2002 alternating projections, which
    /// is exact whenever clipping does not disturb the diagonal much and always positive-definite).
    public static func nearestCorrelation(_ a: Matrix, floor: Double = 1e-6) -> Matrix {
        let n = a.rows
        var (values, vectors) = symmetricEigen(a)
        for i in 0..<n { values[i] = max(values[i], floor) }
        var r = Matrix(rows: n, cols: n)
        for i in 0..<n {
            for j in i..<n {
                var s = 0.0
                for k in 0..<n { s += vectors[i, k] * values[k] * vectors[j, k] }
                r[i, j] = s; r[j, i] = s
            }
        }
        var d = [Double](repeating: 1, count: n)
        for i in 0..<n { d[i] = 1 / max(r[i, i], 1e-300).squareRoot() }
        for i in 0..<n { for j in 0..<n { r[i, j] *= d[i] * d[j] } }
        for i in 0..<n { r[i, i] = 1 }
        return r
    }

    /// Solves L x = b for lower-triangular L.
    public static func forwardSubstitute(_ l: Matrix, _ b: [Double]) -> [Double] {
        var x = b
        for i in 0..<l.rows {
            var s = x[i]
            for k in 0..<i { s -= l[i, k] * x[k] }
            x[i] = s / l[i, i]
        }
        return x
    }

    /// Solves Lᵀ x = b for lower-triangular L.
    public static func backSubstituteTransposed(_ l: Matrix, _ b: [Double]) -> [Double] {
        var x = b
        for i in stride(from: l.rows - 1, through: 0, by: -1) {
            var s = x[i]
            for k in (i + 1)..<max(l.rows, i + 1) { s -= l[k, i] * x[k] }
            x[i] = s / l[i, i]
        }
        return x
    }

    /// Inverse of a symmetric positive-definite matrix through its Cholesky factor.
    public static func inverseSPD(_ a: Matrix) throws -> Matrix {
        let l = try cholesky(a)
        let n = a.rows
        var inv = Matrix(rows: n, cols: n)
        for j in 0..<n {
            var e = [Double](repeating: 0, count: n); e[j] = 1
            let x = backSubstituteTransposed(l, forwardSubstitute(l, e))
            for i in 0..<n { inv[i, j] = x[i] }
        }
        return inv
    }

    /// The eigenvector of the largest eigenvalue of a symmetric positive semi-definite matrix, by power
    /// iteration from a fixed start (deterministic); nil when the matrix is (numerically) zero.
    public static func leadingEigenvector(_ a: Matrix, iterations: Int = 500, tolerance: Double = 1e-12) -> [Double]? {
        let n = a.rows
        guard n > 0 else { return nil }
        var v = (0..<n).map { 1 / Double(n).squareRoot() + 1e-3 * Double($0 % 7) }
        var lambda = 0.0
        for _ in 0..<iterations {
            var w = [Double](repeating: 0, count: n)
            for i in 0..<n { var s = 0.0; for j in 0..<n { s += a[i, j] * v[j] }; w[i] = s }
            let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 1e-12 else { return nil }
            for i in 0..<n { w[i] /= norm }
            let change = zip(v, w).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            v = w; lambda = norm
            if change < tolerance { break }
        }
        return lambda > 1e-9 ? v : nil
    }
}

/// A matrix's rows, columns and row-major values from a keyed container, refusing a shape the values do
/// not fill (both matrix types' decoders: kernels and loops index rows × cols values).
public func decodeShaped<Key: CodingKey, Element: Decodable>(_ c: KeyedDecodingContainer<Key>, rows rowsKey: Key, cols colsKey: Key,
                                                             values valuesKey: Key) throws -> (Int, Int, [Element]) {
    let rows = try c.decode(Int.self, forKey: rowsKey), cols = try c.decode(Int.self, forKey: colsKey)
    let values = try c.decode([Element].self, forKey: valuesKey)
    let (size, overflow) = rows.multipliedReportingOverflow(by: cols)
    guard rows >= 0, cols >= 0, !overflow, size == values.count else {
        throw DecodingError.dataCorruptedError(forKey: valuesKey, in: c, debugDescription: "\(values.count) values for a \(rows) × \(cols) matrix")
    }
    return (rows, cols, values)
}
