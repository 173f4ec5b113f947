import Foundation

/// What a column holds, which decides how it is modelled.
public enum ColumnKind: String, Codable, Sendable, CaseIterable {
    /// "a numeric", "an identifier", … (for messages).
    public var withArticle: String { (rawValue.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + rawValue }

    /// Numbers (integer or decimal), modelled with their distribution.
    case numeric
    /// A finite set of labels (including booleans), modelled with their frequencies.
    case categorical
    /// Dates or date-times, modelled as numbers and printed in the original layout.
    case datetime
    /// Direct identifiers (record numbers, names, codes): never modelled, regenerated as fresh values.
    case identifier
    /// Free text: never modelled; left empty in synthetic output and reported.
    case text
}

/// What a column means to the evaluation and privacy checks.
public enum ColumnRole: String, Codable, Sendable, CaseIterable {
    case target
    case sensitive
    case quasiIdentifier = "quasi-identifier"
}

/// The description of one column in a schema file. Fields that do not apply to the kind are omitted.
public struct ColumnSpec: Codable, Equatable, Sendable {
    public var name: String
    public var kind: ColumnKind
    public var roles: [ColumnRole]
    /// Numeric: whether every value is a whole number.
    public var integer: Bool?
    /// Numeric: digits after the decimal point to print — the fewest that write 99% of the observed values
    /// exactly (a handful of values with more digits would otherwise give every synthetic value those
    /// digits, which tells synthetic rows from real ones); nil keeps full precision.
    public var decimals: Int?
    /// Numeric: the fewest decimals the file writes a value with, when that differs from ``decimals``
    /// (`97.0` in a column of whole numbers, `45.0` beside `33.45`). Values are then written with at least
    /// this many decimals and without trailing zeros beyond it, so `45.0` stays `45.0`, not `45.00` or `45`.
    public var writtenDecimals: Int?
    /// Numeric and datetime bounds; synthetic values are kept inside them. Datetime bounds are in the column's format.
    public var min: Double?
    public var max: Double?
    /// Categorical: the allowed labels. Omitted: learned from the data.
    public var categories: [String]?
    /// Categorical: the labels are boolean spellings (true/false, yes/no, t/f, y/n).
    public var boolean: Bool?
    /// Datetime: the layout, e.g. `%Y-%m-%d` or `%d/%m/%Y %H:%M`.
    public var format: DateTimeFormat?
    /// Identifier: what it looks like it identifies (record number, name, code).
    public var identifierType: String?
    /// Share of missing values when inferred. Informational, except that under differential privacy a
    /// value of 0 declares the column never missing (see ``declaredNeverMissing``).
    public var missingRate: Double?

    /// The schema states the column is never missing (`missingRate` 0). Under differential privacy this
    /// is part of the public domain, like bounds and categories: such a column gets no "missing" code.
    public var declaredNeverMissing: Bool { missingRate == 0 }

    /// Under differential privacy: whether the column may be missing, from the schema alone (a column
    /// declared never missing must have no missing value in the data, or the schema is wrong).
    public func privateMayBeMissing(dataHasMissing: Bool) throws -> Bool {
        guard declaredNeverMissing else { return true }
        if dataHasMissing {
            throw DoppelError.schema(message: "the schema says '\(name)' is never missing (missingRate 0), but the training file has missing values in it: correct missingRate (or leave it out) in the schema")
        }
        return false
    }
    /// Informational (ignored when read): number of distinct non-missing values.
    public var distinct: Int?
    /// Informational (ignored when read): why the kind was chosen.
    public var note: String?

    public init(name: String, kind: ColumnKind, roles: [ColumnRole] = []) {
        self.name = name; self.kind = kind; self.roles = roles
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, roles, integer, decimals, writtenDecimals, min, max, categories, boolean, format, identifierType, missingRate, distinct, note
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        kind = try c.decode(ColumnKind.self, forKey: .kind)
        roles = try c.decodeIfPresent([ColumnRole].self, forKey: .roles) ?? []
        integer = try c.decodeIfPresent(Bool.self, forKey: .integer)
        decimals = try c.decodeIfPresent(Int.self, forKey: .decimals)
        writtenDecimals = try c.decodeIfPresent(Int.self, forKey: .writtenDecimals)
        categories = try c.decodeIfPresent([String].self, forKey: .categories)
        boolean = try c.decodeIfPresent(Bool.self, forKey: .boolean)
        format = try c.decodeIfPresent(DateTimeFormat.self, forKey: .format)
        identifierType = try c.decodeIfPresent(String.self, forKey: .identifierType)
        missingRate = try c.decodeIfPresent(Double.self, forKey: .missingRate)
        distinct = try c.decodeIfPresent(Int.self, forKey: .distinct)
        note = try c.decodeIfPresent(String.self, forKey: .note)
        // Datetime bounds are written as formatted strings for people; numeric bounds as numbers.
        if kind == .datetime, let f = format {
            func bound(_ key: CodingKeys) throws -> Double? {
                guard let s = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
                let v = Array(s.utf8).withUnsafeBufferPointer { f.parse($0) }
                guard let v else {
                    throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "'\(s)' does not match format \(f.pattern)")
                }
                return v
            }
            min = try bound(.min); max = try bound(.max)
        } else {
            min = try c.decodeIfPresent(Double.self, forKey: .min)
            max = try c.decodeIfPresent(Double.self, forKey: .max)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(roles, forKey: .roles)
        try c.encodeIfPresent(integer, forKey: .integer)
        try c.encodeIfPresent(decimals, forKey: .decimals)
        try c.encodeIfPresent(writtenDecimals, forKey: .writtenDecimals)
        if kind == .datetime, let f = format {
            try c.encodeIfPresent(min.map { f.format($0) }, forKey: .min)
            try c.encodeIfPresent(max.map { f.format($0) }, forKey: .max)
        } else {
            try c.encodeIfPresent(min, forKey: .min)
            try c.encodeIfPresent(max, forKey: .max)
        }
        try c.encodeIfPresent(categories, forKey: .categories)
        try c.encodeIfPresent(boolean, forKey: .boolean)
        try c.encodeIfPresent(format, forKey: .format)
        try c.encodeIfPresent(identifierType, forKey: .identifierType)
        try c.encodeIfPresent(missingRate, forKey: .missingRate)
        try c.encodeIfPresent(distinct, forKey: .distinct)
        try c.encodeIfPresent(note, forKey: .note)
    }

