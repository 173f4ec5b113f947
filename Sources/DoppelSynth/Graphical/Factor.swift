import Foundation

/// A table of numbers over the joint values of a few discrete variables: a marginal, a potential or a
/// log-potential. A value with small algebraic methods, after Private-PGM's `Factor`.
///
/// `variables` are sorted ascending; `values` are row-major over them (the last variable varies
/// fastest), so a factor over (age, sex) with sizes (3, 2) stores
/// `[a0s0, a0s1, a1s0, a1s1, a2s0, a2s1]`.
///
/// ```swift
/// let joint = Factor(variables: [0, 1], sizes: [3, 2], values: [1, 2, 3, 4, 5, 6])
/// joint.sum(onto: [1]).values          // [9, 12]
/// ```
public struct Factor: Codable, Sendable, Equatable {
    public let variables: [Int]
    public let sizes: [Int]
    public var values: [Double]

    public init(variables: [Int], sizes: [Int], values: [Double]) {
        precondition(variables.count == sizes.count && zip(variables, variables.dropFirst()).allSatisfy { $0 < $1 })
        precondition(values.count == sizes.reduce(1, *))
        self.variables = variables; self.sizes = sizes; self.values = values
    }

    /// A factor with every entry equal to `value`.
    public init(variables: [Int], sizes: [Int], constant value: Double) {
        self.init(variables: variables, sizes: sizes, values: [Double](repeating: value, count: sizes.reduce(1, *)))
    }

    public var count: Int { values.count }

    /// The sizes of `subset` (a subset of this factor's variables).
    func sizes(of subset: [Int]) -> [Int] { subset.map { sizes[variables.firstIndex(of: $0)!] } }

    /// For every entry of this factor, the index of the matching entry of a factor over `subset`
    /// (which must be a sorted subset of `variables`).
    func indexMap(onto subset: [Int]) -> [Int] {
        let positions = subset.map { variables.firstIndex(of: $0)! }
        var multiplier = [Int](repeating: 0, count: variables.count)
        var m = 1
        for (k, p) in positions.enumerated().reversed() { multiplier[p] = m; m *= sizes[positions[k]] }
        var map = [Int](repeating: 0, count: count)
        var digits = [Int](repeating: 0, count: variables.count)
        var index = 0
        for i in 0..<count {
            map[i] = index
            var k = variables.count - 1                 // odometer, last digit fastest
            while k >= 0 {
                digits[k] += 1; index += multiplier[k]
                if digits[k] < sizes[k] { break }
                index -= multiplier[k] * sizes[k]; digits[k] = 0; k -= 1
            }
        }
        return map
    }

    /// Σ over the variables not in `subset`.
    public func sum(onto subset: [Int]) -> Factor {
        let s = sizes(of: subset)
        var out = [Double](repeating: 0, count: s.reduce(1, *))
        for (i, j) in indexMap(onto: subset).enumerated() { out[j] += values[i] }
        return Factor(variables: subset, sizes: s, values: out)
    }

    /// log Σ exp over the variables not in `subset` (for log-potentials; −∞ entries are fine).
    public func logSumExp(onto subset: [Int]) -> Factor {
        let s = sizes(of: subset)
        let map = indexMap(onto: subset)
        var top = [Double](repeating: -.infinity, count: s.reduce(1, *))
        for (i, j) in map.enumerated() where values[i] > top[j] { top[j] = values[i] }
        var acc = [Double](repeating: 0, count: top.count)
        for (i, j) in map.enumerated() where top[j] > -.infinity { acc[j] += exp(values[i] - top[j]) }
        return Factor(variables: subset, sizes: s, values: zip(top, acc).map { $0 == -.infinity ? -.infinity : $0 + log($1) })
    }

    /// This factor plus `other` (whose variables are a subset), broadcast.
    public func adding(_ other: Factor) -> Factor {
        var out = self
        for (i, j) in indexMap(onto: other.variables).enumerated() { out.values[i] += other.values[j] }
        return out
    }

    /// This factor minus `other` (a subset), broadcast; −∞ − (−∞) is −∞.
    public func subtracting(_ other: Factor) -> Factor {
        var out = self
        for (i, j) in indexMap(onto: other.variables).enumerated() {
            out.values[i] = other.values[j] == -.infinity ? -.infinity : out.values[i] - other.values[j]
        }
        return out
    }

    /// The same numbers with the variables in `order` (a permutation of `variables`), row-major in that
    /// order. The result is not a `Factor` (its variables are not sorted): it is a plain array.
    func values(inOrder order: [Int]) -> [Double] {
        let positions = order.map { variables.firstIndex(of: $0)! }
        var stride = [Int](repeating: 0, count: variables.count)
        var m = 1
        for k in variables.indices.reversed() { stride[k] = m; m *= sizes[k] }
        var out = [Double](repeating: 0, count: count)
        var digits = [Int](repeating: 0, count: order.count)
        var source = 0
        for i in 0..<count {
            out[i] = values[source]
            var k = order.count - 1
            while k >= 0 {
                let p = positions[k]
                digits[k] += 1; source += stride[p]
                if digits[k] < sizes[p] { break }
                source -= stride[p] * sizes[p]; digits[k] = 0; k -= 1
            }
        }
        return out
    }
}

extension Factor {
    /// The number of cells of a table over variables of these sizes (their product), or nil when it
    /// overflows `Int` (checked before a table from a model file is indexed).
    public static func cellCount(_ sizes: [Int]) -> Int? {
        var cells = 1
        for s in sizes {
            let (product, overflow) = cells.multipliedReportingOverflow(by: s)
            if overflow { return nil }
            cells = product
        }
        return cells
    }

    /// The product of two factors over the union of their variables.
    public static func product(_ x: Factor, _ y: Factor) -> Factor {
        var variables: [Int] = [], sizes: [Int] = []
        var i = 0, j = 0
        while i < x.variables.count || j < y.variables.count {
            if j == y.variables.count || (i < x.variables.count && x.variables[i] < y.variables[j]) {
                variables.append(x.variables[i]); sizes.append(x.sizes[i]); i += 1
            } else if i == x.variables.count || y.variables[j] < x.variables[i] {
                variables.append(y.variables[j]); sizes.append(y.sizes[j]); j += 1
            } else {
                variables.append(x.variables[i]); sizes.append(x.sizes[i]); i += 1; j += 1
            }
        }
        var out = Factor(variables: variables, sizes: sizes, constant: 1)
        let mx = out.indexMap(onto: x.variables), my = out.indexMap(onto: y.variables)
        for k in out.values.indices { out.values[k] = x.values[mx[k]] * y.values[my[k]] }
        return out
    }

    /// This factor divided by `other` (a subset), broadcast; 0 where the divisor is 0.
    public func dividing(_ other: Factor) -> Factor {
        var out = self
        for (i, j) in indexMap(onto: other.variables).enumerated() { out.values[i] = other.values[j] > 0 ? out.values[i] / other.values[j] : 0 }
        return out
    }
}
