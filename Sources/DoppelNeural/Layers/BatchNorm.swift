import DoppelKernels

/// Batch normalisation over the batch dimension (PyTorch `BatchNorm1d`):
/// y = γ·(x − μ_B)/√(σ²_B + ε) + β while training, with the running averages
/// μ ← (1−m)·μ + m·μ_B, σ² ← (1−m)·σ² + m·σ²_B·n/(n−1) (momentum m = 0.1) used at sampling time.
///
/// Backward (with x̂ the normalised input and ĝ = g·γ):
/// ∂L/∂x = (1/√(σ²_B+ε))·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), ∂L/∂γ = Σ g·x̂, ∂L/∂β = Σ g.
/// Samples are mixed, so it has no per-sample gradients (DP networks do without it).
public final class BatchNorm: Layer {
    public let gamma: Parameter
    public let beta: Parameter
    public private(set) var runningMean: [Float]
    public private(set) var runningVariance: [Float]
    public let momentum: Float
    public let epsilon: Float
    private var normalized = Matrix(rows: 0, cols: 0)
    private var inverseStd: [Float] = []
    /// While true, a training forward pass keeps its batch statistics aside instead of folding them into
    /// the running averages; ``foldHeldStatistics()`` folds them later. For a second forward pass run at
    /// the same time on a copy of the network, whose own update has to come first.
    public var holdsRunningUpdate = false
    private var held: (mean: [Float], variance: [Float], rows: Int)?

    public init(_ features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, name: String = "batchnorm") {
        gamma = Parameter(name + ".gamma", Matrix(rows: 1, cols: features, repeating: 1))
        beta = Parameter(name + ".beta", Matrix(rows: 1, cols: features, repeating: 0))
        runningMean = [Float](repeating: 0, count: features)
        runningVariance = [Float](repeating: 1, count: features)
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public var parameters: [Parameter] { [gamma, beta] }

    /// Restores the running statistics (loading a model).
    public func setRunningStatistics(mean: [Float], variance: [Float]) {
        precondition(mean.count == runningMean.count && variance.count == runningVariance.count)
        runningMean = mean; runningVariance = variance
    }

    public func forward(_ x: Matrix, _ context: inout ForwardContext) -> Matrix {
        let n = x.rows, f = x.cols
        if context.training { precondition(n > 1, "BatchNorm needs at least 2 rows while training") }
        var mean = context.training ? [Float](repeating: 0, count: f) : runningMean
        var variance = context.training ? [Float](repeating: 0, count: f) : runningVariance
        var inv = [Float](repeating: 0, count: f)
        var xhat = Matrix(uninitializedRows: n, cols: f), y = Matrix(uninitializedRows: n, cols: f)
        doppel_batchnorm_forward(x.values, Int64(n), Int64(f), gamma.value.values, beta.value.values, epsilon, context.training ? 1 : 0,
                                 &mean, &variance, &inv, &xhat.values, &y.values)
        if context.training {
            if holdsRunningUpdate {
                precondition(held == nil, "BatchNorm: a held update must be folded before the next training pass")
                held = (mean, variance, n)
            } else { fold(mean: mean, variance: variance, rows: n) }
        }
        normalized = xhat
        inverseStd = inv
        return y
    }

    private func fold(mean: [Float], variance: [Float], rows n: Int) {
        for c in 0..<mean.count {
            runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c]
            runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * variance[c] * Float(n) / Float(n - 1)
        }
    }

    /// Folds the batch statistics held back by the last forward pass (``holdsRunningUpdate``) into the
    /// running averages, as that pass would have.
    public func foldHeldStatistics() {
        guard let h = held else { return }
        fold(mean: h.mean, variance: h.variance, rows: h.rows)
        held = nil
    }

    public func backward(_ grad: Matrix, mode: GradientMode) -> Matrix {
        precondition(mode != .perSample, "BatchNorm mixes samples: no per-sample gradients")
        let n = grad.rows, f = grad.cols
        var sumG = [Float](repeating: 0, count: f), sumGX = [Float](repeating: 0, count: f)
        var dx = Matrix(uninitializedRows: n, cols: f)
        doppel_batchnorm_backward(grad.values, normalized.values, Int64(n), Int64(f), gamma.value.values, inverseStd, &sumG, &sumGX, &dx.values)
        if mode == .batch {
            for c in 0..<f {
                gamma.gradient.values[c] += sumGX[c]
                beta.gradient.values[c] += sumG[c]
            }
        }
        return dx
    }
}
