import Foundation

/// A junction tree over discrete variables: cliques connected in a tree so that the cliques holding any
/// one variable form a connected subtree (the running-intersection property). Built from the sets of
/// variables that were measured, by triangulating their graph with the greedy min-fill heuristic.
public struct JunctionTree: Codable, Sendable, Equatable {
    /// Sorted variables of each clique.
    public var cliques: [[Int]]
    /// Tree parent of each clique (nil for the root).
    public var parent: [Int?]
    /// Cliques in an order where every parent comes before its children (root first).
    public var order: [Int]

    /// Variables a clique shares with its parent.
    public func separator(_ c: Int) -> [Int] {
        guard let p = parent[c] else { return [] }
        let s = Set(cliques[p])
        return cliques[c].filter { s.contains($0) }
    }

    /// The first clique containing all of `variables`.
    public func clique(containing variables: [Int]) -> Int? {
        cliques.firstIndex { c in variables.allSatisfy { c.contains($0) } }
    }

    /// Total number of cells of the clique tables for these domain sizes.
    public func cells(_ sizes: [Int]) -> Double { cliques.reduce(0) { $0 + $1.reduce(1.0) { $0 * Double(sizes[$1]) } } }

    /// A junction tree whose cliques cover every set in `measured` and every variable `0..<sizes.count`.
    public static func build(covering measured: [[Int]], sizes: [Int]) -> JunctionTree {
        let d = sizes.count
        // adjacency as a d × d byte matrix: the size filter of AIM builds thousands of trees per round
        var adjacent = [UInt8](repeating: 0, count: d * d)
        for set in measured { for a in set { for b in set where a != b { adjacent[a * d + b] = 1 } } }
        // greedy min-fill elimination (ties: smaller clique table, then lower index)
        var alive = [Bool](repeating: true, count: d)
        var found: [[Int]] = []
        var around: [Int] = []
        for _ in 0..<d {
            var best = -1, bestFill = Int.max, bestCells = Double.infinity
            for v in 0..<d where alive[v] {
                around.removeAll(keepingCapacity: true)
                for u in 0..<d where alive[u] && adjacent[v * d + u] != 0 { around.append(u) }
                var fill = 0
                for i in around.indices { for j in (i + 1)..<around.count where adjacent[around[i] * d + around[j]] == 0 { fill += 1 } }
                guard fill <= bestFill else { continue }
                let cells = around.reduce(Double(sizes[v])) { $0 * Double(sizes[$1]) }
                if fill < bestFill || cells < bestCells { best = v; bestFill = fill; bestCells = cells }
            }
            var nb: [Int] = []
            for u in 0..<d where alive[u] && adjacent[best * d + u] != 0 { nb.append(u) }
            for x in nb { for y in nb where x != y { adjacent[x * d + y] = 1 } }
            found.append(([best] + nb).sorted())
            alive[best] = false
        }
        // keep maximal cliques
        var cliques: [[Int]] = []
        for c in found.sorted(by: { $0.count > $1.count }) where !cliques.contains(where: { big in c.allSatisfy { big.contains($0) } }) { cliques.append(c) }
        cliques.sort { $0.lexicographicallyPrecedes($1) }
        // maximum spanning tree on separator size (Kruskal); components joined by empty separators
        var edges: [(Int, Int, Int)] = []
        for i in cliques.indices { for j in (i + 1)..<cliques.count { edges.append((cliques[i].filter { cliques[j].contains($0) }.count, i, j)) } }
        edges.sort { $0.0 != $1.0 ? $0.0 > $1.0 : ($0.1, $0.2) < ($1.1, $1.2) }
        var root = Array(cliques.indices)
        func find(_ x: Int) -> Int { var x = x; while root[x] != x { root[x] = root[root[x]]; x = root[x] }; return x }
        var neighbours = [[Int]](repeating: [], count: cliques.count)
        for (_, i, j) in edges where find(i) != find(j) {
            root[find(i)] = find(j)
            neighbours[i].append(j); neighbours[j].append(i)
        }
        var parent = [Int?](repeating: nil, count: cliques.count)
        var order: [Int] = [], seen = Set<Int>()
        if !cliques.isEmpty {
            var queue = [0]; seen.insert(0)
            while !queue.isEmpty {
                let c = queue.removeFirst()
                order.append(c)
                for n in neighbours[c].sorted() where !seen.contains(n) { seen.insert(n); parent[n] = c; queue.append(n) }
            }
        }
        return JunctionTree(cliques: cliques, parent: parent, order: order)
    }
}

