import Foundation
import DoppelMath
import DoppelData
import DoppelNeural
import DoppelPrivacy

/// The conditional tabular GAN CTGAN (Xu, Skoularidou, Cuesta-Infante & Veeramachaneni 2019), as in
/// SDV's `CTGANSynthesizer`:
/// - rows encoded by ``TabularEncoder`` (mode-specific normalisation, one-hots);
/// - a conditional vector c names one category of one categorical column; while training the column is
///   drawn uniformly and the category with probability ∝ log(1 + count), and the real rows shown to the
///   critic are drawn among the rows with that category ("training by sampling");
/// - generator: residual blocks (256, 256) with batch norm on [z, c], z ~ N(0, I₁₂₈), then a linear
///   layer; tanh on scalars and Gumbel-softmax (τ = 0.2) on one-hots;
/// - critic: (256, 256) LeakyReLU(0.2) + dropout 0.5 on [row, c], `pac` = 10 rows packed together;
/// - Wasserstein loss with gradient penalty λ = 10; the generator adds the cross-entropy between its
///   one-hot for the conditioned column and c; Adam (lr 2e-4, β = (0.5, 0.9), L2 1e-6) for both.
/// Sampling draws c with the categories' observed frequencies; `--where column=value` fixes c (the
/// condition is served by the generator, then checked row by row).
///
/// With a categorical target (the schema's `target` role, `doppel fit --target`), training draws the
/// target as c's column in half of the rows (and uniformly among all columns in the other half), so the
/// generator learns the other columns given the outcome from many more steps; sampling then conditions
/// every row on the target, drawn with its observed frequencies — the conditional the generator learned
/// best, and the outcome's shares exactly as in the training rows. SDV conditions on each column
/// equally often and knows no target. Measured on thyroid0387 and covid_testing_chop (BENCHMARKS.md).
public enum CTGAN {
    public static let pac = 10
    /// Why early stopping (`--patience`) is refused for CTGAN.
    public static let noEarlyStopping = DoppelError.usage(message: "--patience applies to tvae only: CTGAN's two losses pull against each other and do not tell when the model is done; set --epochs")

