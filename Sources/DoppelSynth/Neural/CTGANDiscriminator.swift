import Foundation
import DoppelMath
import DoppelNeural

/// CTGAN's critic: for each hidden width, Linear → LeakyReLU(0.2) → Dropout(0.5), then Linear(…, 1), on
/// "packed" inputs — `pac` rows side by side (PacGAN, Lin et al. 2018), which lets the critic see
/// whether a batch lacks diversity.
///
/// ``step(real:fake:lambda:rng:)`` is one training step of the critic (loss and penalty together).
/// ``gradientPenaltyAndGradient(real:fake:lambda:rng:rowWeights:)`` (DP-CTGAN, with per-row weights)
/// gives the WGAN-GP term (Gulrajani et al. 2017) λ·mean((‖∇ₓD(x̂)‖ − 1)²) at x̂ = a·real + (1 − a)·fake (one a per packed row) and its gradient with
/// respect to the weights. With LeakyReLU the critic is piecewise linear, so ∇ₓD(x̂) is the product
/// ((w_out ⊙ s_{L−1})·W_{L−1}ᵀ ⊙ s_{L−2} ⋯)·W₀ᵀ of the weights (hidden layers 0 … L−1) and the fixed activation slopes s (times dropout
/// masks); its derivative with respect to each W follows by the product rule (see the implementation),
/// no second-order autodiff needed. The biases do not enter it.
final class CTGANDiscriminator {
    let hidden: [Linear]
    let activations: [LeakyReLU]
    let dropouts: [Dropout]
    let output: Linear
    let network: Sequential
    let slope: Float = 0.2

    init(inputs: Int, widths: [Int], dropout: Float = 0.5, cores: Int = 1, rng: inout SeededGenerator) {
        var h: [Linear] = [], a: [LeakyReLU] = [], d: [Dropout] = []
        var w = inputs
        for (k, width) in widths.enumerated() {
            h.append(Linear(w, width, rng: &rng, name: "critic.\(k)")); a.append(LeakyReLU(slope: 0.2)); d.append(Dropout(dropout))
            w = width
        }
        hidden = h; activations = a; dropouts = d
        output = Linear(w, 1, rng: &rng, name: "critic.out")
        var layers: [Layer] = []
        for k in 0..<h.count { layers += [h[k], a[k], d[k]] }
        layers.append(output)
        network = Sequential(layers)
        self.cores = cores
    }

    var parameters: [Parameter] { network.parameters }

    /// Cores each large product of the critic may use (2 while training: it runs alone).
    var cores: Int {
        get { hidden.first?.cores ?? 1 }
        set { for layer in hidden + [output] { layer.cores = newValue } }
    }