/// Sum-product calibration of a fixed junction tree on raw log-potential arrays, with every index map
/// computed once: mirror descent calibrates the same tree thousands of times.
struct CalibrationPlan {
    let tree: JunctionTree
    /// Per clique: for each of its entries, the entry of its separator with the parent.
    let toSeparator: [[Int]]
    /// Per clique: for each entry of its parent, the entry of the separator.
    let parentToSeparator: [[Int]]
    let separatorCount: [Int]

    init(_ tree: JunctionTree, sizes: [Int]) {
        self.tree = tree
        var a: [[Int]] = [], b: [[Int]] = [], counts: [Int] = []
        for c in tree.cliques.indices {
            let f = Factor(variables: tree.cliques[c], sizes: tree.cliques[c].map { sizes[$0] }, constant: 0)
            guard let p = tree.parent[c] else { a.append([]); b.append([]); counts.append(0); continue }
            let sep = tree.separator(c)
            let pf = Factor(variables: tree.cliques[p], sizes: tree.cliques[p].map { sizes[$0] }, constant: 0)
            a.append(f.indexMap(onto: sep)); b.append(pf.indexMap(onto: sep)); counts.append(sep.reduce(1) { $0 * sizes[$1] })
        }
        toSeparator = a; parentToSeparator = b; separatorCount = counts
    }

    static func logSumExp(_ values: [Double], grouped map: [Int], into count: Int, subtracting sub: [Double]? = nil, parentMap: [Int]? = nil) -> [Double] {
        var top = [Double](repeating: -.infinity, count: count)
        var acc = [Double](repeating: 0, count: count)
        values.withUnsafeBufferPointer { v in map.withUnsafeBufferPointer { m in
            top.withUnsafeMutableBufferPointer { t in acc.withUnsafeMutableBufferPointer { s in
                func value(_ i: Int) -> Double {
                    guard let sub else { return v[i] }
                    let d = sub[m[i]]
                    return d == -.infinity ? -.infinity : v[i] - d
                }
                for i in 0..<v.count { let x = value(i); if x > t[m[i]] { t[m[i]] = x } }
                for i in 0..<v.count where t[m[i]] > -.infinity { s[m[i]] += exp(value(i) - t[m[i]]) }
            } }
        } }
        for j in 0..<count { top[j] = top[j] == -.infinity ? -.infinity : top[j] + log(acc[j]) }
        return top
    }

    /// Calibrated log-beliefs for log-potentials `theta` (one array per clique, in `tree.cliques` layout).
    func calibrate(_ theta: [[Double]]) -> [[Double]] {
        var belief = theta
        var up = [[Double]](repeating: [], count: theta.count)
        for c in tree.order.reversed() {
            guard let p = tree.parent[c] else { continue }
            let m = CalibrationPlan.logSumExp(belief[c], grouped: toSeparator[c], into: separatorCount[c])
            up[c] = m
            let map = parentToSeparator[c]
            belief[p].withUnsafeMutableBufferPointer { bp in for i in 0..<bp.count { bp[i] += m[map[i]] } }
        }
        for c in tree.order {
            guard let p = tree.parent[c] else { continue }
            let down = CalibrationPlan.logSumExp(belief[p], grouped: parentToSeparator[c], into: separatorCount[c], subtracting: up[c])
            let map = toSeparator[c]
            belief[c].withUnsafeMutableBufferPointer { bc in for i in 0..<bc.count { bc[i] += down[map[i]] } }
        }
        return belief
    }
}
