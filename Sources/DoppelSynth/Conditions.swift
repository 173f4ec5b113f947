import DoppelData

/// A condition on generated rows, such as `sex=Female` or `age>=65`.
public struct Condition: Sendable, Equatable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable { case equal = "=", greaterOrEqual = ">=", lessOrEqual = "<=", greater = ">", less = "<" }
    public var column: String
    public var op: Operator
    public var value: String

    public init(column: String, op: Operator, value: String) { self.column = column; self.op = op; self.value = value }

    public var description: String { "\(column)\(op.rawValue)\(value)" }

    /// The values of a choice (`race=asian|black` → ["asian", "black"]); one value otherwise.
    public var alternatives: [String] { value.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    /// Parses `"sex=Female,age>=65"` (comma-separated; each `column OP value`).
    public static func parseList(_ text: String) throws -> [Condition] {
        try text.split(separator: ",", omittingEmptySubsequences: true).map { try parse(String($0)) }
    }

    public static func parse(_ text: String) throws -> Condition {
        for op in [Operator.greaterOrEqual, .lessOrEqual, .greater, .less, .equal] {
            if let r = text.range(of: op.rawValue) {
                let col = text[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
                let val = text[r.upperBound...].trimmingCharacters(in: .whitespaces)
                guard !col.isEmpty, !val.isEmpty else { break }
                return Condition(column: col, op: op, value: val)
            }
        }
        throw DoppelError.usage(message: "cannot read condition '\(text)': write column=value, column>=number, column<=number, column>number or column<number")
    }
}

import Foundation
