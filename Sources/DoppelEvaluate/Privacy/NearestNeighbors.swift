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
    ///
    /// The kernel abandons a pair once its partial sum can no longer change any output (exact: see
    /// `doppel_gower_cross`). Three things make that happen early: coordinates are visited in decreasing
    /// order of their mean distance over a sample of pairs; both sets are laid out in k-d order, so a
    /// tile of queries × references holds similar rows and each query group starts its scan at the
    /// reference leaf it falls in; and every reference's nearest-query distance starts from its distance
    /// to the queries of its own neighbourhood. For a given coordinate order the distances do not depend
    /// on any of this; on an exact tie the reported nearest index is one of the tied rows.
    ///
    /// `coordinates` fixes the order in which the float sum visits the coordinates (default: the order
    /// that prunes best for these two sets). Searches whose distances are compared with each other must
    /// share one order, so that the same pair of rows gets the same float sum in each (an order that is
    /// not a permutation of the coordinates is ignored).
    public static func search(queries: [Double], rows nq: Int, references: [Double], rows nr: Int, dimension d: Int,
                              subset: [Bool]? = nil, coordinates: [Int]? = nil) -> Result {
        let coords = coordinates.flatMap { $0.sorted() == Array(0..<d) ? $0 : nil }
            ?? coordinateOrder(queries: queries, rows: nq, references: references, rows: nr, dimension: d)
        func reordered(_ x: [Double], _ n: Int) -> [Float] {
            var out = [Float](repeating: 0, count: n * d)
            for i in 0..<n { for (k, c) in coords.enumerated() { out[i * d + k] = Float(x[i * d + c]) } }
            return out
        }
        let refRows = reordered(references, nr), queryRows = reordered(queries, nq)
        let refTree = KDOrder(refRows, rows: nr, dimension: d)
        let blocks = (nr + 7) / 8
        var blocked = [Float](repeating: 0, count: max(blocks, 1) * d * 8)
        for (p, j) in refTree.order.enumerated() { for k in 0..<d { blocked[((p / 8) * d + k) * 8 + p % 8] = refRows[j * d + k] } }
        // Queries in the order of the reference leaf they fall in: a kernel group of queries shares its
        // neighbourhood and starts its scan a few blocks before its first query's leaf.
        let leaf = queryRows.withUnsafeBufferPointer { qb in (0..<nq).map { refTree.leafStart(qb.baseAddress! + $0 * d) } }
        let queryOrder = (0..<nq).sorted { leaf[$0] != leaf[$1] ? leaf[$0] < leaf[$1] : $0 < $1 }
        var q = [Float](repeating: 0, count: nq * d)
        for (p, i) in queryOrder.enumerated() { for k in 0..<d { q[p * d + k] = queryRows[i * d + k] } }
        var start = [Int64](repeating: 0, count: nq)
        for p in 0..<nq { start[p] = Int64(max(0, leaf[queryOrder[p]] / 8 - 4)) }
        let mask: [UInt8]? = subset.map { s in refTree.order.map { s[$0] ? 1 : 0 } }
        // 16-bit copies for the kernel's lower-bound filter: references in blocks of 16.
        let blocks16 = (nr + 15) / 16
        var blocked16 = [Int16](repeating: 0, count: max(blocks16, 1) * d * 16)
        var q16 = [Int16](repeating: 0, count: nq * d)
        do {
            var r16 = [Int16](repeating: 0, count: nr * d)
            doppel_gower_quantize(refRows, Int64(nr * d), &r16)
            for (p, j) in refTree.order.enumerated() { for k in 0..<d { blocked16[((p / 16) * d + k) * 16 + p % 16] = r16[j * d + k] } }
            doppel_gower_quantize(q, Int64(nq * d), &q16)
        }
        func kernel(_ lo: Int, _ m: Int, scan: Int, _ best: inout [Float], _ second: inout [Float], _ idx: inout [Int64],
                    _ inSub: inout [Float], _ refBest: inout [Float]) {
            q.withUnsafeBufferPointer { qb in
                blocked.withUnsafeBufferPointer { rb in
                    start.withUnsafeBufferPointer { sb in
                        let mb = mask ?? []
                        mb.withUnsafeBufferPointer { mp in
                            q16.withUnsafeBufferPointer { q16b in
                                blocked16.withUnsafeBufferPointer { r16 in
                                    _ = doppel_gower_cross_q16(qb.baseAddress! + lo * d, q16b.baseAddress! + lo * d, Int64(m), rb.baseAddress!,
                                                               r16.baseAddress!, Int64(nr), Int64(d), mask == nil ? nil : mp.baseAddress,
                                                               sb.baseAddress! + lo, Int64(scan), &best, &second, &idx, &inSub, &refBest)
                                }
                            }
                        }
                    }
                }
            }
        }
        // Seed each reference's nearest-query distance from the queries of its own neighbourhood (every
        // group against 8 blocks around its leaf): a distance achieved, so an upper bound of the minimum.
        var seed = [Float](repeating: .greatestFiniteMagnitude, count: nr)
        if nq > 0 {
            var b = [Float](repeating: 0, count: nq), b2 = b, bs = b, ix = [Int64](repeating: -1, count: nq)
            kernel(0, nq, scan: 8, &b, &b2, &ix, &bs, &seed)
        }
        // Chunks start at multiples of 4 queries, so that the kernel's groups line up with the float kernel's.
        let groups = (nq + 3) / 4
        let chunks = max(1, min(4 * ProcessInfo.processInfo.activeProcessorCount, (nq + 255) / 256))
        let parts = (try? parallelMap(chunks) { c -> ([Float], [Float], [Int64], [Float], [Float]) in
            let lo = min(nq, 4 * (groups * c / chunks)), hi = min(nq, 4 * (groups * (c + 1) / chunks)), m = hi - lo
            var refBest = seed
            var best = [Float](repeating: 0, count: m), second = best, inSub = best
            var idx = [Int64](repeating: -1, count: m)
            kernel(lo, m, scan: 0, &best, &second, &idx, &inSub, &refBest)
            return (best, second, idx, inSub, refBest)
        }) ?? []
        var r = Result(nearest: [Double](repeating: 0, count: nq), second: [Double](repeating: 0, count: nq),
                       index: [Int](repeating: -1, count: nq), nearestInSubset: [Double](repeating: 0, count: nq),
                       referenceNearest: [Double](repeating: .infinity, count: nr))
        var p = 0
        for (b, s, ix, sb, rb) in parts {
            for u in b.indices {
                let i = queryOrder[p + u]
                r.nearest[i] = Double(b[u]); r.second[i] = Double(s[u]); r.nearestInSubset[i] = Double(sb[u])
                r.index[i] = ix[u] >= 0 ? refTree.order[Int(ix[u])] : -1
            }
            p += b.count
            for (pos, j) in refTree.order.enumerated() { r.referenceNearest[j] = min(r.referenceNearest[j], Double(rb[pos])) }
        }
        return r
    }

    /// Coordinates by decreasing mean capped distance over a fixed spread of (query, reference) pairs.
    public static func coordinateOrder(queries: [Double], rows nq: Int, references: [Double], rows nr: Int, dimension d: Int) -> [Int] {
        guard nq > 0, nr > 0 else { return Array(0..<d) }
        var mean = [Double](repeating: 0, count: d)
        let pairs = 2048
        for p in 0..<pairs {
            let i = (p * 7919) % nq, j = (p * 104_729 + p / nq) % nr
            for k in 0..<d { mean[k] += min(abs(queries[i * d + k] - references[j * d + k]), 1) }
        }
        return (0..<d).sorted { mean[$0] != mean[$1] ? mean[$0] > mean[$1] : $0 < $1 }
    }
}

