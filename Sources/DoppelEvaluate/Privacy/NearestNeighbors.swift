import DoppelKernels
import DoppelMath

/// Exact nearest-neighbour search under the L1 distance, blocked and vectorised in the C kernel,
/// split across cores by blocks of queries. No subsampling.
public struct NearestNeighbors: Sendable {
    let refs: [Float]
    public let count: Int
    let width: Int          // padded to a multiple of 8
    public let dimension: Int

    /// `rows` reference rows of `dimension` doubles (row-major).
    public init(_ data: [Double], rows: Int, dimension: Int) {
        let w = (dimension + 7) / 8 * 8
        var r = [Float](repeating: 0, count: rows * w)
        for i in 0..<rows { for k in 0..<dimension { r[i * w + k] = Float(data[i * dimension + k]) } }
        refs = r; count = rows; width = w; self.dimension = dimension
    }

    public struct Result: Sendable {
        public var nearest: [Double]
        public var second: [Double]
        public var index: [Int]
    }

    /// Nearest and second-nearest distances for each query row. `exclude[i]` (optional) is a reference
    /// index skipped for query i (to search a set against itself).
    public func query(_ data: [Double], rows: Int, exclude: [Int]? = nil) -> Result {
        let w = width, d = dimension
        var q = [Float](repeating: 0, count: rows * w)
        for i in 0..<rows { for k in 0..<d { q[i * w + k] = Float(data[i * d + k]) } }
        let chunk = 1024
        let chunks = (rows + chunk - 1) / chunk
        let refsCopy = refs, nr = count
        let parts = (try? parallelMap(chunks) { c -> ([Float], [Float], [Int64]) in
            let lo = c * chunk, hi = min(rows, lo + chunk), m = hi - lo
            var best = [Float](repeating: 0, count: m), second = best
            var idx = [Int64](repeating: -1, count: m)
            let ex: [Int64]? = exclude.map { e in (lo..<hi).map { Int64(e[$0]) } }
            q.withUnsafeBufferPointer { qb in
                refsCopy.withUnsafeBufferPointer { rb in
                    if let ex {
                        ex.withUnsafeBufferPointer { eb in
                            doppel_l1_nearest2(qb.baseAddress! + lo * w, Int64(m), rb.baseAddress!, Int64(nr), Int64(w), eb.baseAddress!, &best, &second, &idx)
                        }
                    } else {
                        doppel_l1_nearest2(qb.baseAddress! + lo * w, Int64(m), rb.baseAddress!, Int64(nr), Int64(w), nil, &best, &second, &idx)
                    }
                }
            }
            return (best, second, idx)
        }) ?? []
        var r = Result(nearest: [], second: [], index: [])
        for (b, s, i) in parts {
            r.nearest += b.map(Double.init); r.second += s.map(Double.init); r.index += i.map { Int($0) }
        }
        return r
    }
}
