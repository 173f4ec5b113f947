import ArgumentParser
import Doppel
import Foundation

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Profile a CSV: column kinds, roles, identifiers found, missing rates; optionally write the schema.")

    @Argument(help: "The CSV file to profile.")
    var file: String
    @Option(name: .customLong("schema-out"), help: "Write the inferred schema (JSON, editable) to this path.")
    var schemaOut: String?
    @OptionGroup var roles: RoleOptions

    func run() throws {
        try guarded {
            if let out = schemaOut { try OutputPaths.check(outputs: [("--schema-out", out)], inputs: [file]) }
            let doc = try CSVDocument(path: file)
            var schema = SchemaInference.infer(doc)
            try roles.apply(to: &schema)
            // Typing the table checks that every value fits the inferred kinds.
            _ = try Table(document: doc, schema: schema)
            print("\(file): \(doc.rowCount) rows × \(doc.columnCount) columns\n")
            print(SchemaSummary.render(schema))
            let ids = schema.columns.filter { $0.kind == .identifier }
            if !ids.isEmpty {
                print("\nIdentifiers found (never modelled; regenerated as fresh values): " + ids.map { "\($0.name) (\($0.identifierType ?? "id"))" }.joined(separator: ", "))
            }
            let text = schema.columns.filter { $0.kind == .text }
            if !text.isEmpty { print("Free text (not modelled; left empty in synthetic output): " + text.map(\.name).joined(separator: ", ")) }
            if let out = schemaOut {
                do { try schema.jsonData().write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
                    throw DoppelError.output(path: out, reason: (error as NSError).localizedDescription)
                }
                print("\nSchema written to \(out) — edit kinds, roles, bounds or categories and pass it back with --schema.")
            }
        }
    }
}
