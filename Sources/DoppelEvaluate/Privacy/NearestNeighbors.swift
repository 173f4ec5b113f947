import Foundation
import DoppelKernels
import DoppelMath

/// Exact nearest-neighbour search under the L1 distance, blocked and vectorised in the C kernel,
/// split across cores by blocks of queries. No subsampling.
public struct NearestNeighbors: Sendable {
    public enum Metric: Sendable { case l1, gower }
    public let metric: Metric
    let refs: [Float]
    public let count: Int
    let width: Int          // padded to a multiple of 8
    public let dimension: Int

    /// `rows` reference rows of `dimension` doubles (row-major).
    public init(_ data: [Double], rows: Int, dimension: Int, metric: Metric = .l1) {
        self.metric = metric
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
        let search = metric == .gower ? doppel_gower_nearest2 : doppel_l1_nearest2
        let parts = (try? parallelMap(chunks) { c -> ([Float], [Float], [Int64]) in
            let lo = c * chunk, hi = min(rows, lo + chunk), m = hi - lo
            var best = [Float](repeating: 0, count: m), second = best
            var idx = [Int64](repeating: -1, count: m)
            let ex: [Int64]? = exclude.map { e in (lo..<hi).map { Int64(e[$0]) } }
            q.withUnsafeBufferPointer { qb in
                refsCopy.withUnsafeBufferPointer { rb in
                    if let ex {
                        ex.withUnsafeBufferPointer { eb in
                            search(qb.baseAddress! + lo * w, Int64(m), rb.baseAddress!, Int64(nr), Int64(w), eb.baseAddress!, &best, &second, &idx)
                        }
                    } else {
                        search(qb.baseAddress! + lo * w, Int64(m), rb.baseAddress!, Int64(nr), Int64(w), nil, &best, &second, &idx)
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

/// All-pairs Gower search between two row sets in one pass (the C kernel `doppel_gower_cross`),
/// giving nearest neighbours in both directions at once. Exact; no subsampling.
public enum GowerCross {
    public struct Result: Sendable {
        /// Per query row: nearest and second-nearest distance (sum over columns), nearest reference index.
        public var nearest: [Double]
        public var second: [Double]
        public var index: [Int]
        /// Per query row: nearest distance among the references in the subset (when one was given).
        public var nearestInSubset: [Double]
        /// Per reference row: nearest distance to any query row.
        public var referenceNearest: [Double]
    }

    /// `queries` (nq × d) against `references` (nr × d), row-major, Gower-encoded (``FeatureEncoder``, `.gower`).
    public static func search(queries: [Double], rows nq: Int, references: [Double], rows nr: Int, dimension d: Int,
                              subset: [Bool]? = nil) -> Result {
        let blocks = (nr + 7) / 8
        var blocked = [Float](repeating: 0, count: max(blocks, 1) * d * 8)
        for j in 0..<nr { for k in 0..<d { blocked[((j / 8) * d + k) * 8 + j % 8] = Float(references[j * d + k]) } }
        let q = queries.map(Float.init)
        let mask: [UInt8]? = subset.map { $0.map { $0 ? 1 : 0 } }
        let chunks = max(1, min(4 * ProcessInfo.processInfo.activeProcessorCount, (nq + 255) / 256))
        let parts = (try? parallelMap(chunks) { c -> ([Float], [Float], [Int64], [Float], [Float]) in
            let lo = nq * c / chunks, hi = nq * (c + 1) / chunks, m = hi - lo
            var best = [Float](repeating: 0, count: m), second = best, inSub = best
            var idx = [Int64](repeating: -1, count: m)
            var refBest = [Float](repeating: .greatestFiniteMagnitude, count: nr)
            q.withUnsafeBufferPointer { qb in
                blocked.withUnsafeBufferPointer { rb in
                    if let mask {
                        mask.withUnsafeBufferPointer { mb in
                            doppel_gower_cross(qb.baseAddress! + lo * d, Int64(m), rb.baseAddress!, Int64(nr), Int64(d), mb.baseAddress!,
                                               &best, &second, &idx, &inSub, &refBest)
                        }
                    } else {
                        doppel_gower_cross(qb.baseAddress! + lo * d, Int64(m), rb.baseAddress!, Int64(nr), Int64(d), nil,
                                           &best, &second, &idx, &inSub, &refBest)
                    }
                }
            }
            return (best, second, idx, inSub, refBest)
        }) ?? []
        var r = Result(nearest: [], second: [], index: [], nearestInSubset: [], referenceNearest: [Double](repeating: .infinity, count: nr))
        for (b, s, i, sb, rb) in parts {
            r.nearest += b.map(Double.init); r.second += s.map(Double.init); r.index += i.map { Int($0) }
            r.nearestInSubset += sb.map(Double.init)
            for j in 0..<nr { r.referenceNearest[j] = min(r.referenceNearest[j], Double(rb[j])) }
        }
        return r
    }
}