    public static func fit(_ table: Table, options: NeuralOptions, seed: UInt64) throws -> (CTGANModel, PrivacyLedger?) {
        let schema = table.schema
        let n = table.rowCount
        guard n >= 2 else { throw DoppelError.badInput(path: "training data", line: nil, column: nil, message: "ctgan needs at least 2 rows (got \(n))") }
        guard options.patience == nil else { throw noEarlyStopping }
        try TVAE.validate(options, rows: n)
        guard options.batchSize % pac == 0 else { throw DoppelError.usage(message: "--batch-size must be a multiple of \(pac) for ctgan (PacGAN packs \(pac) rows; got \(options.batchSize))") }
        let privately = options.epsilon != nil
        let encoder = try TabularEncoder.fit(table, privately: privately, seed: seed)
        var rng = SeededGenerator(seed: seed, stream: 0x6374)
        // Refused before the rows are encoded: critic pac·row → hidden → 1, and the generator's layers.
        let hidden = options.layers ?? [256, 256]
        let conditionWidth = encoder.categoricalSpans.reduce(0) { $0 + $1.width }
        let rowWidth = encoder.width + conditionWidth, criticWidths = [pac * rowWidth] + hidden + [1]
        let generatorShapes = CTGANGenerator.layerShapes(noise: options.embeddingDim, condition: conditionWidth, hidden: hidden, outputs: encoder.width)
        try NeuralOptions.checkSize(layers: Array(zip(criticWidths, criticWidths.dropFirst())) + generatorShapes.map { ($0.inputs, $0.outputs) },
                                    batch: options.batchSize, widest: max(rowWidth, generatorShapes.last!.inputs), rowWidth: encoder.width,
                                    optionWidest: hidden.reduce(options.embeddingDim, +))
        let data = encoder.encode(table, rng: &rng)
        var conditions = ConditionSpace(encoder: encoder, data: data, target: schema.columns.firstIndex { $0.roles.contains(.target) })
        precondition(conditions.width == conditionWidth)
        let steps = max(n / options.batchSize, 1)
        var privacy: PrivateCritic?
        if let eps = options.epsilon {
            let delta = options.delta ?? FitOptions.defaultDelta(rows: n)
            let p = PrivateCritic(epsilon: eps, delta: delta, rows: n, batch: options.batchSize, steps: steps * options.epochs,
                                  categoricalColumns: conditions.columns.count, clip: Float(options.maxGradNorm))
            conditions.privatize(noise: p.countNoise, rng: &rng)
            privacy = p
        }
        let batch = options.batchSize
        let emb = options.embeddingDim
        // Apart from the generator's two side-by-side forward passes (below), the networks run one at a
        // time, so their products use both cores.
        let generator = CTGANGenerator(noise: emb, condition: conditions.width, hidden: hidden, outputs: encoder.width, spans: encoder.spans,
                                       cores: 2, rng: &rng)
        let critic = CTGANDiscriminator(inputs: pac * (encoder.width + conditions.width), widths: hidden, cores: 2, rng: &rng)
        let lr = Float(options.learningRate ?? 2e-4)
        let optG = Adam(generator.parameters, learningRate: lr, beta1: 0.5, beta2: 0.9, weightDecay: 1e-6)
        let optD = Adam(critic.parameters, learningRate: lr, beta1: 0.5, beta2: 0.9, weightDecay: 1e-6)
        optG.cores = 2; optD.cores = 2
        // A copy of the generator computes the critic step's fake rows beside the generator step's forward pass.
        var spare = SeededGenerator(seed: 0)
        let replica = CTGANGenerator(noise: emb, condition: conditions.width, hidden: hidden, outputs: encoder.width, spans: encoder.spans,
                                     cores: 2, rng: &spare)
        var progress = EpochProgress(options.progress, epochs: options.epochs)
        let packedRows = batch / pac
        for epoch in 0..<options.epochs {
            var lossG = 0.0, lossD = 0.0
            for _ in 0..<steps {
                let g: (raw: Tensor, activated: Tensor)
                let c1: Tensor, mask1: Tensor
                var ctx: ForwardContext
                if let p = privacy {
                    lossD += p.criticStep(critic: critic, optimizer: optD, generator: generator, conditions: conditions, data: data,
                                          embedding: emb, rng: &rng)
                    // Generator step's forward pass.
                    (c1, mask1, _) = conditions.sampleTraining(batch, rng: &rng)
                    let z = gaussian(batch, emb, &rng)
                    ctx = ForwardContext(training: true, rng: rng)
                    g = generator.forward(Tensor.concatenateColumns([z, c1]), &ctx)
                } else {
                    // The critic step's fake rows and the generator step's forward pass both use the
                    // generator's present weights (the critic step does not change them), so they run
                    // side by side, one core each: the fake rows on a copy of the generator. The two
                    // halves also take the step's draws from the one generator in turn, in the order of a
                    // sequential run (so the bits are the same): half 0 the critic's c and noise, half 1
                    // then the real rows, the generator step's c and noise and the two activation streams.
                    // Half 0 needs its stream only for the output activation, after its layers.
                    let cores = generator.cores
                    generator.cores = 1; replica.cores = 1
                    for block in generator.blocks { block.norm.holdsRunningUpdate = true }
                    let draws = StepDraws(rng)
                    let shared = UncheckedSendable((draws, replica, generator, conditions, data))
                    let group = DispatchGroup()
                    DispatchQueue.global().async(group: group) {
                        let (d, copy, main, conditions, data) = shared.value
                        let (cd, _, chosen) = conditions.sampleTraining(batch, rng: &d.rng)
                        let zd = gaussian(batch, emb, &d.rng)
                        d.chosen = chosen
                        d.criticDrawn.signal()
                        copy.copyWeights(of: main)
                        var bodyContext = ForwardContext(training: true, rng: SeededGenerator(seed: 0))   // the layers draw nothing
                        let raw = copy.body.forward(Tensor.concatenateColumns([zd, cd]), &bodyContext)
                        d.restDrawn.wait()
                        // Critic step's inputs: fake rows (with c) and the real rows (with c permuted).
                        var fctx = ForwardContext(training: true, rng: SeededGenerator(seed: d.streams.0, stream: 0x66616b65))
                        let fakeCat = Tensor.concatenateColumns([copy.activation.forward(raw, &fctx), cd])
                        let realCat = Tensor.concatenateColumns([data.gatherRows(d.realRows), cd.gatherRows(d.perm)])
                        d.critic = (packed(realCat), packed(fakeCat))
                    }
                    draws.criticDrawn.wait()
                    draws.perm = draws.rng.permutation(batch)
                    draws.realRows = draws.perm.map { conditions.realRow(for: draws.chosen[$0], rng: &draws.rng) }
                    let cg: Tensor
                    (cg, mask1, _) = conditions.sampleTraining(batch, rng: &draws.rng)
                    let zg = gaussian(batch, emb, &draws.rng)
                    draws.streams = (draws.rng.next(), draws.rng.next())
                    draws.restDrawn.signal()
                    var gctx = ForwardContext(training: true, rng: SeededGenerator(seed: draws.streams.1, stream: 0x67656e))
                    let generated = generator.forward(Tensor.concatenateColumns([zg, cg]), &gctx)
                    group.wait()
                    rng = draws.rng
                    generator.cores = cores
                    // Running batch-norm averages in the order of a sequential run: the fake rows' batch first.
                    for (main, copy) in zip(generator.blocks, replica.blocks) {
                        main.norm.setRunningStatistics(mean: copy.norm.runningMean, variance: copy.norm.runningVariance)
                        main.norm.foldHeldStatistics()
                        main.norm.holdsRunningUpdate = false
                    }
                    let (realPacked, fakePacked) = draws.critic!
                    // The step sets the critic's gradients (no clearing before it).
                    let (meanReal, meanFake, penalty) = critic.step(real: realPacked, fake: fakePacked, lambda: 10, rng: &rng)
                    optD.update()
                    lossD += -(meanReal - meanFake) + penalty
                    c1 = cg
                    g = generated
                    ctx = ForwardContext(training: true, rng: rng)
                }

                // Generator step.
                let y = critic.network.forward(packed(Tensor.concatenateColumns([g.activated, c1])), &ctx)
                rng = ctx.rng
                let dy = Tensor(rows: packedRows, cols: 1, repeating: -1 / Float(packedRows))
                let dPacked = critic.network.backward(dy, mode: .inputOnly)
                let dRows = Tensor(rows: batch, cols: encoder.width + conditions.width, values: dPacked.values).columns(0, encoder.width)
                var dRaw = generator.activation.backward(dRows, mode: .batch)
                let ce = conditions.addConditionLoss(raw: g.raw, condition: c1, mask: mask1, gradient: &dRaw)
                optG.zeroGradients()
                generator.backward(dRaw)
                optG.update()
                lossG += -Double(y.values.reduce(0, +)) / Double(packedRows) + ce
            }
            progress.epochDone(epoch) { String(format: "loss G %.3f  D %.3f", lossG / Double(steps), lossD / Double(steps)) }
        }
        let identifiers = IdentifierGenerator.perColumn(of: table, numbered: privately)
        let model = CTGANModel(schema: schema, encoder: encoder, identifiers: identifiers, hidden: hidden, embeddingDim: emb,
                          conditionColumns: conditions.columns, conditionFrequencies: conditions.frequencies, targetCondition: conditions.target,
                          generator: NetworkWeights(generator.parameters), normStatistics: generator.normStatistics, epochs: options.epochs)
        return (model, privacy?.ledger)
    }

