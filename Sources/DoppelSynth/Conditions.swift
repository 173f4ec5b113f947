import DoppelData

/// A condition on generated rows, such as `sex=Female` or `age>=65`.
public struct Condition: Sendable, Equatable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable { case equal = "=", greaterOrEqual = ">=", lessOrEqual = "<=", greater = ">", less = "<" }
    public var column: String
    public var op: Operator
    public var value: String

    public init(column: String, op: Operator, value: String) { self.column = column; self.op = op; self.value = value }

    public var description: String { "\(column)\(op.rawValue)\(value)" }

    /// The values of a choice (`race=asian|black` → ["asian", "black"]); one value otherwise. A value in
    /// double quotes may hold `|`, `,` and operators (`dx="Lung, other"`; `""` inside stands for `"`).
    public var alternatives: [String] { Self.split(value, at: "|").map(Self.unquoted).filter { !$0.isEmpty } }

    /// Parses `"sex=Female,age>=65"` (comma-separated; each `column OP value`).
    public static func parseList(_ text: String) throws -> [Condition] {
        let list = try split(text, at: ",").filter { !$0.isEmpty }.map { try parse($0) }
        guard !list.isEmpty else { throw DoppelError.usage(message: "--where names no condition (give column=value, column>=x, …)") }
        return list
    }

    /// Parses one `column OP value`; a column name in double quotes may hold commas and operators
    /// (`"BP, systolic">=140`).
    public static func parse(_ text: String) throws -> Condition {
        let chars = Array(text)
        var inQuotes = [Bool](), quoted = false
        for ch in chars { if ch == "\"" { quoted.toggle() }; inQuotes.append(quoted) }
        for op in [Operator.greaterOrEqual, .lessOrEqual, .greater, .less, .equal] {
            let symbol = Array(op.rawValue)
            guard let at = chars.indices.first(where: { i in
                !inQuotes[i] && i + symbol.count <= chars.count && Array(chars[i..<(i + symbol.count)]) == symbol
            }) else { continue }
            let col = unquoted(String(chars[..<at]))
            let val = String(chars[(at + symbol.count)...]).trimmingCharacters(in: .whitespaces)
            guard !col.isEmpty, !val.isEmpty else { break }
            return Condition(column: col, op: op, value: val)
        }
        throw DoppelError.usage(message: "cannot read condition '\(text)': write column=value, column>=number, column<=number, column>number or column<number (a name or value holding commas or operators in double quotes)")
    }

    /// `text` split at `separator` where it is not inside double quotes (the quotes are kept).
    static func split(_ text: String, at separator: Character) -> [String] {
        var parts: [String] = [], current = "", quoted = false
        for ch in text {
            if ch == "\"" { quoted.toggle() }
            if ch == separator && !quoted { parts.append(current); current = "" } else { current.append(ch) }
        }
        parts.append(current)
        return parts
    }

    /// Trimmed text without its surrounding double quotes, `""` inside read as `"`; text not wholly in
    /// quotes is only trimmed.
    static func unquoted(_ text: String) -> String {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard t.count >= 2, t.first == "\"", t.last == "\"" else { return t }
        return String(t.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
    }
}

import Foundation

extension Condition {
    /// The category codes of a condition on a categorical column (`race=asian|black` → two codes), matched
    /// exactly, else ignoring case, else as a number (`edema=1` finds the code `1.0`); a name that is not a
    /// category is a condition error.
    func categoryCodes(in spec: ColumnSpec) throws -> [Int] {
        let cats = spec.categories ?? []
        guard !alternatives.isEmpty else { throw DoppelError.condition(message: "'\(self)' names no category of '\(column)'") }
        return try alternatives.map { v in
            let number = Double(v).flatMap { $0.isFinite ? $0 : nil }
            guard let code = cats.firstIndex(of: v) ?? cats.firstIndex(where: { $0.lowercased() == v.lowercased() })
                    ?? number.flatMap({ x in cats.firstIndex { Double($0) == x } }) else {
                throw DoppelError.condition(message: "'\(v)' is not a category of '\(column)' (categories: \(cats.prefix(20).joined(separator: ", "))\(cats.count > 20 ? ", … (\(cats.count) in all)" : ""))")
            }
            return code
        }
    }

    /// The number a condition on a numeric or datetime column compares with (a date in the column's
    /// layout becomes seconds), and the step between output values: a day or a second for dates, 10⁻ᵈ for
    /// a column printed with d ≤ 12 decimals, 0 when values are not rounded.
    func number(in spec: ColumnSpec) throws -> (value: Double, step: Double) {
        if spec.kind == .datetime, let f = spec.format {
            guard let v = Array(value.utf8).withUnsafeBufferPointer({ f.parse($0) }) else {
                throw DoppelError.condition(message: "'\(value)' is not a date in the format \(f.pattern) of '\(column)'")
            }
            return (v, f.isDateOnly ? 86400 : 1)
        }
        guard let v = Double(value), v.isFinite else { throw DoppelError.condition(message: "'\(value)' is not a number ('\(column)' is numeric)") }
        if let d = spec.decimals, d <= 12 { return (v, pow(10, -Double(d))) }
        return (v, 0)
    }
}

extension ColumnSpec {
    /// Synthetic values of the column are rounded to multiples of 1/scale: whole days or seconds for
    /// dates, the column's decimals for numbers (nil beyond 12 decimals, where rounding only adds float
    /// noise, and for other kinds).
    var outputScale: Double? {
        kind == .datetime
            ? (format?.isDateOnly == true ? 1 / 86400 : 1)
            : decimals.flatMap { $0 <= 12 ? pow(10, Double($0)) : nil }
    }

    /// A value as the column writes it (an integer column's 21, not 21.0; a date in its layout) for messages.
    public func display(_ v: Double) -> String {
        if kind == .datetime, let f = format { return f.format(v) }
        if integer == true || decimals == 0 { return String(format: "%.0f", v) }
        if let d = decimals, d <= 12 { return String(format: "%.\(d)f", v) }
        return "\(v)"
    }

    /// Rounds a synthetic value to the column's output grid (``outputScale``) and keeps it within the
    /// column's bounds, the bounds themselves taken to the nearest grid points inside them: a value held at
    /// a bound is then written with the column's decimals like every other, not as the real extreme's
    /// full digits (which the bounds of a fitted schema are).
    struct OutputGrid {
        let scale: Double?
        let lo: Double, hi: Double

        init(_ spec: ColumnSpec) {
            scale = spec.outputScale
            var lo = spec.min ?? -.infinity, hi = spec.max ?? .infinity
            if let s = scale, lo.isFinite || hi.isFinite {
                let l = lo.isFinite ? (lo * s).rounded(.up) / s : lo, h = hi.isFinite ? (hi * s).rounded(.down) / s : hi
                if l <= h { lo = l; hi = h } else { lo = (lo * s).rounded() / s; hi = lo }   // no grid point inside
            }
            self.lo = lo; self.hi = hi
        }

        @inline(__always) func callAsFunction(_ x: Double) -> Double {
            var x = x
            if let s = scale { x = (x * s).rounded() / s }
            return Swift.min(Swift.max(x, lo), hi)
        }
    }

    /// `m` missing values in this column's storage.
    func missingValues(_ m: Int) -> ColumnValues {
        switch kind {
        case .numeric, .datetime: return .numeric([Double](repeating: .nan, count: m))
        case .categorical: return .categorical(codes: [Int32](repeating: -1, count: m), levels: categories ?? [])
        case .identifier, .text: return .text([String?](repeating: nil, count: m))
        }
    }
}
