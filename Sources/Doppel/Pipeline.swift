import Foundation

/// The library calls behind the CLI verbs, so a Swift program can do what the CLI does.
public enum Pipeline {
    /// Reads a CSV (with a schema file or inference), fits a synthesizer and returns the model file.
    public static func fit(csv path: String, schemaPath: String?, kind: SynthesizerKind, seed: UInt64,
                           options: FitOptions = FitOptions(),
                           roles: ((inout Schema) throws -> Void)? = nil, warn: ((String) -> Void)? = nil) throws -> ModelFile {
        let table = try readTable(csv: path, schemaPath: schemaPath, roles: roles)
        if options.epsilon != nil, schemaPath == nil, let warn { for w in outlyingRanges(table) { warn(w) } }
        let started = Date()
        let (model, ledger) = try FittedModel.fit(kind, table: table, seed: seed, options: options)
        let seconds = Date().timeIntervalSince(started)
        let provenance = Provenance(trainingSHA256: try sha256Hex(ofFile: path), trainingRows: table.rowCount,
                                    synthesizer: kind.rawValue, seed: seed, fitSeconds: seconds)
        var privacy = ledger.map { PrivacySpent(ledger: $0) } ?? PrivacySpent()
        if ledger != nil && schemaPath == nil {
            privacy.steps.append("not covered by ε: the domain (categories, numeric bounds, which columns are never missing) was inferred from the training file; pass --schema with public bounds and categories for an end-to-end guarantee")
        }
        return ModelFile(model: model, provenance: provenance, privacy: privacy)
    }

    /// Numeric columns whose inferred bounds reach far past their bulk (a sentinel such as 99999, a typing
    /// error): a private fit cuts its bins on an even grid between the bounds, so such a column gets one
    /// coarse bin for nearly all its values and synthetic values spread across the whole range.
    public static func outlyingRanges(_ table: Table) -> [String] {
        table.schema.columns.indices.compactMap { j in
            let spec = table.schema.columns[j]
            guard spec.kind == .numeric, case .numeric(let v) = table.columns[j].values else { return nil }
            // the 1% and 99% quantiles from at most about 100,000 evenly spaced values; the ends exactly
            let present = v.filter { !$0.isNaN }
            guard present.count >= 20, let lo = present.min(), let hi = present.max() else { return nil }
            let step = Swift.max(1, present.count / 100_000)
            let x = stride(from: 0, to: present.count, by: step).map { present[$0] }.sorted()
            let q01 = x[x.count / 100], q99 = x[x.count - 1 - x.count / 100]
            guard hi - lo > 50 * Swift.max(q99 - q01, 1e-9 * Swift.max(abs(hi), 1)) else { return nil }
            return "column '\(spec.name)': its range \(spec.display(lo))–\(spec.display(hi)) is over 50 times the span of its middle 98% (\(spec.display(q01))–\(spec.display(q99))); under --epsilon the bins are cut on an even grid over the range, so nearly all its values share one coarse bin and synthetic values spread across the whole range. Give the schema public bounds that fit the bulk (values outside are clamped to them) or correct the outliers"
        }
    }

    /// Reads a CSV as a table: with the schema file at `schemaPath`, or the schema inferred from the file;
    /// `roles` (command-line roles) are applied to the schema before the values are read.
    public static func readTable(csv path: String, schemaPath: String?, roles: ((inout Schema) throws -> Void)? = nil) throws -> Table {
        let doc = try CSVDocument(path: path)
        var schema = try schemaPath.map { try Schema.read(from: $0) } ?? Pipeline.inferSchema(doc)
        try roles?(&schema)
        return try Table(document: doc, schema: schema)
    }
}

extension Pipeline {
    /// Throws a schema error naming the missing and extra columns when `doc`'s columns (in any order)
    /// are not `expected`; `what` completes "FILE does not have …".
    static func requireColumns(of doc: CSVDocument, equal expected: [String], _ what: String) throws {
        guard Set(doc.header) != Set(expected) else { return }
        let missing = Set(expected).subtracting(doc.header).sorted(), extra = Set(doc.header).subtracting(expected).sorted()
        throw DoppelError.schema(message: "\(doc.path) does not have \(what)" +
                                 (missing.isEmpty ? "" : "; missing: \(missing.joined(separator: ", "))") +
                                 (extra.isEmpty ? "" : "; extra: \(extra.joined(separator: ", "))"))
    }