    /// `pac` consecutive rows side by side: n × d becomes n/pac × (pac·d) (the same values, row-major).
    static func packed(_ rows: Tensor) -> Tensor {
        Tensor(rows: rows.rows / pac, cols: rows.cols * pac, values: rows.values)
    }

    static func gaussian(_ rows: Int, _ cols: Int, _ rng: inout SeededGenerator) -> Tensor {
        Tensor.standardNormal(rows: rows, cols: cols, rng: &rng)
    }
}

/// The conditional vectors of CTGAN: one block per categorical column (its one-hot span in the row
/// layout), and per category the training rows that have it.
struct ConditionSpace {
    /// Per conditioning column: schema column, start of its span in the row layout, start in c, width.
    var columns: [CTGANModel.ConditionColumn]
    /// Observed frequency of each category, per conditioning column.
    var frequencies: [[Double]]
    var logProbabilities: [[Double]]
    var rowsByCategory: [[[Int]]]
    var width: Int
    var rowCount: Int
    /// The conditioning column (index into `columns`) of the schema's target, if it is one: training
    /// conditions on it in half of the rows.
    var target: Int?

    init(encoder: TabularEncoder, data: Tensor, target targetColumn: Int? = nil) {
        columns = []; frequencies = []; logProbabilities = []; rowsByCategory = []
        rowCount = data.rows
        var at = 0
        for span in encoder.categoricalSpans {
            var rows = [[Int]](repeating: [], count: span.width)
            for i in 0..<data.rows {
                for c in 0..<span.width where data[i, span.start + c] > 0.5 { rows[c].append(i); break }
            }
            let counts = rows.map { Double($0.count) }
            let total = max(counts.reduce(0, +), 1)
            let logs = counts.map { log($0 + 1) }
            let logTotal = logs.reduce(0, +)
            columns.append(.init(column: span.column, dataStart: span.start, conditionStart: at, width: span.width))
            frequencies.append(counts.map { $0 / total })
            logProbabilities.append(logs.map { $0 / logTotal })
            rowsByCategory.append(rows)
            at += span.width
        }
        width = at
        target = targetColumn.flatMap { t in columns.firstIndex { $0.column == t } }
    }

