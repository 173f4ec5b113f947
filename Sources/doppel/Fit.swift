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
    @Option(parsing: .unconditional, help: "Seed for every random step of the fit.")
    var seed: UInt64 = 1
    @Option(name: [.customShort("o"), .long], help: "Where to write the model file.")
    var output: String
    @Option(parsing: .unconditional, help: "bayesian-network: most parents per column (k).")
    var degree: Int = 2
    @Option(parsing: .unconditional, help: "bayesian-network, mst, aim: bins per numeric or date column (default: ∛rows, clamped to 8…20).")
    var bins: Int?
    // `.unconditional` on the numeric options: a negative value ("--epsilon -1") is read as the value
    // and refused with the option's own message, not taken for an option name.
    @Option(parsing: .unconditional, help: "Differential privacy budget ε (bayesian-network: PrivBayes; tvae: DP-SGD; ctgan: DP-SGD on the critic and noisy category counts; mst, aim: required). Categories and numeric bounds of the schema are treated as public: pass --schema for an end-to-end guarantee.")
    var epsilon: Double?
    @Option(parsing: .unconditional, help: "Differential privacy δ for mst, aim (zCDP converted to (ε, δ)) and tvae, ctgan (RDP converted to (ε, δ)); default 1e-9 (or 1/rows² when smaller). Must be below 1/rows.")
    var delta: Double?
    @Option(name: .customLong("min-leaf"), parsing: .unconditional, help: "cart: fewest training rows in a leaf (larger = less of any one row, smoother output).")
    var minLeaf: Int = 5
    @Option(name: .customLong("visit-order"), help: "cart: columns in the order they are synthesized, comma-separated (default: file order, targets last).")
    var visitOrder: String?
    @Option(parsing: .unconditional, help: "tvae, ctgan: passes over the training rows (default 300, as SDV).")
    var epochs: Int?
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "tvae, ctgan: rows per training step (default 500, as SDV; ctgan: a multiple of 10, as PacGAN packs 10 rows); under --epsilon the expected size of a Poisson-sampled batch.")
    var batchSize: Int?
    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: "tvae, ctgan: Adam's step size (default as SDV: tvae 1e-3, ctgan 2e-4).")
    var learningRate: Double?
    @Option(name: .customLong("embedding-dim"), parsing: .unconditional, help: "tvae, ctgan: width of the latent code / generator noise (default 128, as SDV).")
    var embeddingDim: Int?
    @Option(help: "tvae, ctgan: hidden layer widths, comma-separated (default as SDV: tvae 128,128; ctgan 256,256).")
    var layers: String?
    @Option(parsing: .unconditional, help: "tvae: early stopping. A tenth of the rows is held out of training; training stops once the loss on them has not improved for this many epochs, and the best epoch's weights are kept (default: off, as SDV; not with --epsilon; needs 200 rows).")
    var patience: Int?
    @Option(name: .customLong("max-grad-norm"), parsing: .unconditional, help: "tvae, ctgan with --epsilon (DP-SGD): per-row (ctgan: per packed row) gradient clipping norm C (default 1).")
    var maxGradNorm: Double?
    @OptionGroup var roles: RoleOptions

    func run() throws {
        try guarded {
            try OutputPaths.check(outputs: [("-o", output)], inputs: [file] + (schema.map { [$0] } ?? []))
            let kind = try SynthesizerKind.parse(synthesizer)
            var options = FitOptions()
            options.degree = degree; options.bins = bins; options.epsilon = epsilon; options.delta = delta; options.minLeaf = minLeaf
            // Progress rewrites one terminal line; it is ended before the next message.
            let progressLine = ProgressLine()
            if isatty(2) == 1 { options.progress = { line in progressLine.show(line) } }
            defer { progressLine.end() }
            if let e = epochs { options.neural.epochs = e }
            if let b = batchSize { options.neural.batchSize = b }
            if let e = embeddingDim { options.neural.embeddingDim = e }
            options.neural.learningRate = learningRate
            if let c = maxGradNorm { options.neural.maxGradNorm = c }
            options.neural.patience = patience
            if let l = layers {
                let widths = l.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !widths.isEmpty, widths.allSatisfy({ $0 != nil }) else { throw DoppelError.usage(message: "--layers must list widths, e.g. 128,128 (got '\(l)')") }
                options.neural.layers = widths.map { $0! }
            }
            options.visitOrder = visitOrder.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            try refuseInapplicable(kind)
            try FitOptions.checkEpsilon(epsilon)
            let file = try Pipeline.fit(csv: file, schemaPath: schema, kind: kind, seed: seed, options: options, roles: { try roles.apply(to: &$0) }, warn: { warn($0) })
            try file.write(to: output)
            progressLine.end()
            // After the fit, so that it never comes before a refusal of the options.
            if epsilon != nil && schema == nil {
                warn("--epsilon without --schema: the column kinds, categories and numeric bounds are inferred from \(self.file) and are not covered by ε. For an end-to-end guarantee write a schema with public bounds (doppel inspect --schema-out) and pass it with --schema.")
            }
            let s = file.model.schema
            if schema == nil {
                for c in s.columns where SchemaInference.isMisread(c) { warn("column '\(c.name)' was inferred as \(c.kind.withArticle) column: \(c.note!)") }
            }
            if file.provenance.trainingRows < 50 {
                warn("only \(counted(file.provenance.trainingRows, "training row")): synthetic rows will often repeat real ones; check the exact copies with doppel evaluate before sharing them")
            }
            if kind.isNeural, let b = batchSize, b >= file.provenance.trainingRows {
                let rows = counted(file.provenance.trainingRows, "training row")
                let what = epsilon != nil ? "every row is in every step's batch (a sampling rate of 1, which the privacy accounting uses)"
                         : kind == .ctgan ? "each step still draws \(b) rows, with repeats, through training-by-sampling"
                         : "each epoch is one step on all of them"
                warn("--batch-size \(b) is not below the \(rows): \(what)")
            }
            if let e = file.privacy.epsilon { info(String(format: "Privacy spent: ε = %.4g (δ = %.3g), itemised in the model file's privacy ledger (doppel inspect)", e, file.privacy.delta ?? 0)) }
            if let e = file.model.earlyStop {
                let kept = String(format: "kept epoch %d's weights (held-out loss %.4f per row; trained on %@, %@ held out)", e.bestEpoch, e.bestLoss,
                                  counted(e.trainingRows, "row"), counted(e.heldOutRows, "row"))
                let requested = options.neural.epochs
                if e.patience >= requested {
                    // After the fit, so that it never comes before a refusal of the options.
                    warn("--patience \(e.patience) is not below the \(requested) epochs: training cannot stop early, but a tenth of the rows is still held out for the check")
                }
                info(e.stoppedEarly ? "Stopped early after epoch \(e.epochsTrained) of \(requested): the held-out loss had not improved for \(counted(e.patience, "epoch")); \(kept)"
                                    : "Trained \(e.epochsTrained == 1 ? "the only epoch" : "all \(e.epochsTrained) epochs") (a patience of \(counted(e.patience, "epoch")) did not stop it); \(kept)")
                if e.stoppedEarly && e.bestEpoch <= e.patience {
                    warn("early stopping kept epoch \(e.bestEpoch), one of the first: the held-out loss of \(counted(e.heldOutRows, "row")) is noisy when an epoch is a step or two (\(counted(e.trainingRows, "training row"))); a longer --patience lets training get past that")
                }
            }
            if kind == .ctgan, let t = roles.target, file.model.conditionedTarget == nil {
                warn("ctgan conditions only on a categorical target; '\(t)' is \(s.columns.first { $0.name == t }?.kind.withArticle ?? "a non-categorical") column, so --target only names it for evaluation here")
            }
            info("Fitted \(kind.rawValue) on \(counted(file.provenance.trainingRows, "row")) × \(counted(s.columns.count, "column")) in \(String(format: "%.2f", file.provenance.fitSeconds)) s → \(output)")
        }
    }

    /// Options that only some synthesizers read are refused for the others, so a typo never goes unnoticed.
    func refuseInapplicable(_ kind: SynthesizerKind) throws {
        var wrong: [String] = []
        if kind != .bayesianNetwork { if degree != 2 { wrong.append("--degree") } }
        if ![.bayesianNetwork, .mst, .aim].contains(kind) { if bins != nil { wrong.append("--bins") } }
        if !kind.isNeural {
            for (name, given) in [("--epochs", epochs != nil), ("--batch-size", batchSize != nil), ("--learning-rate", learningRate != nil),
                                  ("--embedding-dim", embeddingDim != nil), ("--layers", layers != nil), ("--max-grad-norm", maxGradNorm != nil),
                                  ("--patience", patience != nil)] where given {
                wrong.append(name)
            }
        } else if kind == .ctgan && patience != nil {
            throw CTGAN.noEarlyStopping
        } else if epsilon == nil && maxGradNorm != nil { wrong.append("--max-grad-norm (without --epsilon)") }
        if kind != .cart { if minLeaf != 5 { wrong.append("--min-leaf") }; if visitOrder != nil { wrong.append("--visit-order") } }
        guard wrong.isEmpty else {
            throw DoppelError.usage(message: "\(wrong.joined(separator: ", ")) do\(wrong.count == 1 ? "es" : "") not apply to \(kind.rawValue)")
        }
    }
}

/// The terminal line that progress messages rewrite; `end()` moves past it once something was shown.
final class ProgressLine: @unchecked Sendable {
    private var shown = false
    func show(_ line: String) {
        shown = true
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }
    func end() {
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
        shown = false
    }
}