    /// Splits a real table into training and holdout rows at random (seeded): a holdout the synthesizer
    /// never sees is what `evaluate` compares the synthetic rows against. Rows are written back through
    /// the (inferred or given) schema, as the demo's split. Returns the two row counts.
    /// With `group`, the rows sharing a value of that column (one patient's rows) stay on one side.
    /// `warn` receives a note when the groups are too few or too large to meet the fraction closely.
    public static func split(csv path: String, schemaPath: String?, holdoutFraction: Double, seed: UInt64, group: String? = nil,
                             train trainPath: String, holdout holdoutPath: String, warn: (String) -> Void = { _ in }) throws -> (train: Int, holdout: Int) {
        guard holdoutFraction > 0 && holdoutFraction < 1 else {
            throw DoppelError.usage(message: "--holdout-fraction must be strictly between 0 and 1 (got \(holdoutFraction))")
        }
        let table = try readTable(csv: path, schemaPath: schemaPath)
        let train: Table, holdout: Table
        if let group {
            guard let j = table.schema.index(of: group) else {
                throw DoppelError.usage(message: "--group: no column '\(group)' in \(path) (columns: \(table.schema.columns.map(\.name).joined(separator: ", ")))")
            }
            let groups: Int, largest: Int
            (train, holdout, groups, largest) = table.split(fraction: 1 - holdoutFraction, seed: seed, group: j)
            let share = Double(holdout.rowCount) / Double(max(table.rowCount, 1))
            if holdout.rowCount > 0, train.rowCount > 0, abs(share - holdoutFraction) > 0.25 * holdoutFraction {
                warn("--group \(group) has \(counted(groups, "group")) (the largest of \(counted(largest, "row"))): the holdout holds "
                     + String(format: "%.1f%% of the rows, not the %.1f%% asked", share * 100, holdoutFraction * 100))
            }
        } else {
            (train, holdout) = table.split(fraction: 1 - holdoutFraction, seed: seed)
        }
        guard train.rowCount > 0 && holdout.rowCount > 0 else {
            throw DoppelError.usage(message: "\(counted(table.rowCount, "row")) cannot be split with --holdout-fraction \(holdoutFraction): one side would be empty")
        }
        try train.writeCSV(toPath: trainPath)
        try holdout.writeCSV(toPath: holdoutPath)
        return (train.rowCount, holdout.rowCount)
    }

    /// Reads train, holdout and synthetic CSVs with one schema. Categorical columns get the union of the
    /// schema's and the three files' categories, so a rare category present only in the holdout is not
    /// an error; any value that does not fit its column's kind is an error naming the file, line and column.
    public static func readEvaluationTables(train: String, holdout: String, synthetic: String, schemaPath: String?) throws -> (Table, Table, Table) {
        let docs = try [train, holdout, synthetic].map { try CSVDocument(path: $0) }
        var schema = try schemaPath.map { try Schema.read(from: $0) } ?? Pipeline.inferSchema(docs[0])
        for d in docs.dropFirst() { try requireColumns(of: d, equal: docs[0].header, "the same columns as \(docs[0].path)") }
        // Real holdout rows may hold categories the training rows lack: every categorical column gets the
        // union (schema categories first), so that is not an error.
        let open = schema.columns.indices.filter { schema.columns[$0].kind == .categorical }
        if !open.isEmpty {
            var discover = schema
            for j in open { discover.columns[j].categories = nil }
            var union = schema.columns.map { $0.categories ?? [] }
            for d in docs {
                let t = try Table(document: d, schema: discover)
                for j in open { if case .categorical(_, let levels) = t.columns[j].values { union[j].append(contentsOf: levels) } }
            }
            for j in open {
                var seen = Set<String>(), ordered: [String] = []
                for l in union[j] where seen.insert(l).inserted { ordered.append(l) }
                let numeric = ordered.allSatisfy { Double($0) != nil }
                schema.columns[j].categories = ordered.sorted { numeric ? Double($0)! < Double($1)! : $0 < $1 }
            }
        }
        let tables = try docs.map { try Table(document: $0, schema: schema) }
        return (tables[0], tables[1], tables[2])
    }

    /// Writes report.json and report.html into `directory` (created when missing).
    public static func writeReport(_ report: EvaluationReport, train: Table, synthetic: Table, directory: String) throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw DoppelError.output(path: directory, reason: (error as NSError).localizedDescription)
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let json = try enc.encode(report)
        let html = HTMLReport.render(report, train: train, synthetic: synthetic)
        for (name, data) in [("report.json", json), ("report.html", Data(html.utf8))] {
            try data.writeAtomically(toPath: (directory as NSString).appendingPathComponent(name))
        }
    }

    /// A short terminal summary of a report.
    public static func summary(_ r: EvaluationReport) -> String {
        var rows: [[String]] = [["figure", "value", "note"]]
        func f(_ v: Double) -> String { v.isNaN ? "–" : String(format: "%.3f", v) }
        rows.append(["quality score", f(r.quality.score), "shapes \(f(r.quality.columnShapes)), pair trends \(f(r.quality.columnPairTrends))"])
        rows.append(["detection AUC", f(r.detection.auc), "0.5 = indistinguishable"])
        if let u = r.utility {
            for (a, b) in zip(u.trtr, u.tstr) {
                if let x = a.auc, let y = b.auc { rows.append(["\(a.learner) AUC", "\(f(y)) / \(f(x))", "TSTR / TRTR on \(u.target)"]) }
                if let x = a.r2, let y = b.r2 { rows.append(["\(a.learner) R²", "\(f(y)) / \(f(x))", "TSTR / TRTR on \(u.target)"]) }
            }
        }
        rows.append(["exact copies", "\(r.privacy.exactCopies)", "holdout baseline \(String(format: "%.1f%%", r.privacy.holdoutExactCopyRate * 100))"])
        rows.append(["DCR share", f(r.privacy.dcrShare.value), "95% CI \(f(r.privacy.dcrShare.lower))–\(f(r.privacy.dcrShare.upper)); 0.5 ideal"])
        rows.append(["membership AUC", f(r.privacy.membershipInferenceAUC), "distance attack; 0.5 = no signal"])
        rows.append(["density-ratio MIA AUC", f(r.privacy.densityRatioMIA_AUC), "DOMIAS-style; 0.5 = no signal"])
        for k in r.risks?.all ?? [] { rows.append([k.name, f(k.risk.value), "95% CI \(f(k.risk.lower))–\(f(k.risk.upper))"]) }
        if let k = r.kAnonymity { rows.append(["k-anonymity", "\(k.k)", k.columns.joined(separator: ", ")]) }
        var out = TextTable.render(rows)
        out += "\n\nRelease gate: " + (r.gate.passed ? "PASSED" : "FAILED")
        for fail in r.gate.failures { out += "\n  ✗ " + fail }
        let missing = r.notMeasured
        if !missing.isEmpty { out += "\n  Not measured, so not covered by this verdict: " + missing.joined(separator: "; ") }
        return out
    }
}

