import Foundation
import DoppelMath
import DoppelData
import DoppelNeural
import DoppelKernels
import DoppelPrivacy

/// Settings of the neural synthesizers, with SDV's defaults.
public struct NeuralOptions: Sendable {
    /// Passes over the training rows (SDV: 300).
    public var epochs: Int = 300
    /// Rows per step (SDV: 500). Under DP this is the expected batch size of Poisson sampling.
    public var batchSize: Int = 500
    /// Width of the latent code (TVAE) or generator noise (CTGAN) (SDV: 128).
    public var embeddingDim: Int = 128
    /// Hidden widths (nil: the model's default — TVAE (128, 128), CTGAN (256, 256)).
    public var layers: [Int]?
    /// Adam's step size (nil: the model's default — TVAE 1e-3, CTGAN 2e-4).
    public var learningRate: Double?
    /// DP-SGD: target ε (nil: not private) and δ.
    public var epsilon: Double?
    public var delta: Double?
    /// DP-SGD: per-sample gradient clipping norm C.
    public var maxGradNorm: Double = 1.0
    /// TVAE's early stopping (``EarlyStopping``): a tenth of the rows held out, training stopped once their
    /// loss has not improved for this many epochs, the best epoch's weights kept (nil: off, as SDV).
    public var patience: Int?
    /// Progress lines ("epoch 12/300 loss 3.21 eta 41 s").
    public var progress: (@Sendable (String) -> Void)?
    public init() {}

    /// Ceilings on the options (far above SDV's defaults), so that a typo is refused with a message
    /// instead of failing in an allocation.
    public static let maxWidth = 8_192, maxLayers = 16, maxBatch = 1_000_000
    /// Most weights a network may have (each costs 16 bytes or more while training: value, gradient and
    /// Adam's two moments), and most floats in one batch's activation matrix.
    public static let maxWeights = 200_000_000, maxActivations = 500_000_000

    /// Refuses networks whose dense layers (inputs, outputs) have more than ``maxWeights`` weights, or a
    /// batch whose widest activation has more than ``maxActivations`` floats. Called before the rows are
    /// encoded. `rowWidth`: the encoded row's width, which the message names when it, not the options,
    /// makes the network too large (many categories: one-hot columns); `optionWidest`: the widest layer
    /// or code the options set (a layer wider than that on either side takes its width from the data).
    static func checkSize(layers: [(Int, Int)], batch: Int, widest: Int, rowWidth: Int, optionWidest: Int) throws {
        let total = layers.reduce(0) { $0 + $1.0 * $1.1 }   // each factor is bounded by `validate` and the data's width
        guard total <= maxWeights else {
            let fromData = layers.filter { max($0.0, $0.1) > optionWidest }.reduce(0) { $0 + $1.0 * $1.1 }
            let advice = fromData * 2 > total
                ? "most of them come from the encoded rows, \(rowWidth) columns wide (a one-hot column per category and per mixture mode): mark high-cardinality categorical columns as identifiers in the schema, drop them or group their rare categories, or lower --layers"
                : "lower --layers or --embedding-dim"
            throw DoppelError.usage(message: "the network would have \(total) weights (at most \(maxWeights)): \(advice)")
        }
        guard batch * widest <= maxActivations else {
            throw DoppelError.usage(message: "a batch of \(batch) rows × \(widest) columns is too large (at most \(maxActivations) values): lower --batch-size")
        }
    }
}

/// Live progress of a training loop: a line at most once a second and after the last epoch, with the
/// losses, seconds per epoch and the time left.
struct EpochProgress {
    let report: (@Sendable (String) -> Void)?
    let epochs: Int
    private let start = Date()
    private var last: Date

    init(_ report: (@Sendable (String) -> Void)?, epochs: Int) {
        self.report = report; self.epochs = epochs; last = start
    }

    /// After epoch `epoch` (0-based); `losses` is only formatted when a line is due.
    mutating func epochDone(_ epoch: Int, losses: () -> String) {
        guard let report else { return }
        let now = Date()
        guard now.timeIntervalSince(last) >= 1 || epoch == epochs - 1 else { return }
        last = now
        let elapsed = now.timeIntervalSince(start), eta = elapsed / Double(epoch + 1) * Double(epochs - epoch - 1)
        report("epoch \(epoch + 1)/\(epochs)  " + losses() + String(format: "  %.3f s/epoch  eta %.0f s", elapsed / Double(epoch + 1), eta))
    }
}