    /// True when the column is modelled (numeric, categorical, datetime).
    public var isModelled: Bool { kind == .numeric || kind == .categorical || kind == .datetime }
}

/// The schema of a table: one ``ColumnSpec`` per column, in file order. Stored as a JSON file the user can edit.
///
/// ```json
/// {"doppelSchema": 1, "columns": [
///   {"name": "age", "kind": "numeric", "roles": [], "integer": true, "decimals": 0, "min": 28, "max": 77},
///   {"name": "sex", "kind": "categorical", "roles": ["sensitive"], "categories": ["Female", "Male"]}]}
/// ```
public struct Schema: Codable, Equatable, Sendable {
    public static let currentVersion = 1
    public var doppelSchema: Int = Schema.currentVersion
    public var columns: [ColumnSpec]

    public init(columns: [ColumnSpec]) { self.columns = columns }

    enum CodingKeys: String, CodingKey { case doppelSchema, columns }

    /// `doppelSchema` may be left out of a hand-written schema (it then means the current version).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        doppelSchema = try c.decodeIfPresent(Int.self, forKey: .doppelSchema) ?? Schema.currentVersion
        columns = try c.decode([ColumnSpec].self, forKey: .columns)
    }

    public func index(of name: String) -> Int? { columns.firstIndex { $0.name == name } }
    public subscript(name: String) -> ColumnSpec? { index(of: name).map { columns[$0] } }

    /// Columns with a given role.
    public func names(withRole role: ColumnRole) -> [String] { columns.filter { $0.roles.contains(role) }.map(\.name) }

    /// Reads and validates a schema file.
    public static func read(from path: String) throws -> Schema {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DoppelError.inputMissing(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read file" : "no such file")
        }
        let schema: Schema
        do { schema = try JSONDecoder().decode(Schema.self, from: data) } catch let e as DecodingError {
            throw DoppelError.badInput(path: path, line: nil, column: nil, message: "not a valid schema file: \(Schema.describe(e))")
        } catch {
            throw DoppelError.badInput(path: path, line: nil, column: nil, message: "not a valid schema file: \(error)")
        }
        guard schema.doppelSchema <= currentVersion else {
            throw DoppelError.badInput(path: path, line: nil, column: nil,
                                       message: "schema version \(schema.doppelSchema) is newer than this Doppel reads (\(currentVersion))")
        }
        try schema.validate(path: path)
        return schema
    }

    /// Checks internal consistency: unique names, formats for datetimes, ordered bounds.
    public func validate(path: String = "schema") throws {
        var seen = Set<String>()
        for c in columns {
            guard seen.insert(c.name).inserted else {
                throw DoppelError.badInput(path: path, line: nil, column: c.name, message: "column appears twice in the schema")
            }
            if c.kind == .datetime, c.format == nil {
                throw DoppelError.badInput(path: path, line: nil, column: c.name, message: "a datetime column needs a \"format\", e.g. \"%Y-%m-%d\"")
            }
            if let lo = c.min, let hi = c.max, lo > hi {
                throw DoppelError.badInput(path: path, line: nil, column: c.name, message: "min \(lo) is greater than max \(hi)")
            }
            if let w = c.writtenDecimals, !(0...17).contains(w) {
                throw DoppelError.badInput(path: path, line: nil, column: c.name, message: "writtenDecimals must be between 0 and 17 (got \(w))")
            }
            if let cats = c.categories, Set(cats).count != cats.count {
                throw DoppelError.badInput(path: path, line: nil, column: c.name, message: "categories are not unique")
            }
        }
    }

    /// Writes the schema as pretty-printed JSON.
    public func jsonData() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try enc.encode(self)
    }

    static func describe(_ e: DecodingError) -> String {
        switch e {
        case let .keyNotFound(key, ctx): return "missing key '\(key.stringValue)' at \(path(ctx.codingPath))"
        case let .typeMismatch(_, ctx), let .valueNotFound(_, ctx), let .dataCorrupted(ctx):
            return "\(ctx.debugDescription) at \(path(ctx.codingPath))"
        @unknown default: return "\(e)"
        }
    }

    static func path(_ p: [CodingKey]) -> String {
        p.isEmpty ? "top level" : p.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
