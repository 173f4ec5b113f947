import ArgumentParser
import Doppel
import Foundation

struct Split: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Split a real CSV at random into training and holdout files (fit on the first, evaluate against the second).",
        discussion: "The holdout is the baseline of every privacy test in `evaluate`: rows the synthesizer never saw. Fit the model on --train only. When a patient has several rows, pass --group with the patient's id column: otherwise a patient's other rows in the training file make the holdout look closer to the synthetic rows than unseen patients would.")

    @Argument(help: "The real CSV to split.")
    var file: String
    @Option(help: "Schema JSON; inferred from the file when omitted.")
    var schema: String?
    @Option(parsing: .unconditional, help: "Share of rows held out, strictly between 0 and 1.")
    var holdoutFraction: Double = 0.2
    @Option(parsing: .unconditional, help: "Seed of the random split.")
    var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Keep the rows sharing a value of this column (e.g. a patient id) on one side, so that no patient is in both files.", valueName: "column"))
    var group: String?
    @Option(help: "Where to write the training rows.")
    var train: String
    @Option(help: "Where to write the holdout rows.")
    var holdout: String

    func run() throws {
        try guarded {
            try OutputPaths.check(outputs: [("--train", train), ("--holdout", holdout)], inputs: [file] + (schema.map { [$0] } ?? []))
            let (t, h) = try Pipeline.split(csv: file, schemaPath: schema, holdoutFraction: holdoutFraction, seed: seed, group: group, train: train, holdout: holdout, warn: warn)
            print("Wrote \(counted(t, "training row")) to \(train) and \(counted(h, "holdout row")) to \(holdout)")
        }
    }
}