/// The tabular variational autoencoder TVAE (Xu, Skoularidou, Cuesta-Infante & Veeramachaneni 2019), as
/// in SDV: rows encoded by ``TabularEncoder``; encoder MLP (128, 128) → μ, log σ² of a 128-d code;
/// decoder MLP (128, 128) → the row layout; loss per row
/// ℓ = 2·[Σ_scalars ((x − tanh r)²/(2s²) + log s) + Σ_one-hots CE(r, x)] + KL(N(μ, σ²) ‖ N(0, I)),
/// averaged over the batch, with a learned s per scalar (clamped to [0.01, 1]); Adam (lr 1e-3, L2 1e-5).
/// Sampling decodes z ~ N(0, I): scalars as tanh r + N(0, s²) (as SDV); one-hots are *drawn* from
/// softmax(r), the categorical distribution the decoder was trained to output, where SDV takes the
/// largest output. Measured on heart/pbc/gbsg (`doppel-bench synthesizers`, 300 epochs): Quality
/// 0.870/0.843/0.878 drawn vs 0.783/0.707/0.796 by largest output, detection AUC 0.58/0.66/0.52 vs
/// 0.84/0.90/0.94 — taking the largest output starves rare categories and missing cells.
///
/// With `epsilon`, training is DP-SGD (Abadi et al. 2016): Poisson-sampled batches (rate q = B/n),
/// each row's gradient clipped to norm C, Gaussian noise σC added to the sum, the noise multiplier σ
/// calibrated before training with ``RDPAccountant`` so that all steps stay within (ε, δ). The encoding
/// then uses only the schema (public), so DP-SGD is the only access to the rows.
public enum TVAE {
    public static func fit(_ table: Table, options: NeuralOptions, seed: UInt64) throws -> (TVAEModel, PrivacyLedger?) {
        let schema = table.schema
        let n = table.rowCount
        guard n >= 2 else { throw DoppelError.badInput(path: "training data", line: nil, column: nil, message: "tvae needs at least 2 rows (got \(n))") }
        try validate(options, rows: n)
        let privately = options.epsilon != nil
        let encoder = try TabularEncoder.fit(table, privately: privately, seed: seed)
        var rng = SeededGenerator(seed: seed, stream: 0x7661)
        let spans = encoder.spans
        let widths = options.layers ?? [128, 128]
        let encoderWidths = [encoder.width] + widths, decoderWidths = [options.embeddingDim] + widths.reversed() + [encoder.width]
        try NeuralOptions.checkSize(layers: Array(zip(encoderWidths, encoderWidths.dropFirst())) + [(widths.last!, 2 * options.embeddingDim)]
                                        + Array(zip(decoderWidths, decoderWidths.dropFirst())),
                                    batch: min(options.batchSize, n), widest: max(encoder.width, options.embeddingDim, widths.max()!),
                                    rowWidth: encoder.width, optionWidest: max(widths.max()!, 2 * options.embeddingDim))
        let data = encoder.encode(table, rng: &rng)
        let targets = TVAENetwork.oneHotTargets(data, spans: spans)
        let hidden = options.layers ?? [128, 128]
        let net = TVAENetwork(width: encoder.width, hidden: hidden, embedding: options.embeddingDim, rng: &rng)
        // A second copy of the network computes the gradient of the other half of each batch on the
        // second core (no layer mixes rows, so halves are independent); gradients are summed.
        var spare = SeededGenerator(seed: 0)
        let replica = TVAENetwork(width: encoder.width, hidden: hidden, embedding: options.embeddingDim, rng: &spare)
        let optimizer = Adam(net.parameters, learningRate: Float(options.learningRate ?? 1e-3), weightDecay: 1e-5)

        // With early stopping, a seeded tenth of the rows is held out of training to measure the loss on.
        let (trainingRows, heldOutRows) = options.patience == nil ? (Array(0..<n), []) : EarlyStopping.split(rows: n, seed: seed)
        let nTrain = trainingRows.count
        let batch = min(options.batchSize, nTrain)
        let stepsPerEpoch = max(1, nTrain / batch + (privately ? 0 : (nTrain % batch == 0 ? 0 : 1)))
        var ledger: PrivacyLedger?
        var noise = 0.0
        let q = Double(batch) / Double(n)
        if let eps = options.epsilon {
            let delta = options.delta ?? FitOptions.defaultDelta(rows: n)
            let steps = stepsPerEpoch * options.epochs
            noise = RDPAccountant.noiseMultiplier(epsilon: eps, delta: delta, sampleRate: q, steps: steps)
            var l = PrivacyLedger(epsilon: eps, delta: delta, orders: RDPAccountant.defaultOrders)
            l.spend("DP-SGD: \(steps) steps of Poisson-sampled batches (q = \(String(format: "%.4g", q))), per-row gradients clipped to C = \(options.maxGradNorm)",
                    mechanism: "subsampled Gaussian (σ = \(String(format: "%.4g", noise)))",
                    rdp: RDPAccountant.rdp(noiseMultiplier: noise, sampleRate: q, steps: steps))
            ledger = l
        }

        // Early stopping: the held-out loss with the same code noise at every check, from a stream of its
        // own, so the training's random numbers (and weights) are those of a fit without it.
        var stopping = options.patience.map { EarlyStopping(patience: $0) }
        let heldOut = data.gatherRows(heldOutRows)
        let heldOutTargets = TVAENetwork.targets(of: heldOutRows, in: targets, rows: n)
        let heldOutNoise = SeededGenerator(seed: seed, stream: 0x7374)
        var bestWeights: [[Float]] = []
        var epochsTrained = 0

        var progress = EpochProgress(options.progress, epochs: options.epochs)
        for epoch in 0..<options.epochs {
            var order = rng.permutation(nTrain)
            if nTrain < n { order = order.map { trainingRows[$0] } }
            var epochLoss = 0.0, epochRows = 0
            for step in 0..<stepsPerEpoch {
                let rows: [Int]
                if privately {
                    rows = (0..<n).filter { _ in rng.nextUniform() < q }
                    if rows.isEmpty { net.noiseOnlyStep(optimizer: optimizer, noise: Float(noise * options.maxGradNorm / Double(batch)), rng: &rng); continue }
                } else {
                    let lo = step * batch, hi = min(nTrain, lo + batch)
                    rows = Array(order[lo..<hi])
                }
                optimizer.zeroGradients()
                let clip = Float(options.maxGradNorm), expected = Float(batch), total = rows.count
                let loss = TVAENetwork.parallel([net, replica], rows: rows, data: data, targets: targets, rng: &rng) { network, x, t, r in
                    privately ? network.privateStep(x, targets: t, spans: spans, clip: clip, expectedBatch: expected, rng: &r)
                              : network.step(x, targets: t, spans: spans, batchSize: total, rng: &r)
                }
                if privately { net.addNoise(Float(noise * options.maxGradNorm) / expected, rng: &rng) }
                optimizer.update()
                net.clampSigmas()
                epochLoss += loss * Double(rows.count); epochRows += rows.count
            }
            order.removeAll()
            epochsTrained = epoch + 1
            progress.epochDone(epoch) { String(format: "loss %.4f", epochLoss / Double(max(epochRows, 1))) }
            if stopping != nil {
                var r = heldOutNoise
                let loss = net.loss(heldOut, targets: heldOutTargets, spans: spans, rng: &r)
                let (improved, stop) = stopping!.record(loss, epoch: epoch)
                if improved { bestWeights = (net.decoder.parameters + [net.sigma]).map(\.value.values) }
                if stop { break }
            }
        }
        if !bestWeights.isEmpty {
            // The best epoch's decoder and output scales (what sampling uses).
            for (p, v) in zip(net.decoder.parameters + [net.sigma], bestWeights) { p.value.values = v }
        }
        let identifiers = IdentifierGenerator.perColumn(of: table, numbered: privately)
        var model = TVAEModel(schema: schema, encoder: encoder, identifiers: identifiers, hidden: hidden,
                              embeddingDim: options.embeddingDim, decoder: NetworkWeights(net.decoder.parameters),
                              sigmas: net.sigma.value.values, epochs: bestWeights.isEmpty ? epochsTrained : stopping!.bestEpoch + 1)
        if let s = stopping, !bestWeights.isEmpty {
            model.earlyStop = EarlyStopRecord(patience: s.patience, trainingRows: nTrain, heldOutRows: heldOutRows.count, epochsTrained: epochsTrained,
                                              bestEpoch: s.bestEpoch + 1, bestLoss: s.best, stoppedEarly: epochsTrained < options.epochs)
        }
        return (model, ledger)
    }