/// The demo: the main job on the embedded dataset.
public enum Demo {
    public struct Result { public var report: EvaluationReport; public var directory: String; public var files: [String] }

    /// Splits the embedded heart-disease table 80/20, infers the schema, fits the Gaussian copula on the
    /// training part, samples as many rows, evaluates against the holdout and writes everything to `directory`.
    public static func run(directory: String, seed: UInt64, log: (String) -> Void) throws -> Result {
        let source = try EmbeddedData.heartDiseasePath()
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw DoppelError.output(path: directory, reason: (error as NSError).localizedDescription)
        }
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        let doc = try CSVDocument(path: source)
        var schema = Pipeline.inferSchema(doc)
        for (name, role) in [("num", ColumnRole.target), ("sex", .sensitive), ("age", .quasiIdentifier), ("sex", .quasiIdentifier), ("dataset", .quasiIdentifier)] {
            if let i = schema.index(of: name) { schema.columns[i].roles.append(role) }
        }
        let full = try Table(document: doc, schema: schema)
        let (train, holdout) = full.split(fraction: 0.8, seed: seed)
        log("1/5 Split the embedded UCI Heart Disease table (\(full.rowCount) patients) into \(train.rowCount) training and \(holdout.rowCount) holdout rows")
        try train.writeCSV(toPath: path("train.csv"))
        try holdout.writeCSV(toPath: path("holdout.csv"))
        try schema.jsonData().writeAtomically(toPath: path("schema.json"))
        log("2/5 Inferred the schema → schema.json (identifiers: \(schema.columns.filter { $0.kind == .identifier }.map(\.name).joined(separator: ", ")))")
        let started = Date()
        let model = try FittedModel.fit(.gaussianCopula, table: train, seed: seed)
        let file = ModelFile(model: model, provenance: Provenance(trainingSHA256: try sha256Hex(ofFile: path("train.csv")), trainingRows: train.rowCount,
                                                                  synthesizer: SynthesizerKind.gaussianCopula.rawValue, seed: seed,
                                                                  fitSeconds: Date().timeIntervalSince(started)))
        try file.write(to: path("model.doppel"))
        log(String(format: "3/5 Fitted the Gaussian copula in %.3f s → model.doppel", file.provenance.fitSeconds))
        let writer = try CSVWriter(path: path("synthetic.csv"))
        try Sampling.stream(try model.sampler(conditions: []), total: train.rowCount, seed: seed &+ 1, to: writer)
        try writer.finish()
        log("4/5 Sampled \(train.rowCount) synthetic patients → synthetic.csv")
        let (tr, ho, sy) = try Pipeline.readEvaluationTables(train: path("train.csv"), holdout: path("holdout.csv"), synthetic: path("synthetic.csv"), schemaPath: nil)
        var inputs = Evaluation.Inputs(train: tr, holdout: ho, synthetic: sy, target: "num", sensitive: ["sex"],
                                       quasiIdentifiers: ["age", "sex", "dataset"], seed: seed)
        inputs.files = try [("train", path("train.csv"), tr.rowCount), ("holdout", path("holdout.csv"), ho.rowCount), ("synthetic", path("synthetic.csv"), sy.rowCount)]
            .map { EvaluationReport.Input(role: $0.0, path: ($0.1 as NSString).lastPathComponent, sha256: try sha256Hex(ofFile: $0.1), rows: $0.2) }
        inputs.model = ModelFileSummary(synthesizer: file.provenance.synthesizer, provenance: file.provenance, privacy: file.privacy)
        let report = try Evaluation.run(inputs)
        try Pipeline.writeReport(report, train: tr, synthetic: sy, directory: directory)
        log("5/5 Evaluated fidelity, utility, privacy and fairness → report.json, report.html")
        return Result(report: report, directory: directory, files: ["schema.json", "model.doppel", "synthetic.csv", "report.json", "report.html", "train.csv", "holdout.csv"])
    }
}
