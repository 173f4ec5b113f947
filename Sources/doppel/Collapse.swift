import ArgumentParser
import Doppel
import Foundation

struct CollapseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collapse",
        abstract: "Refit a synthesizer on its own output for N generations and report how fidelity and utility drift.",
        discussion: "Writes collapse.json and collapse.html (with a plot) into the output directory.")

    @Argument(help: "The real CSV.")
    var file: String
    @Option(help: "Schema JSON; inferred when omitted.")
    var schema: String?
    @Option(parsing: .unconditional, help: "Number of generations after the real data.")
    var generations: Int = 5
    @Option(help: "Synthesizer: \(SynthesizerKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var synthesizer: String = SynthesizerKind.gaussianCopula.rawValue
    @Option(help: "Categorical column whose TSTR ROC AUC is tracked.")
    var target: String?
    @Option(parsing: .unconditional, help: "Seed for the split, the fits and the samples.")
    var seed: UInt64 = 1
    @Option(name: [.customShort("o"), .long], help: "Output directory.")
    var output: String

    func validate() throws {
        guard generations >= 1 else { throw ValidationError("--generations must be at least 1 (got \(generations))") }
    }

    func run() throws {
        try guarded {
            let kind = try SynthesizerKind.parse(synthesizer)
            let table = try Pipeline.readTable(csv: file, schemaPath: schema)
            let report = try Collapse.run(table, kind: kind, generations: generations, seed: seed, target: target) { g in info("generation \(g) done") }
            do {
                try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
                let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                try enc.encode(report).write(to: URL(fileURLWithPath: output + "/collapse.json"), options: .atomic)
                try Data(Collapse.html(report).utf8).write(to: URL(fileURLWithPath: output + "/collapse.html"), options: .atomic)
            } catch {
                throw DoppelError.output(path: output, reason: (error as NSError).localizedDescription)
            }
            var rows = [["generation", "quality", "TSTR AUC", "category coverage"]]
            for g in report.generations {
                rows.append(["\(g.generation)", String(format: "%.3f", g.quality), g.tstrAUC.map { String(format: "%.3f", $0) } ?? "–", String(format: "%.3f", g.categoryCoverage)])
            }
            print(TextTable.render(rows))
            print("\nReport: \(output)/collapse.html")
        }
    }
}
