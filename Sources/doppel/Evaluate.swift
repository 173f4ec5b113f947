import ArgumentParser
import Doppel
import Foundation

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure fidelity, utility, privacy risk and fairness of a synthetic table; apply the release gate.",
        discussion: "Writes report.json and report.html into the output directory. Exits 3 when the release policy fails, after writing the report.")

    @Option(help: "The real rows the synthesizer was trained on.")
    var train: String
    @Option(help: "Real rows the synthesizer never saw (the privacy baseline and utility test set).")
    var holdout: String
    @Option(help: "The synthetic rows to judge.")
    var synthetic: String
    @Option(help: "Schema JSON; inferred from --train when omitted.")
    var schema: String?
    @OptionGroup var roles: RoleOptions
    @Option(help: "Release policy JSON (see README); defaults apply to fields left out.")
    var policy: String?
    @Option(help: "The .doppel model that produced --synthetic, to include its provenance and privacy budget.")
    var model: String?
    @Option(parsing: .unconditional, help: "Seed for the evaluation's random steps (splits, subsamples, attack targets).")
    var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Most attacks per singling-out, linkability and attribute-inference test (Anonymeter's default 500; at most the train and holdout rows). More attacks narrow the risk intervals.")
    var attacks: Int = RiskReport.maxAttacks
    @Option(name: [.customShort("o"), .long], help: "Directory for report.json and report.html.")
    var output: String

    func validate() throws {
        guard (1...1_000_000).contains(attacks) else { throw ValidationError("--attacks must be between 1 and 1,000,000 (got \(attacks))") }
    }

    func run() throws {
        var failedGate = false
        try guarded {
            let (tr, ho, sy) = try Pipeline.readEvaluationTables(train: train, holdout: holdout, synthetic: synthetic, schemaPath: schema)
            var s = tr.schema
            try roles.apply(to: &s)
            let sensitive = s.names(withRole: .sensitive), qi = s.names(withRole: .quasiIdentifier)
            let target = roles.target ?? s.names(withRole: .target).first
            var inputs = Evaluation.Inputs(train: tr, holdout: ho, synthetic: sy, target: target, sensitive: sensitive, quasiIdentifiers: qi,
                                           policy: try policy.map { try Policy.read(from: $0) } ?? Policy(), seed: seed)
            inputs.attacks = attacks
            inputs.files = try [("train", train, tr.rowCount), ("holdout", holdout, ho.rowCount), ("synthetic", synthetic, sy.rowCount)]
                .map { EvaluationReport.Input(role: $0.0, path: $0.1, sha256: try sha256Hex(ofFile: $0.1), rows: $0.2) }
            // The privacy tests compare the synthetic rows' closeness to rows the model learned from with
            // their closeness to rows it never saw: the same file on both sides makes them meaningless.
            if inputs.files[0].sha256 == inputs.files[1].sha256 {
                throw DoppelError.usage(message: "--holdout \(holdout) has the same contents as --train \(train): the holdout must be real rows the model never saw (make one with `doppel split`)")
            }
            if let m = model {
                let f = try ModelFile.read(from: m)
                inputs.model = ModelFileSummary(synthesizer: f.provenance.synthesizer, provenance: f.provenance, privacy: f.privacy)
            }
            let report = try Evaluation.run(inputs) { step in info("… \(step)") }
            if let mismatch = report.provenanceMismatch { warn(mismatch) }
            // A holdout that repeats the training rows (a reordered or re-saved copy, or an overlapping
            // extract) makes every privacy comparison meaningless; tables whose rows repeat by nature (few
            // columns, few values) also show it, so this warns instead of refusing.
            if report.privacy.holdoutExactCopyRate >= 0.5 {
                let distinct = Evaluate.distinctRows(tr)
                if distinct * 2 <= tr.rowCount {
                    warn(String(format: "%.0f%% of the holdout rows are also rows of the training file, and the training file itself has only %d distinct rows in %d: its rows repeat by nature (few columns, few values), so exact copies and distances cannot tell synthetic rows from real ones here, and the exact-copies rule fails whatever the synthesizer; judge privacy by the risk figures", report.privacy.holdoutExactCopyRate * 100, distinct, tr.rowCount))
                } else {
                    warn(String(format: "%.0f%% of the holdout rows are also rows of the training file: if the holdout was not held out (a copy, or an overlapping extract), the privacy results are meaningless; split the real table with `doppel split` and fit on its training part", report.privacy.holdoutExactCopyRate * 100))
                }
            }
            try Pipeline.writeReport(report, train: tr, synthetic: sy, directory: output)
            print(Pipeline.summary(report))
            print("\nReport: \((output as NSString).appendingPathComponent("report.html"))")
            failedGate = !report.gate.passed
        }
        if failedGate { throw ExitCode(3) }
    }
}

extension Evaluate {
    /// The number of distinct rows of `t` over its modelled columns.
    static func distinctRows(_ t: Table) -> Int {
        let columns = t.schema.columns.indices.filter { t.schema.columns[$0].isModelled }
        var seen = Set<[UInt64]>()
        for i in 0..<t.rowCount {
            seen.insert(columns.map { j -> UInt64 in
                switch t.columns[j].values {
                case .numeric(let v): return v[i].isNaN ? UInt64.max : v[i].bitPattern
                case .categorical(let c, _): return UInt64(bitPattern: Int64(c[i]))
                case .text(let s): return UInt64(bitPattern: Int64(s[i]?.hashValue ?? 0))
                }
            })
        }
        return seen.count
    }
}
