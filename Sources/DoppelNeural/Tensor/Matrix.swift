import DoppelKernels
import DoppelMath
import Dispatch

/// A dense row-major matrix of `Float`, the one tensor shape the neural synthesizers need (a batch of
/// rows × features). A value type: copies share storage until one is written.
///
/// ```swift
/// var x = Matrix(rows: 2, cols: 3, repeating: 0)
/// x[1, 2] = 5
/// let y = Matrix.product(x, Matrix(rows: 3, cols: 4, repeating: 1))   // 2×4
/// ```
public struct Matrix: Sendable, Equatable, Codable {
    public private(set) var rows: Int
    public private(set) var cols: Int
    /// Row-major values: element (r, c) is `values[r * cols + c]`.
    public var values: [Float]

    public init(rows: Int, cols: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && cols >= 0)
        self.rows = rows; self.cols = cols
        values = [Float](repeating: value, count: rows * cols)
    }

    /// A matrix whose every element the caller writes before reading (a product's output with beta 0):
    /// no zero-filling pass. The initial contents are unspecified.
    public init(uninitializedRows rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0)
        self.rows = rows; self.cols = cols
        values = [Float](unsafeUninitializedCapacity: rows * cols) { _, count in count = rows * cols }
    }

    public init(rows: Int, cols: Int, values: [Float]) {
        precondition(values.count == rows * cols, "Matrix: \(values.count) values for \(rows)×\(cols)")
        self.rows = rows; self.cols = cols; self.values = values
    }

    private enum CodingKeys: String, CodingKey { case rows, cols, values }

    /// Decodes a matrix (a model file's weights), refusing a shape its values do not fill: the kernels
    /// read rows × cols values through raw pointers, so a file that other code wrote must not get past here
    /// with fewer.
    public init(from decoder: Decoder) throws {
        (rows, cols, values) = try decodeShaped(decoder.container(keyedBy: CodingKeys.self), rows: .rows, cols: .cols, values: .values)
    }

    @inlinable public subscript(r: Int, c: Int) -> Float {
        get { values[r * cols + c] }
        set { values[r * cols + c] = newValue }
    }

    public var count: Int { values.count }

    /// C = alpha · op(A) · op(B) + beta · C, with op the transpose when asked. Uses the packed AVX2 kernel
    /// of `DoppelKernels` (see `doppel_sgemm`).
    ///
    /// `cores: 2` computes the two halves of C's columns side by side when the product is large
    /// (≥ ``splitThreshold`` multiply-adds). The halves split at a multiple of the kernel's 16-column
    /// panel, so every element is computed exactly as in one call: the result is bit-identical.
    ///
    /// `firstColumns`: only the first columns of op(A)·op(B) are computed (C has that many columns),
    /// each element exactly as in the whole product — e.g. an input gradient g·Wᵀ for the first inputs of a
    /// layer only.
    ///
    /// `firstRows`: only the first rows of op(A) take part (C has that many rows) — e.g. a layer's product
    /// for the first rows of a batch whose other rows are formed otherwise.
    public static func gemm(_ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
                            alpha: Float = 1, beta: Float = 0, into c: inout Matrix, cores: Int = 1,
                            firstRows: Int? = nil, firstColumns: Int? = nil) {
        let allRows = transposeA ? a.cols : a.rows, k = transposeA ? a.rows : a.cols
        let m = firstRows ?? allRows
        precondition(m >= 0 && m <= allRows, "gemm: \(m) of \(allRows) rows")
        let kb = transposeB ? b.cols : b.rows, allColumns = transposeB ? b.rows : b.cols
        precondition(k == kb, "gemm: inner dimensions \(k) and \(kb) differ")
        let n = firstColumns ?? allColumns
        precondition(n >= 0 && n <= allColumns, "gemm: \(n) of \(allColumns) columns")
        if c.rows != m || c.cols != n {
            precondition(beta == 0, "gemm: output is \(c.rows)×\(c.cols), expected \(m)×\(n)")
            // With beta 0 every element is written and none read (K = 0 or alpha = 0 write zeros).
            c = Matrix(uninitializedRows: m, cols: n)
        }
        let panel = 16
        let split = cores > 1 && n >= 2 * panel && m * n * k >= splitThreshold ? (n / 2 + panel - 1) / panel * panel : n
        a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                c.values.withUnsafeMutableBufferPointer { pc in
                    let args = GemmArguments(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, beta: beta,
                                             a: pa.baseAddress, lda: a.cols, b: pb.baseAddress, ldb: b.cols, c: pc.baseAddress)
                    if split >= n {
                        args.columns(0, n)
                    } else {
                        DispatchQueue.concurrentPerform(iterations: 2) { h in h == 0 ? args.columns(0, split) : args.columns(split, n) }
                    }
                }
            }
        }
    }

    /// Multiply-adds from which ``gemm(_:transposeA:_:transposeB:alpha:beta:into:cores:)`` splits a product
    /// across cores (below it, handing half to another thread costs more than it saves).
    public static let splitThreshold = 4_000_000

    /// op(A) · op(B) as a new matrix.
    public static func product(_ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false) -> Matrix {
        var c = Matrix(rows: 0, cols: 0)
        gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: &c)
        return c
    }

    /// Adds `row` (length `cols`) to every row.
    public mutating func addRow(_ row: [Float]) {
        precondition(row.count == cols)
        let (r, n) = (rows, cols)
        values.withUnsafeMutableBufferPointer { v in
            row.withUnsafeBufferPointer { b in doppel_add_row(v.baseAddress, Int64(r), Int64(n), b.baseAddress) }
        }
    }

    /// Sum of each column (length `cols`), over the rows in order.
    public func columnSums() -> [Float] {
        var s = [Float](repeating: 0, count: cols)
        values.withUnsafeBufferPointer { v in
            s.withUnsafeMutableBufferPointer { o in doppel_column_sums(v.baseAddress, Int64(rows), Int64(cols), o.baseAddress) }
        }
        return s
    }

    /// Columns `start ..< start + width` as a new matrix.
    public func columns(_ start: Int, _ width: Int) -> Matrix {
        precondition(start >= 0 && start + width <= cols)
        var out = Matrix(rows: rows, cols: width)
        let n = cols
        values.withUnsafeBufferPointer { v in
            out.values.withUnsafeMutableBufferPointer { o in
                for r in 0..<rows { for c in 0..<width { o[r * width + c] = v[r * n + start + c] } }
            }
        }
        return out
    }

    /// The matrices side by side (all with the same number of rows).
    public static func concatenateColumns(_ parts: [Matrix]) -> Matrix {
        guard let first = parts.first else { return Matrix(rows: 0, cols: 0) }
        let rows = first.rows, width = parts.reduce(0) { $0 + $1.cols }
        var out = Matrix(uninitializedRows: rows, cols: width)
        var offset = 0
        out.values.withUnsafeMutableBufferPointer { o in
            for p in parts {
                precondition(p.rows == rows, "concatenateColumns: row counts differ")
                p.values.withUnsafeBufferPointer { v in
                    guard let src = v.baseAddress, let dst = o.baseAddress, p.cols > 0 else { return }
                    for r in 0..<rows { (dst + r * width + offset).update(from: src + r * p.cols, count: p.cols) }
                }
                offset += p.cols
            }
        }
        return out
    }

    /// Rows `range` as a new matrix.
    public func rows(_ range: Range<Int>) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows)
        return Matrix(rows: range.count, cols: cols, values: Array(values[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// Overwrites rows `start ..< start + source.rows` with `source` (same number of columns).
    public mutating func setRows(from start: Int, _ source: Matrix) {
        precondition(source.cols == cols && start >= 0 && start + source.rows <= rows)
        let offset = start * cols
        values.withUnsafeMutableBufferPointer { v in
            source.values.withUnsafeBufferPointer { s in for i in s.indices { v[offset + i] = s[i] } }
        }
    }

    /// Rows at `indices`, in that order.
    public func gatherRows(_ indices: [Int]) -> Matrix {
        var out = Matrix(uninitializedRows: indices.count, cols: cols)
        let n = cols
        values.withUnsafeBufferPointer { v in
            out.values.withUnsafeMutableBufferPointer { o in
                guard let src = v.baseAddress, let dst = o.baseAddress, n > 0 else { return }
                for (k, r) in indices.enumerated() {
                    precondition(r >= 0 && r < rows, "gatherRows: row \(r) of \(rows)")
                    (dst + k * n).update(from: src + r * n, count: n)
                }
            }
        }
        return out
    }

    /// Sum of squares of all elements.
    public var squaredNorm: Float {
        values.withUnsafeBufferPointer { v in
            var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
            var i = 0
            while i + 4 <= v.count { s0 += v[i] * v[i]; s1 += v[i + 1] * v[i + 1]; s2 += v[i + 2] * v[i + 2]; s3 += v[i + 3] * v[i + 3]; i += 4 }
            while i < v.count { s0 += v[i] * v[i]; i += 1 }
            return (s0 + s1) + (s2 + s3)
        }
    }

    /// Per-row sums of squares (length `rows`).
    public func rowSquaredNorms() -> [Float] {
        var out = [Float](repeating: 0, count: rows)
        let n = cols
        values.withUnsafeBufferPointer { v in
            for r in 0..<rows {
                var s: Float = 0
                for c in 0..<n { s += v[r * n + c] * v[r * n + c] }
                out[r] = s
            }
        }
        return out
    }

    /// Multiplies row r by `weights[r]`.
    public mutating func scaleRows(_ weights: [Float]) {
        precondition(weights.count == rows)
        let n = cols
        values.withUnsafeMutableBufferPointer { v in
            for r in 0..<rows { let w = weights[r]; for c in 0..<n { v[r * n + c] *= w } }
        }
    }
}

/// One product's operands, to compute a range of C's columns from any thread (the ranges are disjoint).
private struct GemmArguments: @unchecked Sendable {
    let transposeA: Bool, transposeB: Bool
    let m: Int, n: Int, k: Int
    let alpha: Float, beta: Float
    let a: UnsafePointer<Float>?, lda: Int
    let b: UnsafePointer<Float>?, ldb: Int
    let c: UnsafeMutablePointer<Float>?

    /// Columns [lo, hi) of C: op(B)'s columns start at column lo of B, or at row lo of a transposed B.
    func columns(_ lo: Int, _ hi: Int) {
        doppel_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, Int64(m), Int64(hi - lo), Int64(k), alpha,
                     a, Int64(lda), b.map { $0 + (transposeB ? lo * ldb : lo) }, Int64(ldb), beta, c.map { $0 + lo }, Int64(n))
    }
}
