import Foundation
import DoppelMath

extension Table {
    /// Reads a CSV file and types it with `schema` (or an inferred schema when nil).
    ///
    /// With a schema: every schema column must be in the file and every file column in the schema;
    /// a value that does not fit its column's kind (or is not one of its declared categories) is an
    /// error naming the line, the column and the value — except identifier values, which are never shown.
    public static func read(csv path: String, schema: Schema? = nil) throws -> Table {
        let doc = try CSVDocument(path: path)
        return try Table(document: doc, schema: schema ?? SchemaInference.infer(doc))
    }

    public init(document doc: CSVDocument, schema: Schema) throws {
        try schema.validate()
        let header = doc.header
        for spec in schema.columns where !header.contains(spec.name) {
            throw DoppelError.schema(message: "column '\(spec.name)' is in the schema but not in \(doc.path)")
        }
        for name in header where schema[name] == nil {
            throw DoppelError.schema(message: "column '\(name)' of \(doc.path) is not in the schema; add it (kind \"text\" leaves it unmodelled)")
        }
        // Decode the columns in parallel: each is independent.
        let specs = schema.columns
        let indexByName = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        let decoded = try parallelMap(specs.count) { k in
            try Table.decodeColumn(doc, indexByName[specs[k].name]!, specs[k])
        }
        var columns: [Column] = []
        var finalSpecs = specs
        for (k, col) in decoded.enumerated() {
            if case .categorical(_, let levels) = col.values, finalSpecs[k].categories == nil { finalSpecs[k].categories = levels }
            columns.append(col)
        }
        self.init(schema: Schema(columns: finalSpecs), columns: columns)
    }

    static func decodeColumn(_ doc: CSVDocument, _ j: Int, _ spec: ColumnSpec) throws -> Column {
        let n = doc.rowCount
        func fail(_ i: Int, _ f: UnsafeBufferPointer<UInt8>, _ expected: String) -> DoppelError {
            let shown = spec.kind == .identifier ? "a value" : FieldParsing.quoted(f)
            var message = "\(shown) is not \(expected)"
            if expected == "a number", let v = Double(String(decoding: f, as: UTF8.self)), !(abs(v) <= FieldParsing.largestNumber) {
                message = "\(shown) is larger than \(FieldParsing.largestNumber) in magnitude, which no measurement reaches (a sentinel or a typing error?); correct it or leave the cell empty"
            }
            return .badInput(path: doc.path, line: Int(doc.rowLines[i]), column: spec.name, message: message)
        }
        switch spec.kind {
        case .numeric:
            var values = [Double](repeating: .nan, count: n)
            try values.withUnsafeMutableBufferPointer { out in
              try doc.withFields { fa in
                for i in 0..<n {
                    try fa.with(i, j) { f in
                        if FieldParsing.isMissing(f) { return }
                        var dec = 0
                        guard let v = FieldParsing.parseNumber(f, decimals: &dec) else { throw fail(i, f, "a number") }
                        out[i] = v
                    }
                }
              }
            }
            return Column(name: spec.name, values: .numeric(values))
        case .datetime:
            let format = spec.format!
            var values = [Double](repeating: .nan, count: n)
            try values.withUnsafeMutableBufferPointer { out in
              try doc.withFields { fa in
                for i in 0..<n {
                    try fa.with(i, j) { f in
                        if FieldParsing.isMissing(f) { return }
                        guard let v = format.parse(f) else { throw fail(i, f, "a date in the format \(format.pattern)") }
                        out[i] = v
                    }
                }
              }
            }
            return Column(name: spec.name, values: .numeric(values))
        case .categorical:
            var interner = ByteInterner(capacity: max(16, spec.categories?.count ?? 16))
            if let cats = spec.categories {
                for c in cats { var b = Array(c.utf8); _ = b.withUnsafeMutableBufferPointer { interner.intern(UnsafeBufferPointer($0)) } }
            }
            let fixed = spec.categories != nil
            // A value whose bytes are no category's may still be one written in another Unicode form
            // (`é` composed or as `e` + accent): Swift's String equality matches those.
            let byText = Dictionary((spec.categories ?? []).enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { a, _ in a })
            var codes = [Int32](repeating: -1, count: n)
            try codes.withUnsafeMutableBufferPointer { out in
              try doc.withFields { fa in
                for i in 0..<n {
                    try fa.with(i, j) { f in
                        if FieldParsing.isMissing(f) { return }
                        if fixed {
                            guard let c = interner.lookup(f) ?? byText[String(decoding: f, as: UTF8.self)] else {
                                throw fail(i, f, "one of the schema's categories for this column (\(spec.categories!.prefix(8).joined(separator: ", "))\(spec.categories!.count > 8 ? ", …" : ""))")
                            }
                            out[i] = c
                        } else {
                            out[i] = interner.intern(f)
                        }
                    }
                }
              }
            }
            var levels = interner.strings
            if !fixed, Set(levels).count < levels.count {
                // one category written in two Unicode forms: one level, the first form seen
                var first: [String: Int32] = [:], remap = [Int32](repeating: 0, count: levels.count), kept: [String] = []
                for (k, level) in levels.enumerated() {
                    if let f = first[level] { remap[k] = f } else { first[level] = Int32(kept.count); remap[k] = Int32(kept.count); kept.append(level) }
                }
                for i in 0..<n where codes[i] >= 0 { codes[i] = remap[Int(codes[i])] }
                levels = kept
            }
            if !fixed {
                // Deterministic level order: numeric order when all are numbers, else lexicographic.
                let numericOrder = levels.allSatisfy { Double($0) != nil }
                let order = levels.indices.sorted { a, b in
                    numericOrder ? Double(levels[a])! < Double(levels[b])! : levels[a] < levels[b]
                }
                var remap = [Int32](repeating: 0, count: levels.count)
                for (newIndex, old) in order.enumerated() { remap[old] = Int32(newIndex) }
                for i in 0..<n where codes[i] >= 0 { codes[i] = remap[Int(codes[i])] }
                levels = order.map { levels[$0] }
            }
            return Column(name: spec.name, values: .categorical(codes: codes, levels: levels))
        case .identifier, .text:
            var values = [String?](repeating: nil, count: n)
            doc.withFields { fa in
                for i in 0..<n {
                    fa.with(i, j) { f in
                        if FieldParsing.isMissing(f) { return }
                        values[i] = String(decoding: f, as: UTF8.self)
                    }
                }
            }
            return Column(name: spec.name, values: .text(values))
        }
    }
}
