import ArgumentParser
import Doppel
import Foundation

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole job on the embedded UCI Heart Disease dataset: split, fit, sample, evaluate, report.")

    @Option(help: "Directory for the demo's files.")
    var out: String = "doppel-demo"
    @Option(parsing: .unconditional, help: "Seed for the split, the fit, the sampling and the evaluation.")
    var seed: UInt64 = 42

    func run() throws {
        try guarded {
            let result = try Doppel.Demo.run(directory: out, seed: seed) { info($0) }
            print("")
            print(Pipeline.summary(result.report))
            print("\nWrote \(result.files.joined(separator: ", ")) to \(out)/")
            print("Open the report: \((out as NSString).appendingPathComponent("report.html"))")
        }
    }
}
