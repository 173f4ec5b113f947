import ArgumentParser
import Doppel
import Foundation

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate synthetic rows from a model file, streamed to CSV.",
        discussion: """
        The same model and seed always give byte-identical output. --shard k/n writes only the k-th of n \
        equal parts of the -n rows, exactly the rows a single run would have put there, so n machines can \
        split one job (for example a Kubernetes Indexed Job with k = JOB_COMPLETION_INDEX + 1, or a Slurm \
        array with k = SLURM_ARRAY_TASK_ID). Concatenating the parts (dropping repeated headers) gives the \
        single-run file.
        """)

    @Argument(help: "The .doppel model file.")
    var model: String
    @Option(name: .short, parsing: .unconditional, help: "Number of rows to generate (a positive integer, at most 10^15).")
    var n: Int
    @Option(parsing: .unconditional, help: "Seed: the same seed gives the same rows.")
    var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Write only part k of n of the rows, e.g. 3/8.")
    var shard: String?
    @Option(name: .customLong("where"), help: "Conditions served by the model, e.g. \"sex=Female,age>=65\"; a choice of categories as race=asian|black. Given more than once, all apply (as one comma-separated list).")
    var conditions: [String] = []
    @Flag(name: .customLong("no-header"), help: "Do not write the header line.")
    var noHeader = false
    @Option(name: [.customShort("o"), .long], help: "Output CSV path, - for standard output, or a device such as /dev/null (to time sampling).")
    var output: String

    func validate() throws {
        if let problem = Sampling.rowCountProblem(n) { throw ValidationError(problem) }
    }

    func run() throws {
        try guarded {
            try OutputPaths.check(outputs: [("-o", output)], inputs: [model], devices: true)
            let file = try ModelFile.read(from: model)
            let conds = try conditions.flatMap { try Condition.parseList($0) }
            let shard = try self.shard.map { try Shard.parse($0) }
            let sampler = try file.model.sampler(conditions: conds)
            let writer = try CSVWriter(path: output)
            let started = Date()
            let toRows = shard?.rows(of: n).count ?? n
            let showProgress = output != "-" && toRows >= 200_000 && isatty(2) == 1
            do {
                try Sampling.stream(sampler, total: n, seed: seed, shard: shard, to: writer, header: !noHeader) { done in
                    if showProgress { Progress.bar(done: done, total: toRows, started: started, label: "sampling") }
                }
                try writer.finish()
            } catch {
                writer.abandon()
                throw error
            }
            if showProgress { Progress.finish() }
            if output != "-" {
                let secs = Date().timeIntervalSince(started)
                info("Wrote \(counted(toRows, "row"))\(shard.map { " (shard \($0))" } ?? "") to \(output) in \(String(format: "%.2f", secs)) s (\(Int(Double(toRows) / max(secs, 1e-9))) rows/s)")
            }
        }
    }
}