    static func validate(_ options: NeuralOptions, rows n: Int) throws {
        guard options.epochs >= 1 else { throw DoppelError.usage(message: "--epochs must be at least 1 (got \(options.epochs))") }
        guard options.batchSize >= 2 else { throw DoppelError.usage(message: "--batch-size must be at least 2 (got \(options.batchSize))") }
        guard options.embeddingDim >= 1 else { throw DoppelError.usage(message: "--embedding-dim must be at least 1 (got \(options.embeddingDim))") }
        if let l = options.layers, l.isEmpty || l.contains(where: { $0 < 1 }) { throw DoppelError.usage(message: "--layers must list positive widths, e.g. 128,128") }
        // Ceilings far above any useful network, so that a typo fails here instead of in an allocation.
        if let l = options.layers, l.count > NeuralOptions.maxLayers || l.contains(where: { $0 > NeuralOptions.maxWidth }) {
            throw DoppelError.usage(message: "--layers: at most \(NeuralOptions.maxLayers) layers of at most \(NeuralOptions.maxWidth) units each")
        }
        guard options.embeddingDim <= NeuralOptions.maxWidth else { throw DoppelError.usage(message: "--embedding-dim must be at most \(NeuralOptions.maxWidth) (got \(options.embeddingDim))") }
        guard options.batchSize <= NeuralOptions.maxBatch else { throw DoppelError.usage(message: "--batch-size must be at most \(NeuralOptions.maxBatch) (got \(options.batchSize))") }
        if let lr = options.learningRate, !(lr > 0 && lr.isFinite) { throw DoppelError.usage(message: "--learning-rate must be positive (got \(lr))") }
        if let p = options.patience {
            guard p >= 1 else { throw DoppelError.usage(message: "--patience must be at least 1 epoch (got \(p))") }
            guard n >= EarlyStopping.minimumRows else { throw DoppelError.usage(message: "--patience needs at least \(EarlyStopping.minimumRows) rows (a tenth is held out to measure the loss on; got \(n))") }
            // The check reads the held-out rows after every epoch, which DP-SGD's accounting does not cover.
            guard options.epsilon == nil else { throw DoppelError.usage(message: "--patience cannot be used with --epsilon: early stopping measures the model on held-out training rows after every epoch, which the privacy budget does not cover") }
        }
        if options.delta != nil && options.epsilon == nil { throw DoppelError.usage(message: "--delta needs --epsilon (DP-SGD)") }
        try FitOptions.checkEpsilon(options.epsilon)
        try FitOptions.checkDelta(options.delta, rows: n)
        if options.epsilon != nil {
            guard options.maxGradNorm > 0 && options.maxGradNorm.isFinite else { throw DoppelError.usage(message: "--max-grad-norm must be positive") }
        }
    }
}