    /// One WGAN-GP critic step on n packed real and n packed fake rows: sets the parameters' gradients to
    /// the gradient of mean D(fake) − mean D(real) + λ·mean((‖∇ₓD(x̂)‖ − 1)²), x̂ = a·real + (1 − a)·fake
    /// with one a per row; returns the two means and the penalty.
    ///
    /// The three sets of rows go through the network as one 3n-row batch (the x̂ rows' first-layer
    /// pre-activation interpolated from the real and fake rows', as the layer is affine), and so does the
    /// chain back to the first layer: with pre-activations zₗ = hₗ₋₁·Wₗ + bₗ, hₗ = zₗ ⊙ sₗ (slope times dropout mask),
    /// δ_{L−1} = c ⊗ w_out ⊙ s_{L−1}, uₗ = δₗ·Wₗᵀ, δₗ₋₁ = uₗ ⊙ sₗ₋₁, where c is ∓1/n on the real and fake
    /// rows (the Wasserstein loss) and 1 on the x̂ rows (so that u₀ there is ∇ₓD; u₀ is formed for those
    /// rows only). Reversing the penalty through that chain (∂Wₗ += ∂uₗᵀ·δₗ, ∂δₗ = ∂uₗ·Wₗ,
    /// ∂uₗ₊₁ = ∂δₗ ⊙ sₗ) gives weight gradients of the same form as the loss's, hₗ₋₁ᵀ·δₗ, with ∂uₗ in
    /// place of hₗ₋₁ on the x̂ rows — so each weight gradient is one product over all 3n rows, the x̂
    /// rows of each layer's input overwritten by ∂uₗ. Biases get the loss's part only (they do not enter
    /// ∇ₓD). The large products use ``cores``.
    func step(real: Tensor, fake: Tensor, lambda: Float, rng: inout SeededGenerator) -> (meanReal: Double, meanFake: Double, penalty: Double) {
        let n = real.rows, d0 = real.cols, L = hidden.count, rows = 3 * n
        precondition(fake.rows == n && fake.cols == d0 && L > 0)
        let cores = self.cores
        // x = [real; fake; n rows that receive ∂u₀ below]. x̂ itself is never formed: its first layer's
        // pre-activation is a·z(real) + (1 − a)·z(fake), row by row (the layer is affine).
        var x = Tensor(uninitializedRows: rows, cols: d0)
        x.values.withUnsafeMutableBufferPointer { xb in
            real.values.withUnsafeBufferPointer { rb in
                fake.values.withUnsafeBufferPointer { fb in
                    guard let xp = xb.baseAddress, let rp = rb.baseAddress, let fp = fb.baseAddress else { return }
                    xp.update(from: rp, count: n * d0)
                    (xp + n * d0).update(from: fp, count: n * d0)
                }
            }
        }
        let a = Self.interpolationWeights(n, rng: &rng)
        // Forward: inputs[l] = hₗ₋₁ (inputs[0] = x), slopes[l] = sₗ.
        var inputs: [Tensor], slopes: [Tensor]
        (inputs, slopes) = forwardWithSlopes(consume x, interpolating: a, rng: &rng)   // inputs[0] is x's only reference (its last n rows are written below)
        // Scores D = h_{L−1}·w_out + b_out; the loss's weights c.
        let wOut = output.weight.value.values, bOut = output.bias.value.values[0]
        let last = inputs[L], width = last.cols
        var c = [Float](repeating: 1, count: rows)
        var meanReal = 0.0, meanFake = 0.0
        for r in 0..<(2 * n) {
            var score = bOut
            for k in 0..<width { score += last.values[r * width + k] * wOut[k] }
            if r < n { meanReal += Double(score); c[r] = -1 / Float(n) } else { meanFake += Double(score); c[r] = 1 / Float(n) }
        }
        // Chain back: deltas[l] = δₗ on all rows; u₀ on the x̂ rows only.
        let deltas = chainBack(slopes: slopes, rowScale: c)
        let penaltyRows = 2 * n..<rows
        var g = Tensor(rows: 0, cols: 0)
        Tensor.gemm(deltas[0].rows(penaltyRows), hidden[0].weight.value, transposeB: true, into: &g, cores: cores)
        // The mean over the n rows of Pᵢ, and its gradient.
        let penalty = Self.penalize(&g, lambda: lambda, divisor: Float(n)).reduce(0.0) { $0 + Double($1) / Double(n) }
        // Reverse the penalty: ∂u₀ = g, ∂δₗ = ∂uₗ·Wₗ, ∂uₗ₊₁ = ∂δₗ ⊙ sₗ, ∂w_out = Σ ∂δ_{L−1} ⊙ s_{L−1}; the x̂
        // rows of each layer's input become ∂uₗ (of the output layer's, ∂δ_{L−1} ⊙ s_{L−1}, with c = 1).
        var du = g
        for l in 0..<L {
            inputs[l].setRows(from: 2 * n, du)
            var dDelta = Tensor(rows: 0, cols: 0)
            Tensor.gemm(du, hidden[l].weight.value, into: &dDelta, cores: cores)
            let offset = 2 * n * dDelta.cols
            dDelta.values.withUnsafeMutableBufferPointer { db in
                slopes[l].values.withUnsafeBufferPointer { sb in for i in db.indices { db[i] *= sb[offset + i] } }
            }
            du = dDelta
        }
        inputs[L].setRows(from: 2 * n, du)
        // Weight gradients: one product over all rows per layer, written over what the gradients held (no
        // clearing pass before the step); biases from the loss's rows.
        let lossRows = 0..<(2 * n)
        for l in 0..<L {
            Tensor.gemm(inputs[l], transposeA: true, deltas[l], into: &hidden[l].weight.gradient, cores: cores)
            hidden[l].bias.gradient.values = deltas[l].rows(lossRows).columnSums()
        }
        var wGrad = [Float](repeating: 0, count: width)
        inputs[L].values.withUnsafeBufferPointer { hb in
            for r in 0..<rows { for k in 0..<width { wGrad[k] += c[r] * hb[r * width + k] } }
        }
        output.weight.gradient.values = wGrad
        output.bias.gradient.values = [c[lossRows].reduce(0, +)]
        return (meanReal / Double(n), meanFake / Double(n), penalty)
    }

