import ArgumentParser
import Doppel
import Foundation

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Learn a synthesizer from a CSV and save it as a .doppel model file.")

    @Argument(help: "The training CSV.")
    var file: String
    @Option(help: "Schema JSON (from `doppel inspect --schema-out`); inferred when omitted.")
    var schema: String?
    @Option(help: "Synthesizer: \(SynthesizerKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var synthesizer: String = SynthesizerKind.gaussianCopula.rawValue
    @Option(help: "Seed for every random step of the fit.")
    var seed: UInt64 = 1
    @Option(name: [.customShort("o"), .long], help: "Where to write the model file.")
    var output: String
    @OptionGroup var roles: RoleOptions

    func run() throws {
        try guarded {
            try OutputPaths.check(outputs: [("-o", output)], inputs: [file] + (schema.map { [$0] } ?? []))
            let kind = try SynthesizerKind.parse(synthesizer)
            let file = try Pipeline.fit(csv: file, schemaPath: schema, kind: kind, seed: seed, roles: { try roles.apply(to: &$0) })
            try file.write(to: output)
            let s = file.model.schema
            info("Fitted \(kind.rawValue) on \(file.provenance.trainingRows) rows × \(s.columns.count) columns in \(String(format: "%.2f", file.provenance.fitSeconds)) s → \(output)")
        }
    }
}
