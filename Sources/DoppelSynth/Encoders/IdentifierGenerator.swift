import DoppelData
/// Generates fresh identifier values of the input's shape that can never equal an input value.
///
/// The model keeps only the shape, never the values:
/// - all-digit identifiers continue past the largest input value (`max + 1 + row`), zero-padded to
///   the input width when the input was fixed-width, so they cannot collide;
/// - other identifiers follow the most common character template (digit / upper / lower / other);
///   letters alternate consonant and vowel so names stay pronounceable, and one position carries a
///   character that no input value has at that position (a "marker"), so no output can equal an input.
///   When every character is used at every position, the output is one character longer than any input.
///   The other positions spell the row's place in a seeded permutation of all the template's values, so
///   rows get distinct values; rows beyond the template's capacity (a 3-character template has 100)
///   carry extra letters instead of repeating values.
public struct IdentifierGenerator: Codable, Sendable, Equatable {
    public enum Shape: Codable, Sendable, Equatable {
        case sequential(start: Int64, width: Int)
        case template(classes: [UInt8], markerPosition: Int, marker: UInt8)
    }
    public var shape: Shape

    static let digit: UInt8 = 0x44, upper: UInt8 = 0x55, lower: UInt8 = 0x4C

    /// One generator per identifier column of `table` (nil for the other columns). With `numbered`
    /// (differentially private fits) nothing is learned from the values: the ids are 1, 2, 3, …
    public static func perColumn(of table: Table, numbered: Bool = false) -> [IdentifierGenerator?] {
        table.schema.columns.indices.map { j in
            guard table.schema.columns[j].kind == .identifier, case .text(let t) = table.columns[j].values else { return nil }
            return IdentifierGenerator(values: numbered ? ["0"] : t.compactMap { $0 })
        }
    }

    /// Refuses a model's per-column generators (``perColumn(of:numbered:)``) that do not match its schema —
    /// a model file that other code wrote; samplers index them by column. `prefix` starts the message.
    public static func checkPerColumn(_ generators: [IdentifierGenerator?], schema: Schema, prefix: String = "") throws {
        guard generators.count == schema.columns.count else {
            throw DoppelError.badModel(path: "model file", message: prefix + "identifier generators do not match the schema")
        }
        for g in generators.compactMap({ $0 }) { try g.check(prefix: prefix) }
    }

    /// Refuses a shape no fit writes and `value(row:seed:)` could not serve: a sequential start that
    /// would overflow when rows are added, or a padding or template longer than any input value can be.
    public func check(prefix: String = "") throws {
        let ok: Bool
        switch shape {
        case let .sequential(start, width): ok = (0...1_000_000_000_000_000_000).contains(start) && (0...64).contains(width)
        case let .template(classes, _, _): ok = classes.count <= 1 << 20
        }
        guard ok else { throw DoppelError.badModel(path: "model file", message: prefix + "an identifier generator is out of range") }
    }

    /// The values of rows `firstRow ..< firstRow + count` of a sampling run.
    public func column(rows count: Int, firstRow: Int, seed: UInt64) -> ColumnValues {
        .text((0..<count).map { value(row: firstRow + $0, seed: seed) })
    }

    /// Learns the shape from the non-missing input values.
    public init(values: [String]) {
        let digitsOnly = !values.isEmpty && values.allSatisfy { !$0.isEmpty && $0.utf8.count <= 18 && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        if digitsOnly {
            let maxValue = values.compactMap { Int64($0) }.max() ?? 0
            let widths = Set(values.map { $0.utf8.count })
            let fixed = widths.count == 1 && values.contains { $0.hasPrefix("0") }
            shape = .sequential(start: maxValue + 1, width: fixed ? widths.first! : 0)
            return
        }
        // Most common template.
        var counts: [[UInt8]: Int] = [:]
        for v in values { counts[IdentifierGenerator.template(of: v), default: 0] += 1 }
        let classes = counts.max { a, b in a.value != b.value ? a.value < b.value : a.key.lexicographicallyPrecedes(b.key) }?.key ?? [IdentifierGenerator.upper]
        // Characters used at each position by any input value.
        var used = [Set<UInt8>](repeating: [], count: classes.count)
        for v in values { for (p, b) in v.utf8.enumerated() where p < classes.count { used[p].insert(b) } }
        for p in 0..<classes.count {
            let pool = IdentifierGenerator.pool(classes[p], position: p)
            if let free = pool.first(where: { !used[p].contains($0) }) {
                shape = .template(classes: classes, markerPosition: p, marker: free)
                return
            }
        }
        let longest = values.map { $0.utf8.count }.max() ?? 0
        var longer = classes
        while longer.count <= longest { longer.append(IdentifierGenerator.lower) }
        shape = .template(classes: longer, markerPosition: longer.count - 1, marker: 0x71)
    }

    static func template(of s: String) -> [UInt8] {
        s.utf8.map { b in
            if b >= 0x30 && b <= 0x39 { return digit }
            if b >= 0x41 && b <= 0x5A { return upper }
            if b >= 0x61 && b <= 0x7A { return lower }
            return b
        }
    }

    static let consonants = Array("bcdfghjklmnprstvwxz".utf8), vowels = Array("aeiou".utf8)

    static func pool(_ cls: UInt8, position: Int) -> [UInt8] {
        switch cls {
        case digit: return Array("0123456789".utf8)
        case upper: return (position % 2 == 0 ? consonants : vowels).map { $0 - 32 }
        case lower: return position % 2 == 0 ? consonants : vowels
        default: return [cls]
        }
    }

    /// The identifier for global row `row` (deterministic in `seed` and `row` only).
    public func value(row: Int, seed: UInt64) -> String {
        switch shape {
        case let .sequential(start, width):
            let s = String(start + Int64(row))
            return width > s.count ? String(repeating: "0", count: width - s.count) + s : s
        case let .template(classes, markerPosition, marker):
            // The free positions form a mixed-radix numeral with ∏ pool sizes values (capped at 2⁶⁴ − 1).
            let free = classes.indices.filter { $0 != markerPosition }.map { IdentifierGenerator.pool(classes[$0], position: $0) }
            let capacity = free.reduce(UInt64(1)) { c, pool in
                let (v, overflow) = c.multipliedReportingOverflow(by: UInt64(pool.count))
                return overflow ? .max : v
            }
            let r = UInt64(row), block = r / capacity
            // A seeded affine permutation of 0 ..< capacity: the multiplier is a prime that divides no
            // capacity (pool sizes are 1, 5, 10 and 19; 2⁶⁴ − 1's factors are other primes).
            let shift = SplitMixHash.mix(seed, 0x6964) % capacity
            let product = (r % capacity).multipliedFullWidth(by: 2_654_435_761)
            let x = capacity.dividingFullWidth((product.high, product.low)).remainder
            let sum = x &+ shift
            var k = sum < x || sum >= capacity ? sum &- capacity : sum   // (x + shift) mod capacity, without overflow
            var out = [UInt8](repeating: marker, count: classes.count)
            var at = classes.count - 1
            for pool in free.reversed() {
                if at == markerPosition { at -= 1 }
                out[at] = pool[Int(k % UInt64(pool.count))]
                k /= UInt64(pool.count)
                at -= 1
            }
            // Rows past the capacity: the block number in bijective base 19, as lowercase consonants.
            var b = block
            while b > 0 { out.append(IdentifierGenerator.consonants[Int((b - 1) % 19)]); b = (b - 1) / 19 }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

enum SplitMixHash {
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var z = a &+ 0x9E37_79B9_7F4A_7C15 &* (b &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