/// Rows in k-d order: each node splits its rows at the median of the coordinate along which a sample
/// of them is most spread (mean capped distance to the sample median), down to leaves of 8 rows.
/// Rows close in this order are close in the space, which is what the pruned Gower search needs.
struct KDOrder {
    /// Position → row.
    private(set) var order: [Int]
    private var nodes: [(coord: Int, value: Float, left: Int, right: Int, lo: Int)] = []
    private let x: [Float]
    private let d: Int

    init(_ x: [Float], rows n: Int, dimension d: Int, leaf: Int = 8) {
        self.x = x; self.d = d
        order = Array(0..<n)
        var stack = [(node: 0, lo: 0, hi: n)]
        nodes.append((-1, 0, -1, -1, 0))
        var keyed: [(Float, Int)] = []
        var sample = [Float](repeating: 0, count: 128)
        while let (id, lo, hi) = stack.popLast() {
            nodes[id].lo = lo
            guard hi - lo > leaf, d > 0 else { continue }
            let step = max(1, (hi - lo) / 64)
            var bestCoord = -1, bestSpread = 0.0
            for k in 0..<d {
                var count = 0
                for p in stride(from: lo, to: hi, by: step) { sample[count] = x[order[p] * d + k]; count += 1 }
                let med = sample.withUnsafeMutableBufferPointer { b -> Float in
                    var part = UnsafeMutableBufferPointer(rebasing: b[0..<count])
                    part.sort()   // in place: no array per coordinate
                    return b[count / 2]
                }
                var spread = 0.0
                for a in 0..<count { spread += Double(min(abs(sample[a] - med), 1)) }
                if spread > bestSpread { bestSpread = spread; bestCoord = k }
            }
            guard bestCoord >= 0 else { continue }
            keyed.removeAll(keepingCapacity: true)
            for p in lo..<hi { keyed.append((x[order[p] * d + bestCoord], order[p])) }
            keyed.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            for (o, e) in keyed.enumerated() { order[lo + o] = e.1 }
            // Split where the value changes, nearest the median, so equal values share a side and a point
            // descends to where its duplicates are.
            let half = (hi - lo) / 2
            var cut = -1
            for off in 0..<half {
                if keyed[half - off - 1].0 < keyed[half - off].0 { cut = half - off; break }
                if half + off + 1 < keyed.count, keyed[half + off].0 < keyed[half + off + 1].0 { cut = half + off + 1; break }
            }
            guard cut > 0 else { continue }
            let mid = lo + cut
            let left = nodes.count
            nodes.append((-1, 0, -1, -1, lo)); nodes.append((-1, 0, -1, -1, mid))
            nodes[id].coord = bestCoord; nodes[id].value = keyed[mid - lo].0
            nodes[id].left = left; nodes[id].right = left + 1
            stack.append((left, lo, mid)); stack.append((left + 1, mid, hi))
        }
    }

    /// Position of the first row of the leaf a point falls in.
    func leafStart(_ point: UnsafePointer<Float>) -> Int {
        var id = 0
        while nodes[id].coord >= 0 { id = point[nodes[id].coord] < nodes[id].value ? nodes[id].left : nodes[id].right }
        return nodes[id].lo
    }
}