    /// Replaces the category counts with noisy ones (Gaussian, standard deviation `noise` per count);
    /// frequencies and log-frequencies then come from the noisy counts (negative counts become 0).
    mutating func privatize(noise: Double, rng: inout SeededGenerator) {
        for k in columns.indices {
            let noisy = rowsByCategory[k].map { max(0, Double($0.count) + noise * rng.nextNormal()) }
            let total = noisy.reduce(0, +)
            frequencies[k] = total > 0 ? noisy.map { $0 / total } : noisy.map { _ in 1 / Double(noisy.count) }
            let logs = noisy.map { log($0 + 1) }
            let logTotal = logs.reduce(0, +)
            logProbabilities[k] = logTotal > 0 ? logs.map { $0 / logTotal } : logs.map { _ in 1 / Double(logs.count) }
        }
        rowsByCategory = rowsByCategory.map { $0.map { _ in [] } }   // not used (or kept) under DP
    }

    /// The category of `row` in conditioning column k (from the encoded row).
    func category(of row: Int, column k: Int, data: Tensor) -> Int {
        let col = columns[k]
        for t in 0..<col.width where data[row, col.dataStart + t] > 0.5 { return t }
        return 0
    }

    /// c and the mask of the chosen column for a training batch, and the (column, category) chosen per row.
    func sampleTraining(_ batch: Int, rng: inout SeededGenerator) -> (Tensor, Tensor, [(Int, Int)]) {
        var c = Tensor(rows: batch, cols: width), mask = Tensor(rows: batch, cols: max(columns.count, 1))
        var chosen: [(Int, Int)] = []
        guard !columns.isEmpty else { return (c, mask, [(Int, Int)](repeating: (-1, -1), count: batch)) }
        for i in 0..<batch {
            let k: Int
            if let t = target, rng.nextUniform() < 0.5 { k = t } else { k = rng.nextInt(below: columns.count) }
            let cat = draw(logProbabilities[k], &rng)
            c[i, columns[k].conditionStart + cat] = 1
            mask[i, k] = 1
            chosen.append((k, cat))
        }
        return (c, mask, chosen)
    }

