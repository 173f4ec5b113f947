import Foundation

/// The partially synthetic and hybrid workflows: `partial`, `rebalance` and `mix`.
public enum Hybrid {
    /// Reads a CSV with a model's schema, so categories and kinds agree with the model.
    static func readWithModelSchema(_ path: String, model: FittedModel) throws -> Table {
        let doc = try CSVDocument(path: path)
        try Pipeline.requireColumns(of: doc, equal: model.schema.columns.map(\.name), "the model's columns")
        return try Table(document: doc, schema: model.schema)
    }

    /// The model from `modelPath`, or a Gaussian copula fitted on `input` when nil.
    static func model(_ modelPath: String?, input: String, seed: UInt64) throws -> FittedModel {
        if let m = modelPath { return try ModelFile.read(from: m).model }
        return try Pipeline.fit(csv: input, schemaPath: nil, kind: .gaussianCopula, seed: seed).model
    }

    /// Adds a provenance column (`real` / `synthetic`) to a table.
    static func withProvenance(_ t: Table, name: String, synthetic: [Bool]) throws -> Table {
        guard t.schema.index(of: name) == nil else {
            throw DoppelError.usage(message: "--provenance-column '\(name)' is already a column of the table; choose another name")
        }
        var spec = ColumnSpec(name: name, kind: .categorical)
        spec.categories = ["real", "synthetic"]
        return Table(schema: Schema(columns: t.schema.columns + [spec]),
                     columns: t.columns + [Column(name: name, values: .categorical(codes: synthetic.map { $0 ? 1 : 0 }, levels: ["real", "synthetic"]))])
    }

    static func write(_ t: Table, to path: String) throws {
        let writer = try CSVWriter(path: path)
        do { try t.writeCSV(to: writer); try writer.finish() } catch { writer.abandon(); throw error }
    }

    // MARK: partial

    /// Keeps the real rows of `input` and replaces `columns` by model draws conditioned on each row's
    /// other values. Returns the number of rows written.
    @discardableResult
    public static func partial(input: String, columns: [String], modelPath: String?, seed: UInt64, output: String) throws -> Int {
        let model = try model(modelPath, input: input, seed: seed)
        let table = try readWithModelSchema(input, model: model)
        for name in columns where model.schema[name]?.isModelled == false && model.schema[name]?.kind != .identifier {
            throw DoppelError.usage(message: "--synthesize: '\(name)' is \(model.schema[name]!.kind.withArticle) column, which is not modelled")
        }
        let out = try model.synthesize(columns: columns, in: table, seed: seed)
        try write(out, to: output)
        return out.rowCount
    }

    // MARK: rebalance

