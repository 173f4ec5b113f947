import DoppelMath

/// The values of one column in typed, columnar storage.
public enum ColumnValues: Sendable {
    /// Numbers (numeric and datetime columns); `.nan` marks a missing value.
    case numeric([Double])
    /// Category codes into `levels`; `-1` marks a missing value.
    case categorical(codes: [Int32], levels: [String])
    /// Raw strings (identifier and text columns); `nil` marks a missing value.
    case text([String?])

    public var count: Int {
        switch self {
        case .numeric(let v): return v.count
        case .categorical(let c, _): return c.count
        case .text(let t): return t.count
        }
    }

    /// Whether row `i` is missing.
    @inlinable public func isMissing(_ i: Int) -> Bool {
        switch self {
        case .numeric(let v): return v[i].isNaN
        case .categorical(let c, _): return c[i] < 0
        case .text(let t): return t[i] == nil
        }
    }

    public var missingCount: Int {
        switch self {
        case .numeric(let v): return v.reduce(0) { $0 + ($1.isNaN ? 1 : 0) }
        case .categorical(let c, _): return c.reduce(0) { $0 + ($1 < 0 ? 1 : 0) }
        case .text(let t): return t.reduce(0) { $0 + ($1 == nil ? 1 : 0) }
        }
    }

    /// The rows at the given indices, in that order.
    public func gather(_ rows: [Int]) -> ColumnValues {
        switch self {
        case .numeric(let v): return .numeric(rows.map { v[$0] })
        case .categorical(let c, let l): return .categorical(codes: rows.map { c[$0] }, levels: l)
        case .text(let t): return .text(rows.map { t[$0] })
        }
    }
}

extension ColumnValues: Equatable {
    /// Equal when the same kind and the same values; missing numbers (NaN) compare equal to each other.
    public static func == (a: ColumnValues, b: ColumnValues) -> Bool {
        switch (a, b) {
        case let (.numeric(x), .numeric(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        case let (.categorical(c1, l1), .categorical(c2, l2)): return c1 == c2 && l1 == l2
        case let (.text(t1), .text(t2)): return t1 == t2
        default: return false
        }
    }
}

/// A named column.
public struct Column: Sendable, Equatable {
    public var name: String
    public var values: ColumnValues
    public init(name: String, values: ColumnValues) { self.name = name; self.values = values }
}

/// A typed, columnar table together with the schema that typed it.
public struct Table: Sendable, Equatable {
    public var schema: Schema
    public var columns: [Column]
    public var rowCount: Int

    public init(schema: Schema, columns: [Column]) {
        precondition(schema.columns.count == columns.count)
        self.schema = schema
        self.columns = columns
        rowCount = columns.first?.values.count ?? 0
    }

    public func column(named name: String) -> Column? { columns.first { $0.name == name } }

    /// The rows at the given indices (for splits and resampling).
    public func rows(_ indices: [Int]) -> Table {
        Table(schema: schema, columns: columns.map { Column(name: $0.name, values: $0.values.gather(indices)) })
    }

    /// A seeded random split into two tables with `fraction` of the rows in the first.
    public func split(fraction: Double, seed: UInt64) -> (Table, Table) {
        var rng = SeededGenerator(seed: seed)
        let order = rng.permutation(rowCount)
        let k = Int((Double(rowCount) * fraction).rounded())
        return (rows(Array(order[..<k]).sorted()), rows(Array(order[k...]).sorted()))
    }

    /// Each row's group among the rows sharing a value of `column` (numbered in order of appearance), and
    /// the number of groups; a row with no value is a group of its own.
    public func groups(by column: Int) -> (groupOf: [Int], count: Int) {
        var groupOf = [Int](repeating: 0, count: rowCount)
        var index: [String: Int] = [:]
        var count = 0
        func assign(_ i: Int, _ key: String?) {
            if let key { if let g = index[key] { groupOf[i] = g; return }; index[key] = count }
            groupOf[i] = count; count += 1
        }
        switch columns[column].values {
        case .numeric(let v): for i in 0..<rowCount { assign(i, v[i].isNaN ? nil : "\(v[i])") }
        case .categorical(let codes, _): for i in 0..<rowCount { assign(i, codes[i] < 0 ? nil : "\(codes[i])") }
        case .text(let t): for i in 0..<rowCount { assign(i, t[i]) }
        }
        return (groupOf, count)
    }

    /// Splits by groups: the rows sharing a value of column `group` (a patient's visits) all go to the same
    /// side. The groups are shuffled (seeded) and each goes to the first table when that brings it closer
    /// to `fraction` of the rows, else to the second; a row with no value is a group of its own. Returns
    /// the two tables, the number of groups and the rows of the largest.
    public func split(fraction: Double, seed: UInt64, group: Int) -> (Table, Table, groups: Int, largest: Int) {
        let (groupOf, count) = groups(by: group)
        var members = [[Int]](repeating: [], count: count)
        for i in 0..<rowCount { members[groupOf[i]].append(i) }
        var rng = SeededGenerator(seed: seed)
        let target = Int((Double(rowCount) * fraction).rounded())
        var first: [Int] = [], second: [Int] = []
        // Each group goes where it brings the first table closer to its target size.
        for g in rng.permutation(count) {
            if abs(first.count + members[g].count - target) < abs(first.count - target) { first += members[g] } else { second += members[g] }
        }
        // With two or more groups neither side is left empty: the smallest group crosses over.
        if count >= 2, second.isEmpty || first.isEmpty {
            let from = first.isEmpty ? second : first
            let smallest = Set(from.map { groupOf[$0] }).min { (members[$0].count, $0) < (members[$1].count, $1) }!
            let moved = members[smallest], kept = from.filter { groupOf[$0] != smallest }
            if first.isEmpty { first = moved; second = kept } else { first = kept; second = moved }
        }
        return (rows(first.sorted()), rows(second.sorted()), count, members.map(\.count).max() ?? 0)
    }
}