    /// A training row with the chosen category (any row when nothing is chosen).
    func realRow(for choice: (Int, Int), rng: inout SeededGenerator) -> Int {
        guard choice.0 >= 0 else { return rng.nextInt(below: rowCount) }
        let rows = rowsByCategory[choice.0][choice.1]
        return rows[rng.nextInt(below: rows.count)]
    }

    /// Adds Σ over rows of mask·CE(raw one-hot of the chosen column, c)/batch to the loss gradient; returns the loss.
    func addConditionLoss(raw: Tensor, condition c: Tensor, mask: Tensor, gradient: inout Tensor) -> Double {
        let b = raw.rows
        var loss = 0.0
        for (k, col) in columns.enumerated() {
            for i in 0..<b where mask[i, k] > 0 {
                var top = -Float.infinity
                for t in 0..<col.width { top = max(top, raw[i, col.dataStart + t]) }
                var total: Float = 0
                for t in 0..<col.width { total += expf(raw[i, col.dataStart + t] - top) }
                for t in 0..<col.width {
                    let p = expf(raw[i, col.dataStart + t] - top) / total
                    let target: Float = c[i, col.conditionStart + t]
                    gradient[i, col.dataStart + t] += (p - target) / Float(b)
                    if target > 0.5 { loss -= Double(logf(max(p, 1e-30))) / Double(b) }
                }
            }
        }
        return loss
    }
}

func draw(_ p: [Double], _ rng: inout SeededGenerator) -> Int {
    var u = rng.nextUniform()
    for (k, q) in p.enumerated() { u -= q; if u < 0 { return k } }
    return p.count - 1
}

/// CTGAN's generator: residual blocks, a linear layer, then the output activations.
final class CTGANGenerator {
    let blocks: [Residual]
    let final: Linear
    let activation: GumbelSoftmax
    let body: Sequential

    /// `cores`: cores each large product may use — 2 while training (1 during the two side-by-side
    /// forward passes of a step), 1 when sampling (blocks are already generated on every core).
    init(noise: Int, condition: Int, hidden: [Int], outputs: Int, spans: [GumbelSoftmax.Span], cores: Int = 1, rng: inout SeededGenerator) {
        let shapes = Self.layerShapes(noise: noise, condition: condition, hidden: hidden, outputs: outputs)
        var b: [Residual] = []
        for (k, (i, o)) in shapes.dropLast().enumerated() { b.append(Residual(i, o, rng: &rng, name: "generator.\(k)")) }
        blocks = b
        final = Linear(shapes.last!.inputs, outputs, rng: &rng, name: "generator.out")
        activation = GumbelSoftmax(spans: spans, tau: 0.2)
        body = Sequential(b + [final])
        self.cores = cores
    }

    var parameters: [Parameter] { body.parameters }

    /// (inputs, outputs) of each dense layer: a residual block per hidden width, whose input is [z, c] and
    /// every earlier block's output side by side, then the linear layer to the row.
    static func layerShapes(noise: Int, condition: Int, hidden: [Int], outputs: Int) -> [(inputs: Int, outputs: Int)] {
        var w = noise + condition, shapes: [(inputs: Int, outputs: Int)] = []
        for h in hidden { shapes.append((w, h)); w += h }
        return shapes + [(w, outputs)]
    }

    /// Cores each large product and the output activation may use.
    var cores: Int {
        get { final.cores }
        set { for layer in blocks.map(\.linear) + [final] { layer.cores = newValue }; activation.cores = newValue }
    }

    /// Takes `other`'s weights and batch-norm running averages (same architecture). The values are copied
    /// into this network's own buffers: sharing them would make the next optimiser step copy every array.
    func copyWeights(of other: CTGANGenerator) {
        for (p, q) in zip(other.parameters, parameters) {
            precondition(p.value.count == q.value.count)
            p.value.values.withUnsafeBufferPointer { src in
                q.value.values.withUnsafeMutableBufferPointer { dst in dst.baseAddress!.update(from: src.baseAddress!, count: src.count) }
            }
        }
        for (a, b) in zip(other.blocks, blocks) { b.norm.setRunningStatistics(mean: a.norm.runningMean, variance: a.norm.runningVariance) }
    }