    /// One interpolation weight a ~ U(0, 1) per row of x̂.
    private static func interpolationWeights(_ n: Int, rng: inout SeededGenerator) -> [Float] {
        (0..<n).map { _ in Float(rng.nextUniform()) }
    }

    /// Row r of `out` = a[r]·real row r + (1 − a[r])·fake row r (`cols` wide, row-major): x̂ itself, or any
    /// affine image of it, such as its first-layer pre-activation from the real and fake rows'.
    private static func interpolate(_ real: UnsafePointer<Float>, _ fake: UnsafePointer<Float>, weights a: [Float], cols d: Int,
                                    into out: UnsafeMutablePointer<Float>) {
        for r in a.indices {
            let ar = a[r], br = 1 - a[r], o = out + r * d, re = real + r * d, fa = fake + r * d
            for k in 0..<d { o[k] = ar * re[k] + br * fa[k] }
        }
    }

    /// The hidden layers on `x`, each pre-activation zₗ = hₗ₋₁·Wₗ + bₗ times sₗ (the LeakyReLU slope where
    /// zₗ ≤ 0, 1 elsewhere, times a dropout mask drawn from `rng`). Returns every layer's input (x first,
    /// then hₗ; the last is the output layer's input) and the sₗ.
    ///
    /// `interpolating` a (n values, x 3n rows [real; fake; any]): the first layer's product is formed for
    /// the first 2n rows only, and row 2n + r of z₀ is aᵣ·z₀[r] + (1 − aᵣ)·z₀[n + r] — z₀ of the row
    /// x̂ᵣ = aᵣ·realᵣ + (1 − aᵣ)·fakeᵣ, since the layer is affine (equal up to rounding; a third fewer
    /// multiply-adds in the widest product). x's last n rows are not read.
    private func forwardWithSlopes(_ x: Tensor, interpolating a: [Float]? = nil, rng: inout SeededGenerator) -> (inputs: [Tensor], slopes: [Tensor]) {
        var inputs = [x], slopes: [Tensor] = []
        for (l, layer) in hidden.enumerated() {
            var z = Tensor(rows: 0, cols: 0)
            if l == 0, let a {
                let n = a.count, w = layer.outputs
                precondition(x.rows == 3 * n)
                var pair = Tensor(rows: 0, cols: 0)
                Tensor.gemm(x, layer.weight.value, into: &pair, cores: layer.cores, firstRows: 2 * n)
                z = Tensor(uninitializedRows: 3 * n, cols: w)
                z.values.withUnsafeMutableBufferPointer { zb in
                    pair.values.withUnsafeBufferPointer { pb in
                        guard let zp = zb.baseAddress, let pp = pb.baseAddress else { return }
                        zp.update(from: pp, count: 2 * n * w)
                        Self.interpolate(pp, pp + n * w, weights: a, cols: w, into: zp + 2 * n * w)
                    }
                }
            } else {
                Tensor.gemm(inputs[l], layer.weight.value, into: &z, cores: layer.cores)
            }
            z.addRow(layer.bias.value.values)
            var sl = Tensor(uninitializedRows: z.rows, cols: z.cols)
            let p = dropouts[l].p, keep = 1 / (1 - p), slope = slope
            let threshold = UInt64(Double(p) * 0x1p64.nextDown)
            z.values.withUnsafeMutableBufferPointer { zb in
                sl.values.withUnsafeMutableBufferPointer { sb in
                    for i in zb.indices {
                        let m: Float = rng.next() >= threshold ? keep : 0
                        let v = (zb[i] > 0 ? 1 : slope) * m
                        sb[i] = v
                        zb[i] *= v
                    }
                }
            }
            slopes.append(sl)
            inputs.append(z)
        }
        return (inputs, slopes)
    }