/// TVAE's encoder, decoder and per-scalar output scales, with the loss and its gradient.
final class TVAENetwork {
    let encoder: Sequential
    let mu: Linear
    let logvar: Linear
    let decoder: Sequential
    let sigma: Parameter
    let embedding: Int

    init(width: Int, hidden: [Int], embedding: Int, rng: inout SeededGenerator) {
        self.embedding = embedding
        var layers: [Layer] = []
        var w = width
        for (k, h) in hidden.enumerated() { layers.append(Linear(w, h, rng: &rng, name: "encoder.\(k)")); layers.append(ReLU()); w = h }
        encoder = Sequential(layers)
        mu = Linear(w, embedding, rng: &rng, name: "encoder.mu")
        logvar = Linear(w, embedding, rng: &rng, name: "encoder.logvar")
        decoder = multilayerPerceptron(embedding, hidden: hidden.reversed(), outputs: width, name: "decoder", rng: &rng)
        sigma = Parameter("decoder.sigma", Tensor(rows: 1, cols: width, repeating: 0.1))
    }

    var parameters: [Parameter] { encoder.parameters + mu.parameters + logvar.parameters + decoder.parameters + [sigma] }

    func clampSigmas() {
        sigma.value.values.withUnsafeMutableBufferPointer { s in for i in s.indices { s[i] = min(max(s[i], 0.01), 1) } }
    }

