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
        var mean = [Float](repeating: 0, count: f), variance = [Float](repeating: 0, count: f)
        if context.training {
            precondition(n > 1, "BatchNorm needs at least 2 rows while training")
            mean = x.columnSums().map { $0 / Float(n) }
            x.values.withUnsafeBufferPointer { v in
                mean.withUnsafeBufferPointer { mu in
                    variance.withUnsafeMutableBufferPointer { s in
                        for r in 0..<n { for c in 0..<f { let d = v[r * f + c] - mu[c]; s[c] += d * d } }
                    }
                }
            }
            for c in 0..<f {
                variance[c] /= Float(n)
                runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c]
                runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * variance[c] * Float(n) / Float(n - 1)
            }
        } else {
            mean = runningMean; variance = runningVariance
        }
        let inv = variance.map { 1 / ($0 + epsilon).squareRoot() }
        var xhat = x
        let g = gamma.value.values, b = beta.value.values
        var y = x
        // Per column, side by side in one buffer: mean, 1/σ, γ, β.
        let columns = mean + inv + g + b
        xhat.values.withUnsafeMutableBufferPointer { h in
            y.values.withUnsafeMutableBufferPointer { o in
                columns.withUnsafeBufferPointer { p in
                    for r in 0..<n {
                        for c in 0..<f {
                            let z = (h[r * f + c] - p[c]) * p[f + c]
                            h[r * f + c] = z
                            o[r * f + c] = p[2 * f + c] * z + p[3 * f + c]
                        }
                    }
                }
            }
        }
        normalized = xhat
        inverseStd = inv
        return y
    }

    public func backward(_ grad: Matrix, mode: GradientMode) -> Matrix {
        precondition(mode != .perSample, "BatchNorm mixes samples: no per-sample gradients")
        let n = grad.rows, f = grad.cols
        let xhat = normalized, inv = inverseStd, g = gamma.value.values
        var sumG = [Float](repeating: 0, count: f), sumGX = [Float](repeating: 0, count: f)
        grad.values.withUnsafeBufferPointer { d in
            xhat.values.withUnsafeBufferPointer { h in
                sumG.withUnsafeMutableBufferPointer { sg in
                    sumGX.withUnsafeMutableBufferPointer { sx in
                        for r in 0..<n { for c in 0..<f { sg[c] += d[r * f + c]; sx[c] += d[r * f + c] * h[r * f + c] } }
                    }
                }
            }
        }
        if mode == .batch {
            for c in 0..<f {
                gamma.gradient.values[c] += sumGX[c]
                beta.gradient.values[c] += sumG[c]
            }
        }
        var dx = grad
        let invN = 1 / Float(n)
        // Per column, side by side in one buffer: γ, 1/σ, ΣG, ΣGX.
        let columns = g + inv + sumG + sumGX
        dx.values.withUnsafeMutableBufferPointer { d in
            xhat.values.withUnsafeBufferPointer { h in
                columns.withUnsafeBufferPointer { p in
                    for r in 0..<n {
                        for c in 0..<f {
                            // ĝ = g·γ; mean(ĝ) = γ·ΣG/n; mean(ĝ·x̂) = γ·ΣGX/n
                            let k = r * f + c
                            d[k] = p[c] * p[f + c] * (d[k] - p[2 * f + c] * invN - h[k] * p[3 * f + c] * invN)
                        }
                    }
                }
            }
        }
        return dx
    }
}