    func forward(_ x: Tensor, _ ctx: inout ForwardContext) -> (raw: Tensor, activated: Tensor) {
        let raw = body.forward(x, &ctx)
        return (raw, activation.forward(raw, &ctx))
    }

    /// The parameters' gradients from ∂L/∂(raw output). Input gradients are formed for the blocks'
    /// features only: the network's input [z, c], passed through to every later layer, needs none (a
    /// quarter of the final layer's g·Wᵀ with SDV's widths).
    func backward(_ dRaw: Tensor) {
        let fed = blocks[0].linear.inputs
        var g = final.backward(dRaw, mode: .batch, firstInputs: final.inputs - fed)
        for block in blocks.dropFirst().reversed() { g = block.backward(g, mode: .batch, firstInputs: block.linear.inputs - fed) }
        blocks[0].backwardParameters(g, mode: .batch)
    }

    var normStatistics: [[Float]] { blocks.flatMap { [$0.norm.runningMean, $0.norm.runningVariance] } }

    func setNormStatistics(_ s: [[Float]]) throws {
        guard s.count == 2 * blocks.count else { throw DoppelError.badModel(path: "model file", message: "batch-norm statistics do not match the generator") }
        for (k, b) in blocks.enumerated() {
            guard s[2 * k].count == b.norm.runningMean.count && s[2 * k + 1].count == b.norm.runningMean.count else {
                throw DoppelError.badModel(path: "model file", message: "batch-norm statistics have the wrong width")
            }
            b.norm.setRunningStatistics(mean: s[2 * k], variance: s[2 * k + 1])
        }
    }
}

/// A fitted CTGAN: the generator and what conditioning and decoding need.
public struct CTGANModel: Codable, Sendable, Equatable {
    public struct ConditionColumn: Codable, Sendable, Equatable {
        public var column: Int
        public var dataStart: Int
        public var conditionStart: Int
        public var width: Int
    }
    public var schema: Schema
    public var encoder: TabularEncoder
    public var identifiers: [IdentifierGenerator?]
    public var hidden: [Int]
    public var embeddingDim: Int
    public var conditionColumns: [ConditionColumn]
    /// Observed category frequencies of the conditioning columns (they drive unconditional sampling).
    public var conditionFrequencies: [[Double]]
    /// The conditioning column (index into `conditionColumns`) of the schema's target when it was fitted
    /// with one: training conditioned on it in half of the rows, and sampling conditions every row on it,
    /// its categories drawn with their observed frequencies (nil: no target; model files from before).
    public var targetCondition: Int?
    public var generator: NetworkWeights
    public var normStatistics: [[Float]]
    public var epochs: Int

    var conditionWidth: Int { conditionColumns.reduce(0) { $0 + $1.width } }

    /// Refuses conditioning fields that do not fit together or with the schema and the row layout: the
    /// file's checksum guards against damage, not against a file that other code wrote, and the sampler
    /// indexes with these fields.
    func checkConditions() throws {
        func bad(_ what: String) -> DoppelError { .badModel(path: "model file", message: "ctgan conditioning: \(what)") }
        guard conditionFrequencies.count == conditionColumns.count else { throw bad("\(conditionFrequencies.count) frequency lists for \(conditionColumns.count) columns") }
        var at = 0
        for (k, c) in conditionColumns.enumerated() {
            guard c.width > 0, c.conditionStart == at else { throw bad("column \(k + 1) is not laid out after the one before it") }
            guard schema.columns.indices.contains(c.column), c.dataStart >= 0, c.dataStart + c.width <= encoder.width else {
                throw bad("column \(k + 1) lies outside the schema or the encoded row")
            }
            let f = conditionFrequencies[k]
            guard f.count == c.width, f.allSatisfy({ $0.isFinite && $0 >= 0 }), f.reduce(0, +) > 0 else {
                throw bad("the frequencies of column \(k + 1) are not \(c.width) non-negative numbers with a positive sum")
            }
            at += c.width
        }
        if let t = targetCondition, !conditionColumns.indices.contains(t) { throw bad("the target is condition \(t), of \(conditionColumns.count)") }
    }