    /// δ_{L−1} = c ⊗ w_out ⊙ s_{L−1} (c one factor per row), δₗ₋₁ = (δₗ·Wₗᵀ) ⊙ sₗ₋₁: the gradient of Σᵣ cᵣ·D(xᵣ)
    /// with respect to each hidden layer's pre-activation.
    private func chainBack(slopes: [Tensor], rowScale c: [Float]) -> [Tensor] {
        let L = hidden.count, wOut = output.weight.value.values
        var deltas = [Tensor](repeating: Tensor(rows: 0, cols: 0), count: L)
        var delta = slopes[L - 1]
        let width = delta.cols
        for r in 0..<delta.rows { for k in 0..<width { delta.values[r * width + k] *= c[r] * wOut[k] } }
        deltas[L - 1] = delta
        for l in stride(from: L - 1, to: 0, by: -1) {
            var u = Tensor(rows: 0, cols: 0)
            Tensor.gemm(deltas[l], hidden[l].weight.value, transposeB: true, into: &u, cores: hidden[l].cores)
            for i in 0..<u.count { u.values[i] *= slopes[l - 1].values[i] }
            deltas[l - 1] = u
        }
        return deltas
    }

    /// Given u = ∇ₓD row by row, returns each row's Pᵢ = λ(‖uᵢ‖ − 1)² and replaces u by ∂Pᵢ/∂uᵢ / `divisor`
    /// = 2λ(‖uᵢ‖ − 1)/‖uᵢ‖ · uᵢ / divisor.
    private static func penalize(_ u: inout Tensor, lambda: Float, divisor: Float) -> [Float] {
        let width = u.cols
        var rows = [Float](repeating: 0, count: u.rows)
        u.values.withUnsafeMutableBufferPointer { gb in
            for i in rows.indices {
                var ss: Float = 0
                for k in (i * width)..<(i * width + width) { ss += gb[k] * gb[k] }
                let norm = ss.squareRoot()
                rows[i] = lambda * (norm - 1) * (norm - 1)
                let f = lambda * 2 * (norm - 1) / max(norm, 1e-12) / divisor
                for k in (i * width)..<(i * width + width) { gb[k] *= f }
            }
        }
        return rows
    }

    /// Adds gradients from ``gradientPenaltyAndGradient(real:fake:lambda:rng:rowWeights:)`` (hidden
    /// weights, then the output weight) to the parameters.
    func addPenaltyGradient(_ grads: [Tensor]) {
        for (l, g) in grads.enumerated() {
            let target = l < hidden.count ? hidden[l].weight : output.weight
            target.gradient.values.withUnsafeMutableBufferPointer { t in
                g.values.withUnsafeBufferPointer { s in for i in t.indices { t[i] += s[i] } }
            }
        }
    }