    /// For each row of `x` and each softmax span, the position of the row's one-hot within the span (the
    /// first largest entry), row after row: the targets of the categorical losses. ``TVAE/fit(_:options:seed:)``
    /// finds them once for the whole table (searching them in every step was a chain of dependent loads
    /// and compares).
    static func oneHotTargets(_ x: Tensor, spans: [GumbelSoftmax.Span]) -> [Int32] {
        let starts = spans.compactMap { span -> (Int, Int)? in
            if case .softmax(let s, let w) = span { return (s, w) } else { return nil }
        }
        var out = [Int32](repeating: 0, count: x.rows * starts.count)
        x.values.withUnsafeBufferPointer { xv in
            for i in 0..<x.rows {
                for (j, (s, w)) in starts.enumerated() {
                    let base = i * x.cols + s
                    var target = 0
                    for c in 1..<max(w, 1) where xv[base + c] > xv[base + target] { target = c }
                    out[i * starts.count + j] = Int32(target)
                }
            }
        }
        return out
    }

    /// Forward pass and the gradient of each row's own loss ℓᵢ, times `scale`, with respect to the decoder output, the
    /// per-row gradient of ℓᵢ with respect to the scalar scales (rows × width, zero off the scalars), and
    /// the pieces the KL term needs. Returns Σᵢ ℓᵢ.
    private func forwardLoss(_ x: Tensor, targets: [Int32], spans: [GumbelSoftmax.Span], scale: Float, rng: inout SeededGenerator)
        -> (loss: Double, dRecon: Tensor, dSigma: Tensor, eps: Tensor, std: Tensor, muOut: Tensor) {
        var ctx = ForwardContext(training: true, rng: rng)
        let h = encoder.forward(x, &ctx)
        let m = mu.forward(h, &ctx), lv = logvar.forward(h, &ctx)
        let b = x.rows, e = embedding
        let eps = Tensor.standardNormal(rows: b, cols: e, rng: &ctx.rng)
        var std = lv, z = m
        var loss = 0.0
        // z = μ + ε·σ with σ = exp(½ log σ²), and KL(N(μ, σ²) ‖ N(0, 1)) = −½ Σ (1 + log σ² − μ² − σ²).
        std.values.withUnsafeMutableBufferPointer { sv in
            z.values.withUnsafeMutableBufferPointer { zv in
                eps.values.withUnsafeBufferPointer { ev in
                    for i in 0..<(b * e) {
                        let l = sv[i], s = expf(0.5 * l), mi = zv[i]
                        sv[i] = s; zv[i] = mi + ev[i] * s
                        loss += Double(-0.5 * (1 + l - mi * mi - s * s))
                    }
                }
            }
        }
        let recon = decoder.forward(z, &ctx)
        var dRecon = Tensor(rows: b, cols: x.cols), dSigma = Tensor(rows: b, cols: x.cols)
        let factor: Float = 2, scaled = factor * scale
        let width = x.cols
        let sig = sigma.value.values
        let widest = spans.map(\.softmaxWidth).max() ?? 0
        // Blocks of rows, every span of a block before the next: a span is a column or a few of the
        // 1.8 KB rows, and a whole batch of x, recon and both gradients (4 × 450 KB for support2) does
        // not stay in L2 from one span to the next.
        let block = 32
        var scratch = [Float](repeating: 0, count: block * widest), lse = [Float](repeating: 0, count: block)
        let categorical = spans.filter { if case .softmax = $0 { return true } else { return false } }.count
        precondition(targets.count == b * categorical, "TVAE: \(targets.count) one-hot targets for \(b) rows")
        x.values.withUnsafeBufferPointer { xv in
            recon.values.withUnsafeBufferPointer { rv in
                dRecon.values.withUnsafeMutableBufferPointer { dr in
                    dSigma.values.withUnsafeMutableBufferPointer { ds in
                        for first in stride(from: 0, to: b, by: block) {
                            let last = min(b, first + block)
                            var j = 0   // the softmax span's index among the softmax spans
                            for span in spans {
                                switch span {
                                case .tanh(let s, let w):
                                    for c in s..<(s + w) {
                                        let sc = sig[c], inv2 = 1 / (sc * sc), invS = 1 / sc
                                        var l: Float = 0
                                        for i in first..<last {
                                            let k = i * width + c
                                            let t = tanhf(rv[k]), d = xv[k] - t
                                            l += d * d
                                            dr[k] = scaled * (-d * inv2 * (1 - t * t))
                                            ds[k] = factor * (-d * d * inv2 * invS + invS)
                                        }
                                        loss += Double(factor) * (Double(l) * 0.5 * Double(inv2) + Double(last - first) * Double(logf(sc)))
                                    }
                                case .softmax(let s, let w):
                                    // p = softmax(recon) into dRecon (`doppel_softmax_span`, with each row's
                                    // log Σ exp); ∂/∂recon of −log p_target is p − onehot(target).
                                    for i in first..<last { for c in 0..<w { dr[i * width + s + c] = rv[i * width + s + c] } }
                                    doppel_softmax_span(dr.baseAddress! + first * width + s, Int64(width), Int64(last - first), Int64(w), nil, 1, &scratch, &lse)
                                    for i in first..<last {
                                        let base = i * width + s, target = Int(targets[i * categorical + j])
                                        for c in 0..<w { dr[base + c] = scaled * dr[base + c] }
                                        dr[base + target] -= scaled
                                        loss += Double(factor) * Double(-(rv[base + target] - lse[i - first]))
                                    }
                                    j += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        rng = ctx.rng
        return (loss, dRecon, dSigma, eps, std, m)
    }

    /// Backward from the output gradients (already times `scale`, ``forwardLoss``) through decoder,
    /// reparameterisation (∂z/∂μ = 1, ∂z/∂log σ² = ½εσ) and encoder, with the KL term's own gradient
    /// (scale·μ and scale·½(σ² − 1)).
    private func backward(dRecon: Tensor, scale: Float, eps: Tensor, std: Tensor, mu m: Tensor, mode: GradientMode) {
        var dz = decoder.backward(dRecon, mode: mode)
        var dlv = Tensor(uninitializedRows: dz.rows, cols: dz.cols)
        dz.values.withUnsafeMutableBufferPointer { d in
            dlv.values.withUnsafeMutableBufferPointer { dl in
                eps.values.withUnsafeBufferPointer { ev in
                    std.values.withUnsafeBufferPointer { sv in
                        m.values.withUnsafeBufferPointer { mv in
                            for i in 0..<d.count {
                                let g = d[i], s = sv[i]
                                dl[i] = g * ev[i] * 0.5 * s + scale * 0.5 * (s * s - 1)
                                d[i] = g + scale * mv[i]   // now ∂/∂μ
                            }
                        }
                    }
                }
            }
        }
        var dh = mu.backward(dz, mode: mode)
        let dh2 = logvar.backward(dlv, mode: mode)
        for i in 0..<dh.count { dh.values[i] += dh2.values[i] }
        encoder.backwardParameters(dh, mode: mode)
    }

    /// One ordinary step's gradients (of the batch-mean loss) into the parameters. Returns the mean loss.
    /// `targets`: ``oneHotTargets(_:spans:)`` of `x` (found here when nil).
    func step(_ x: Tensor, targets: [Int32]? = nil, spans: [GumbelSoftmax.Span], batchSize: Int? = nil, rng: inout SeededGenerator) -> Double {
        let scale = 1 / Float(batchSize ?? x.rows)
        let f = forwardLoss(x, targets: targets ?? Self.oneHotTargets(x, spans: spans), spans: spans, scale: scale, rng: &rng)
        backward(dRecon: f.dRecon, scale: scale, eps: f.eps, std: f.std, mu: f.muOut, mode: .batch)
        let ds = f.dSigma.columnSums()
        for c in 0..<ds.count { sigma.gradient.values[c] += ds[c] * scale }
        return f.loss / Double(batchSize ?? x.rows)
    }

    /// The one-hot targets of `rows`, row after row, from `targets` (``oneHotTargets(_:spans:)`` of a
    /// table of `rows` rows).
    static func targets(of rows: [Int], in targets: [Int32], rows n: Int) -> [Int32] {
        let perRow = targets.count / max(n, 1)
        var t = [Int32](); t.reserveCapacity(rows.count * perRow)
        for row in rows { t.append(contentsOf: targets[(row * perRow)..<((row + 1) * perRow)]) }
        return t
    }

    /// The mean loss per row of `x` (``forwardLoss``, the training objective), without touching the
    /// gradients: early stopping's held-out loss. The code noise comes from `rng`.
    func loss(_ x: Tensor, targets: [Int32], spans: [GumbelSoftmax.Span], rng: inout SeededGenerator) -> Double {
        guard x.rows > 0 else { return .nan }
        return forwardLoss(x, targets: targets, spans: spans, scale: 1, rng: &rng).loss / Double(x.rows)
    }

    /// Runs `body` on the rows split in two halves, one network and one core each (one half when the
    /// batch is small), the second network holding the first one's weights; its gradients are added to
    /// the first network's. `body` gets each half's rows of `data` and their one-hot targets (`targets`
    /// holds ``oneHotTargets(_:spans:)`` of all of `data`, row after row). Returns the sum of what `body` returns. Deterministic: each half has its
    /// own random stream drawn from `rng`.
    static func parallel(_ nets: [TVAENetwork], rows: [Int], data: Tensor, targets: [Int32], rng: inout SeededGenerator,
                         _ body: @escaping (TVAENetwork, Tensor, [Int32], inout SeededGenerator) -> Double) -> Double {
        let halves = rows.count >= 128 ? 2 : 1
        let cut = rows.count / halves
        let parts = halves == 2 ? [Array(rows[..<cut]), Array(rows[cut...])] : [rows]
        let seeds = parts.map { _ in rng.next() }
        if halves == 2 {
            for (p, q) in zip(nets[0].parameters, nets[1].parameters) { q.value = p.value; q.zeroGradient() }
        }
        let out = UnsafeMutableBufferPointer<Double>.allocate(capacity: halves)
        defer { out.deallocate() }
        let results = UncheckedSendable(out)
        let shared = UncheckedSendable((nets, parts, body))
        DispatchQueue.concurrentPerform(iterations: halves) { h in
            var r = SeededGenerator(seed: seeds[h], stream: 0x68616c66)
            let part = shared.value.1[h]
            let x = data.gatherRows(part)
            let t = TVAENetwork.targets(of: part, in: targets, rows: data.rows)
            let v = shared.value.2(shared.value.0[h], x, t, &r)
            results.value[h] = v   // one slot per half
        }
        if halves == 2 {
            for (p, q) in zip(nets[0].parameters, nets[1].parameters) {
                p.gradient.values.withUnsafeMutableBufferPointer { a in
                    q.gradient.values.withUnsafeBufferPointer { b in for i in a.indices { a[i] += b[i] } }
                }
            }
        }
        return out.reduce(0, +)
    }

    /// One DP-SGD step without the noise: per-row gradients clipped to `clip`, summed and divided by the
    /// expected batch size (the caller adds N(0, (σC/B)²) once per step, ``addNoise(_:rng:)``).
    func privateStep(_ x: Tensor, targets: [Int32]? = nil, spans: [GumbelSoftmax.Span], clip: Float, expectedBatch: Float, rng: inout SeededGenerator) -> Double {
        let f = forwardLoss(x, targets: targets ?? Self.oneHotTargets(x, spans: spans), spans: spans, scale: 1, rng: &rng)
        backward(dRecon: f.dRecon, scale: 1, eps: f.eps, std: f.std, mu: f.muOut, mode: .perSample)
        var norms = f.dSigma.rowSquaredNorms()
        encoder.addPerSampleSquaredNorms(&norms)
        mu.addPerSampleSquaredNorms(&norms)
        logvar.addPerSampleSquaredNorms(&norms)
        decoder.addPerSampleSquaredNorms(&norms)
        let weights = norms.map { min(1, clip / max($0.squareRoot(), 1e-12)) / expectedBatch }
        encoder.accumulateWeighted(weights); mu.accumulateWeighted(weights); logvar.accumulateWeighted(weights); decoder.accumulateWeighted(weights)
        var ds = f.dSigma
        ds.scaleRows(weights)
        let s = ds.columnSums()
        for c in 0..<s.count { sigma.gradient.values[c] += s[c] }
        return f.loss / Double(expectedBatch)
    }

    /// A step whose Poisson batch came out empty: the update is noise alone (the mechanism still runs).
    func noiseOnlyStep(optimizer: Adam, noise: Float, rng: inout SeededGenerator) {
        optimizer.zeroGradients()
        addNoise(noise, rng: &rng)
        optimizer.update()
        clampSigmas()
    }

    func addNoise(_ sd: Float, rng: inout SeededGenerator) {
        for p in parameters { p.gradient.addNoise(sd: sd, rng: &rng) }
    }
}

/// A fitted TVAE: the decoder and what decoding needs.
public struct TVAEModel: Codable, Sendable, Equatable {
    public var schema: Schema
    public var encoder: TabularEncoder
    public var identifiers: [IdentifierGenerator?]
    public var hidden: [Int]
    public var embeddingDim: Int
    public var decoder: NetworkWeights
    public var sigmas: [Float]
    /// Epochs of training behind the stored weights (with early stopping: the best epoch's).
    public var epochs: Int
    /// What early stopping did (nil when it was off).
    public var earlyStop: EarlyStopRecord?

    public func sampler() throws -> TVAESampler { try TVAESampler(model: self) }
}

/// Draws rows from a ``TVAEModel``: z ~ N(0, I) through the decoder, then ``TabularEncoder/decode``.
public struct TVAESampler: BlockSampler, @unchecked Sendable {
    public let model: TVAEModel
    public var schema: Schema { model.schema }
    private let weights: NetworkWeights

    init(model: TVAEModel) throws {
        self.model = model
        weights = model.decoder
        try model.encoder.check(against: model.schema)
        try IdentifierGenerator.checkPerColumn(model.identifiers, schema: model.schema)
        var rng = SeededGenerator(seed: 0)
        _ = try makeDecoder(&rng)
    }

    private func makeDecoder(_ rng: inout SeededGenerator) throws -> Sequential {
        let net = multilayerPerceptron(model.embeddingDim, hidden: model.hidden.reversed(), outputs: model.encoder.width, name: "decoder", rng: &rng)
        try weights.load(into: net.parameters)
        return net
    }

    public func sampleBlock(rows m: Int, firstRow: Int, seed: UInt64, rng: inout SeededGenerator) -> Table {
        var initRng = SeededGenerator(seed: 0)
        let decoder = try! makeDecoder(&initRng)   // validated in init
        let z = Tensor.standardNormal(rows: m, cols: model.embeddingDim, rng: &rng)
        var ctx = ForwardContext(training: false, rng: rng)
        var y = decoder.forward(z, &ctx)
        var noise: [Int: Double] = [:]
        for span in model.encoder.spans {
            if case .tanh(let s, let w) = span {
                for c in s..<(s + w) {
                    noise[c] = Double(model.sigmas[c])
                    for i in 0..<m { y[i, c] = tanhf(y[i, c]) }
                }
            }
        }
        var columns = model.encoder.decode(y, schema: schema, scalarNoise: noise, oneHots: .sampleLogits, rng: &rng)
        for (j, spec) in schema.columns.enumerated() where spec.kind == .identifier {
            if let g = model.identifiers[j] { columns[j] = g.column(rows: m, firstRow: firstRow, seed: seed) }
        }
        return Table(schema: schema, columns: zip(schema.columns, columns).map { Column(name: $0.name, values: $1) })
    }
}
