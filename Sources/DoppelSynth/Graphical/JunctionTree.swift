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
        var adjacent = [Set<Int>](repeating: [], count: d)
        for set in measured { for a in set { for b in set where a != b { adjacent[a].insert(b) } } }
        // greedy min-fill elimination (ties: smaller clique table, then lower index)
        var alive = Set(0..<d)
        var found: [[Int]] = []
        while !alive.isEmpty {
            var best = -1, bestFill = Int.max, bestCells = Double.infinity
            for v in alive.sorted() {
                let nb = Array(adjacent[v])
                var fill = 0
                for i in nb.indices { for j in (i + 1)..<nb.count where !adjacent[nb[i]].contains(nb[j]) { fill += 1 } }
                let cells = nb.reduce(Double(sizes[v])) { $0 * Double(sizes[$1]) }
                if fill < bestFill || (fill == bestFill && cells < bestCells) { best = v; bestFill = fill; bestCells = cells }
            }
            let nb = adjacent[best]
            for a in nb { for b in nb where a != b { adjacent[a].insert(b) } }
            found.append(([best] + nb).sorted())
            for a in nb { adjacent[a].remove(best) }
            alive.remove(best)
        }
        // keep maximal cliques
        var cliques: [[Int]] = []
        for c in found.sorted(by: { $0.count > $1.count }) where !cliques.contains(where: { Set($0).isSuperset(of: c) }) { cliques.append(c) }
        cliques.sort { $0.lexicographicallyPrecedes($1) }
        // maximum spanning tree on separator size (Kruskal); components joined by empty separators
        var edges: [(Int, Int, Int)] = []
        for i in cliques.indices { for j in (i + 1)..<cliques.count { edges.append((Set(cliques[i]).intersection(cliques[j]).count, i, j)) } }
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