    /// The penalty Σᵢ wᵢ·λ(‖∇ₓD(x̂ᵢ)‖ − 1)² and its gradient, where the row weights w are chosen by
    /// `rowWeights` from the per-row gradient norms ‖∂Pᵢ/∂θ‖ of the unweighted row penalties Pᵢ (DP-SGD
    /// clips each packed row). Each row's weight gradient is a sum of outer products, so its norm is
    /// Σ_l ‖∂uᵢ‖²·‖δᵢ‖² (+ the output weight's part) without forming it.
    func gradientPenaltyAndGradient(real: Tensor, fake: Tensor, lambda: Float, rng: inout SeededGenerator,
                                    rowWeights: ([Float]) -> [Float]) -> (Double, [Tensor]) {
        let n = real.rows, d0 = real.cols, L = hidden.count
        let a = Self.interpolationWeights(n, rng: &rng)
        var x = Tensor(uninitializedRows: n, cols: d0)
        x.values.withUnsafeMutableBufferPointer { xb in
            real.values.withUnsafeBufferPointer { rb in
                fake.values.withUnsafeBufferPointer { fb in
                    guard let xp = xb.baseAddress, let rp = rb.baseAddress, let fp = fb.baseAddress else { return }
                    Self.interpolate(rp, fp, weights: a, cols: d0, into: xp)
                }
            }
        }
        // Forward with each hidden layer's slope·mask s; δₗ (c = 1 on every row); ∇ₓD = u = δ₀·W₀ᵀ.
        let slopes = forwardWithSlopes(x, rng: &rng).slopes
        let deltas = chainBack(slopes: slopes, rowScale: [Float](repeating: 1, count: n))
        var g = Tensor(rows: 0, cols: 0)
        Tensor.gemm(deltas[0], hidden[0].weight.value, transposeB: true, into: &g, cores: hidden[0].cores)
        // Pᵢ = λ(‖uᵢ‖ − 1)²; g = ∂Pᵢ/∂uᵢ (unweighted).
        let rowPenalty = Self.penalize(&g, lambda: lambda, divisor: 1)
        // Reverse through the chain: uₗ = δₗ·Wₗᵀ ⇒ ∂Wₗ = (∂uₗ)ᵀ·δₗ, ∂δₗ = ∂uₗ·Wₗ;
        // δₗ₋₁ = uₗ ⊙ sₗ₋₁ ⇒ ∂uₗ = ∂δₗ₋₁ ⊙ sₗ₋₁; δ_{L−1} = w_out ⊙ s_{L−1} ⇒ ∂w_out = Σᵢ ∂δ_{L−1} ⊙ s_{L−1}.
        var dus: [Tensor] = []
        var du = g
        var dDelta = Tensor(rows: 0, cols: 0)
        for l in 0..<L {
            dus.append(du)
            Tensor.gemm(du, hidden[l].weight.value, into: &dDelta, cores: hidden[l].cores)
            if l < L - 1 {
                du = dDelta
                for i in 0..<du.count { du.values[i] *= slopes[l].values[i] }
            }
        }
        let sL = slopes[L - 1]
        var outRows = dDelta
        for i in 0..<outRows.count { outRows.values[i] *= sL.values[i] }
        var norms = outRows.rowSquaredNorms()
        for l in 0..<L {
            let a = dus[l].rowSquaredNorms(), b = deltas[l].rowSquaredNorms()
            for i in 0..<n { norms[i] += a[i] * b[i] }
        }
        let w = rowWeights(norms.map { $0.squareRoot() })
        var grads = hidden.map { Tensor(rows: $0.inputs, cols: $0.outputs) } + [Tensor(rows: output.inputs, cols: 1)]
        for l in 0..<L {
            var scaled = dus[l]
            scaled.scaleRows(w)
            Tensor.gemm(scaled, transposeA: true, deltas[l], into: &grads[l], cores: hidden[l].cores)
        }
        outRows.scaleRows(w)
        grads[L] = Tensor(rows: output.inputs, cols: 1, values: outRows.columnSums())
        var penalty = 0.0
        for i in 0..<n { penalty += Double(w[i] * rowPenalty[i]) }
        return (penalty, grads)
    }
}