    /// A sampler; `fixed` conditions c on one categorical column (allowed codes, drawn by frequency).
    public func sampler(fixed: (column: Int, codes: [Int])? = nil) throws -> CTGANSampler { try CTGANSampler(model: self, fixed: fixed) }
}

/// Draws rows from a ``CTGANModel``.
public struct CTGANSampler: BlockSampler, @unchecked Sendable {
    public let model: CTGANModel
    public var schema: Schema { model.schema }
    let fixed: (column: Int, codes: [Int])?

    init(model: CTGANModel, fixed: (column: Int, codes: [Int])?) throws {
        self.model = model
        self.fixed = fixed
        try model.encoder.check(against: model.schema)
        try IdentifierGenerator.checkPerColumn(model.identifiers, schema: model.schema)
        try model.checkConditions()
        _ = try makeGenerator()
    }

    private func makeGenerator() throws -> CTGANGenerator {
        var rng = SeededGenerator(seed: 0)
        let g = CTGANGenerator(noise: model.embeddingDim, condition: model.conditionWidth, hidden: model.hidden,
                               outputs: model.encoder.width, spans: model.encoder.spans, rng: &rng)
        try model.generator.load(into: g.parameters)
        try g.setNormStatistics(model.normStatistics)
        return g
    }

    public func sampleBlock(rows m: Int, firstRow: Int, seed: UInt64, rng: inout SeededGenerator) -> Table {
        let generator = try! makeGenerator()   // validated in init
        let z = CTGAN.gaussian(m, model.embeddingDim, &rng)
        var c = Tensor(rows: m, cols: model.conditionWidth)
        let cols = model.conditionColumns
        if !cols.isEmpty {
            for i in 0..<m {
                let k: Int, cat: Int
                if let f = fixed, let kk = cols.firstIndex(where: { $0.column == f.column }) {
                    k = kk
                    let p = f.codes.map { model.conditionFrequencies[kk][$0] + 1e-12 }
                    let total = p.reduce(0, +)
                    cat = f.codes[draw(p.map { $0 / total }, &rng)]
                } else {
                    // Every row on the target when the model has one, else a column drawn uniformly.
                    k = model.targetCondition ?? rng.nextInt(below: cols.count)
                    cat = draw(model.conditionFrequencies[k], &rng)
                }
                c[i, cols[k].conditionStart + cat] = 1
            }
        }
        var ctx = ForwardContext(training: false, rng: rng)
        let y = generator.forward(Tensor.concatenateColumns([z, c]), &ctx).activated
        rng = ctx.rng
        var columns = model.encoder.decode(y, schema: schema, rng: &rng)
        for (j, spec) in schema.columns.enumerated() where spec.kind == .identifier {
            if let g = model.identifiers[j] { columns[j] = g.column(rows: m, firstRow: firstRow, seed: seed) }
        }
        return Table(schema: schema, columns: zip(schema.columns, columns).map { Column(name: $0.name, values: $1) })
    }
}

/// What the two side-by-side halves of a CTGAN step hand each other: the generator they draw from in
/// turn, the draws, and the two signals that order them. Half 0 is sent to a GCD queue and half 1 runs
/// on the calling thread, so each half runs on a thread of its own and neither wait can keep the other
/// from starting.
private final class StepDraws: @unchecked Sendable {
    var rng: SeededGenerator
    var chosen: [(Int, Int)] = []
    var perm: [Int] = []
    var realRows: [Int] = []
    var streams: (UInt64, UInt64) = (0, 0)
    var critic: (real: Tensor, fake: Tensor)?
    let criticDrawn = DispatchSemaphore(value: 0)
    let restDrawn = DispatchSemaphore(value: 0)
    init(_ rng: SeededGenerator) { self.rng = rng }
}