    /// Target shares for `rebalance`: `uniform`, or `value=share,…` (unnamed values keep their relative
    /// sizes in what is left).
    public static func parseShares(_ text: String, categories: [String], counts: [Int]) throws -> [Double] {
        let present = categories.indices.filter { counts[$0] > 0 }
        var shares = [Double](repeating: 0, count: categories.count)
        if text == "uniform" {
            for k in present { shares[k] = 1 / Double(present.count) }
            return shares
        }
        var given = [Int: Double]()
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, let v = Double(kv[1]) else { throw DoppelError.usage(message: "--to must be 'uniform' or value=share,… such as 1=0.3 (got '\(part)')") }
            guard let k = categories.firstIndex(of: kv[0]) ?? categories.firstIndex(where: { $0.lowercased() == kv[0].lowercased() }) else {
                throw DoppelError.usage(message: "--to: '\(kv[0])' is not a value of the column (values: \(categories.joined(separator: ", ")))")
            }
            guard v >= 0, v <= 1, v.isFinite else { throw DoppelError.usage(message: "--to: the share of '\(kv[0])' must be between 0 and 1 (got \(kv[1]))") }
            guard counts[k] > 0 || v == 0 else { throw DoppelError.usage(message: "--to: '\(kv[0])' never occurs in the table, so the model cannot generate it") }
            given[k] = v
        }
        let sumGiven = given.values.reduce(0, +)
        guard sumGiven <= 1 + 1e-9 else { throw DoppelError.usage(message: "--to: the shares add up to \(sumGiven), more than 1") }
        let rest = present.filter { given[$0] == nil }
        let restCount = rest.reduce(0) { $0 + counts[$1] }
        for (k, v) in given { shares[k] = v }
        if rest.isEmpty { guard abs(sumGiven - 1) < 1e-6 else { throw DoppelError.usage(message: "--to: the shares of all values must add up to 1 (got \(sumGiven))") } }
        for k in rest { shares[k] = (1 - sumGiven) * Double(counts[k]) / Double(restCount) }
        for k in present where shares[k] == 0 {
            throw DoppelError.usage(message: "--to: '\(categories[k])' has share 0 but occurs in the table; rebalance only adds rows, it never removes real ones")
        }
        return shares
    }

    public struct RebalanceResult: Sendable {
        public var before: [String: Int]; public var added: [String: Int]; public var after: [String: Int]
        /// Rows written, including rows whose value of the column is missing.
        public var rows: Int
    }

    /// Tops `input` up with synthetic rows, generated by the model conditioned on each value of `column`,
    /// until the column reaches the target shares. Real rows are never removed: the total is the
    /// smallest that lets every value reach its share.
    public static func rebalance(input: String, modelPath: String?, column: String, to target: String, seed: UInt64,
                                 output: String, provenanceColumn: String?) throws -> RebalanceResult {
        let model = try model(modelPath, input: input, seed: seed)
        let table = try readWithModelSchema(input, model: model)
        guard let j = table.schema.index(of: column) else {
            throw DoppelError.usage(message: "--column: no column '\(column)' (columns: \(table.schema.columns.map(\.name).joined(separator: ", ")))")
        }
        guard case .categorical(let codes, let levels) = table.columns[j].values else {
            throw DoppelError.usage(message: "--column '\(column)' is \(table.schema.columns[j].kind.rawValue); rebalancing needs a categorical column")
        }
        var counts = [Int](repeating: 0, count: levels.count)
        for c in codes where c >= 0 { counts[Int(c)] += 1 }
        let shares = try parseShares(target, categories: levels, counts: counts)
        var total = 0.0
        for k in levels.indices where shares[k] > 0 { total = max(total, Double(counts[k]) / shares[k]) }
        let present = counts.reduce(0, +)
        guard total.isFinite, total <= Double(present) * 1000 else {
            throw DoppelError.usage(message: "--to: reaching these shares would need more than 1000 times the real rows; ask for a smaller share")
        }
        var parts = [table]
        var added = [String: Int](), before = [String: Int](), after = [String: Int]()
        for k in levels.indices where counts[k] > 0 || shares[k] > 0 {
            let add = max(0, Int((shares[k] * total).rounded()) - counts[k])
            before[levels[k]] = counts[k]; added[levels[k]] = add; after[levels[k]] = counts[k] + add
            if add > 0 {
                let sampler = try model.sampler(conditions: [Condition(column: column, op: .equal, value: levels[k])])
                parts.append(Sampling.table(sampler, total: add, seed: seed &+ UInt64(k) &* 0x9E37_79B9))
            }
        }
        var out = Table.concatenate(parts, schema: table.schema)
        if let p = provenanceColumn {
            out = try withProvenance(out, name: p, synthetic: (0..<out.rowCount).map { $0 >= table.rowCount })
        }
        try write(out, to: output)
        return RebalanceResult(before: before, added: added, after: after, rows: out.rowCount)
    }

    // MARK: mix

    /// Real and synthetic rows combined at a given synthetic share, sampled without replacement and
    /// shuffled with the seed. `rows` defaults to the number of real rows.
    @discardableResult
    public static func mix(real: String, synthetic: String, syntheticShare: Double, rows: Int?, seed: UInt64,
                           output: String, provenanceColumn: String?) throws -> (real: Int, synthetic: Int) {
        guard syntheticShare >= 0, syntheticShare <= 1, syntheticShare.isFinite else {
            throw DoppelError.usage(message: "--synthetic-share must be between 0 and 1 (got \(syntheticShare))")
        }
        if let r = rows, r <= 0 { throw DoppelError.usage(message: "--rows must be positive (got \(r))") }
        let (realTable, synthTable) = try readPair(real: real, synthetic: synthetic)
        let total = rows ?? realTable.rowCount
        guard total <= realTable.rowCount + synthTable.rowCount else {   // rows are drawn without replacement
            throw DoppelError.usage(message: "--rows \(total) is more than the \(realTable.rowCount + synthTable.rowCount) real and synthetic rows there are to draw from")
        }
        let nSyn = Int((Double(total) * syntheticShare).rounded()), nReal = total - nSyn
        guard nReal <= realTable.rowCount else {
            throw DoppelError.usage(message: "\(real) has \(realTable.rowCount) rows; \(nReal) real rows are needed for --rows \(total) at this share")
        }
        guard nSyn <= synthTable.rowCount else {
            throw DoppelError.usage(message: "\(synthetic) has \(synthTable.rowCount) rows; \(nSyn) synthetic rows are needed (generate more with doppel sample)")
        }
        var rng = SeededGenerator(seed: seed)
        let pickReal = Array(rng.permutation(realTable.rowCount).prefix(nReal))
        let pickSyn = Array(rng.permutation(synthTable.rowCount).prefix(nSyn))
        let stacked = Table.concatenate([realTable.rows(pickReal), synthTable.rows(pickSyn)], schema: realTable.schema)
        let order = rng.permutation(total)
        var out = stacked.rows(order)
        if let p = provenanceColumn { out = try withProvenance(out, name: p, synthetic: order.map { $0 >= nReal }) }
        try write(out, to: output)
        return (nReal, nSyn)
    }

    /// Reads a real and a synthetic CSV with one schema (inferred from the real file; categories are
    /// the union of both), in the real file's column order. A column in one file but not the other, or a
    /// value that does not fit its column's kind, is an error naming the file, line and column.
    static func readPair(real: String, synthetic: String) throws -> (Table, Table) {
        let docs = [try CSVDocument(path: real), try CSVDocument(path: synthetic)]
        try Pipeline.requireColumns(of: docs[1], equal: docs[0].header, "the same columns as \(real)")
        var schema = Pipeline.inferSchema(docs[0])
        for j in schema.columns.indices where schema.columns[j].kind == .categorical { schema.columns[j].categories = nil }
        let r = try Table(document: docs[0], schema: schema), s0 = try Table(document: docs[1], schema: schema)
        // A synthetic category the real table never has is a mismatch (a typo, another coding), not data.
        for j in schema.columns.indices where schema.columns[j].kind == .categorical {
            let real = Set(r.schema.columns[j].categories ?? [])
            if let extra = (s0.schema.columns[j].categories ?? []).first(where: { !real.contains($0) }) {
                throw DoppelError.badInput(path: synthetic, line: nil, column: schema.columns[j].name,
                                           message: "the value '\(extra)' never occurs in \((docs[0].path as NSString).lastPathComponent)")
            }
        }
        return (r, try Table(document: docs[1], schema: r.schema))
    }
}

