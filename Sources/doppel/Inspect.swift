import ArgumentParser
import Doppel
import Foundation

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Profile a CSV: column kinds, roles, identifiers found, missing rates; optionally write the schema.",
        discussion: "Given a .doppel model file instead, describes the model: synthesizer, provenance, schema and every step of its privacy ledger.")

    @Argument(help: "The CSV file to profile (or a .doppel model file to describe).")
    var file: String
    @Option(name: .customLong("schema-out"), help: "Write the inferred schema (JSON, editable) to this path.")
    var schemaOut: String?
    @OptionGroup var roles: RoleOptions

    func run() throws {
        try guarded {
            if let out = schemaOut { try OutputPaths.check(outputs: [("--schema-out", out)], inputs: [file]) }
            // A .doppel file is read as a model even when its header is damaged, so the error says so.
            if ModelFile.looksLikeModel(path: file) || file.lowercased().hasSuffix(".doppel") { return try describeModel() }
            let doc = try CSVDocument(path: file)
            var schema = Pipeline.inferSchema(doc)
            try roles.apply(to: &schema)
            // Typing the table checks that every value fits the inferred kinds.
            let table = try Table(document: doc, schema: schema)
            print("\(file): \(counted(doc.rowCount, "row")) × \(counted(doc.columnCount, "column"))\n")
            print(SchemaSummary.render(schema))
            let ids = schema.columns.filter { $0.kind == .identifier }
            if !ids.isEmpty {
                print("\nIdentifiers found (never modelled; regenerated as fresh values): " + ids.map { "\($0.name) (\($0.identifierType ?? "id"))" }.joined(separator: ", "))
            }
            let text = schema.columns.filter { $0.kind == .text }
            if !text.isEmpty { print("Free text (not modelled; left empty in synthetic output): " + text.map(\.name).joined(separator: ", ")) }
            // Columns not read as numbers or dates because of how some values are written: why, and what to do.
            for c in schema.columns where SchemaInference.isMisread(c) {
                print("  \(c.name): \(c.note!)")
            }
            // Ranges that reach far past the bulk (a sentinel such as 65526 for an age): worth knowing before
            // any fit, and a private fit's bins would be coarse.
            for note in Pipeline.outlyingRanges(table) { print("  \(note)") }
            if let out = schemaOut {
                try schema.jsonData().writeAtomically(toPath: out)
                print("\nSchema written to \(out) — edit kinds, roles, bounds or categories and pass it back with --schema.")
            }
        }
    }

    /// A model file: what was fitted, on what, and what privacy it spent, step by step.
    func describeModel() throws {
        guard roles.target == nil, roles.sensitive == nil, roles.quasiIdentifiers == nil else {
            throw DoppelError.usage(message: "--target, --sensitive and --quasi-identifiers apply to a CSV; \(file) is a model file (set roles when fitting)")
        }
        let m = try ModelFile.read(from: file)
        let p = m.provenance
        print("\(file): Doppel model, synthesizer \(p.synthesizer)")
        print("  fitted \(p.createdAt) by Doppel \(p.doppelVersion) in \(String(format: "%.2f", p.fitSeconds)) s, seed \(p.seed)")
        print("  training file: \(counted(p.trainingRows, "row")), SHA-256 \(p.trainingSHA256)")
        if let e = m.model.earlyStop {
            print(String(format: "  training: early stopping (patience %d) kept epoch %d of the %d trained; %@ held out, held-out loss %.4f per row",
                         e.patience, e.bestEpoch, e.epochsTrained, counted(e.heldOutRows, "row"), e.bestLoss))
        } else if let epochs = m.model.epochs {
            print("  training: \(counted(epochs, "epoch"))" + (m.model.conditionedTarget.map { "; conditioned on the target '\($0)' (half of the training rows, every sampled row)" } ?? ""))
        }
        print("")
        print(SchemaSummary.render(m.model.schema))
        if let e = m.privacy.epsilon {
            print(String(format: "\nPrivacy: (ε = %.4g, δ = %.3g)-differentially private; ledger:", e, m.privacy.delta ?? 0))
            for step in m.privacy.steps { print("  " + step) }
            if case .renyi = m.privacy.ledger?.accounting, (m.privacy.ledger?.entries.count ?? 0) > 1 {
                print("  (Rényi accounting: each entry's ε is what that entry would cost on its own; the total above adds the entries' Rényi curves and converts once to (ε, δ), so it is not the sum of the entries.)")
            }
        } else {
            print("\nPrivacy: not differentially private (no budget was spent; evaluate the output before release).")
        }
        if let out = schemaOut {
            try m.model.schema.jsonData().writeAtomically(toPath: out)
            print("\nSchema written to \(out).")
        }
    }
}