/// Refuses outputs that would overwrite an input (the data, a key, a model) or each other.
public enum OutputPaths {
    static func canonical(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path }

    /// Throws when an output path equals an input path or another output; checks that each output's
    /// folder exists, so no work is done for a result that cannot be written. With `devices`, an output
    /// may also be a character device such as `/dev/null` (for outputs streamed by ``CSVWriter``).
    public static func check(outputs: [(flag: String, path: String)], inputs: [String], devices: Bool = false) throws {
        let ins = Set(inputs.map(canonical))
        var seen = [String: String]()
        for (flag, path) in outputs {
            if path == "-" {
                if flag != "-o" { throw DoppelError.usage(message: "\(flag) needs a file path (- is only for the data, with -o)") }
                continue
            }
            if try CSVWriter.isDevice(path, devices: devices) { continue }
            let c = canonical(path)
            if ins.contains(c) { throw DoppelError.usage(message: "\(flag) \(path) is also an input; choose another output path (inputs are never overwritten)") }
            if let other = seen[c] { throw DoppelError.usage(message: "\(flag) and \(other) name the same file \(path)") }
            seen[c] = flag
            let dir = (c as NSString).deletingLastPathComponent
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw DoppelError.output(path: path, reason: "the folder \(dir) does not exist")
            }
        }
    }
}
