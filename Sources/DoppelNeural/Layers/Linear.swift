import DoppelMath

/// A fully connected layer: y = x·W + b, with W of shape in × out.
///
/// Initialised as PyTorch's `nn.Linear` (the SDV models' layer): W and b uniform on ±1/√in.
/// Backward: ∂L/∂x = g·Wᵀ, ∂L/∂W = xᵀ·g, ∂L/∂b = Σᵢ gᵢ. Per sample i the weight gradient is the outer
/// product xᵢ ⊗ gᵢ, so ‖∂ℓᵢ/∂W‖² + ‖∂ℓᵢ/∂b‖² = ‖xᵢ‖²·‖gᵢ‖² + ‖gᵢ‖² — DP-SGD clips without ever forming
/// per-sample gradients (Goodfellow 2015).
///
/// ```swift
/// let layer = Linear(3, 2, rng: &rng)
/// let y = layer.forward(x, &context)          // x: batch × 3 → y: batch × 2
/// ```
public final class Linear: Layer {
    public let weight: Parameter
    public let bias: Parameter
    private var input = Matrix(rows: 0, cols: 0)
    private var outputGradient = Matrix(rows: 0, cols: 0)
    /// Cores each large product of this layer may use (``Matrix/gemm(_:transposeA:_:transposeB:alpha:beta:into:cores:)``):
    /// 2 for a layer that runs alone, 1 (the default) inside work already spread over the cores.
    public var cores = 1

    public init(_ inputs: Int, _ outputs: Int, rng: inout SeededGenerator, name: String = "linear") {
        let bound = 1 / Float(max(inputs, 1)).squareRoot()
        var w = Matrix(rows: inputs, cols: outputs)
        for i in 0..<w.count { w.values[i] = Float(rng.nextUniform() * 2 - 1) * bound }
        var b = Matrix(rows: 1, cols: outputs)
        for i in 0..<outputs { b.values[i] = Float(rng.nextUniform() * 2 - 1) * bound }
        weight = Parameter(name + ".weight", w)
        bias = Parameter(name + ".bias", b)
    }

    public var inputs: Int { weight.value.rows }
    public var outputs: Int { weight.value.cols }
    public var parameters: [Parameter] { [weight, bias] }

    public func forward(_ x: Matrix, _ context: inout ForwardContext) -> Matrix {
        input = x
        var y = Matrix(rows: 0, cols: 0)
        Matrix.gemm(x, weight.value, into: &y, cores: cores)
        y.addRow(bias.value.values)
        return y
    }

    /// The forward pass without caching anything (sampling).
    public func apply(_ x: Matrix) -> Matrix {
        var y = Matrix(rows: 0, cols: 0)
        Matrix.gemm(x, weight.value, into: &y)
        y.addRow(bias.value.values)
        return y
    }

    public func backward(_ g: Matrix, mode: GradientMode) -> Matrix {
        backwardParameters(g, mode: mode)
        var dx = Matrix(rows: 0, cols: 0)
        Matrix.gemm(g, weight.value, transposeB: true, into: &dx, cores: cores)
        return dx
    }

    /// ``backward(_:mode:)`` with ∂L/∂x for the first `firstInputs` inputs only (the others need no
    /// gradient, e.g. noise fed to a network): those columns of g·Wᵀ, each exactly as in the whole product.
    public func backward(_ g: Matrix, mode: GradientMode, firstInputs: Int) -> Matrix {
        backwardParameters(g, mode: mode)
        var dx = Matrix(rows: 0, cols: 0)
        Matrix.gemm(g, weight.value, transposeB: true, into: &dx, cores: cores, firstColumns: firstInputs)
        return dx
    }

    /// ``backward(_:mode:)`` without ∂L/∂x (for a network's first layer, whose input needs no gradient).
    public func backwardParameters(_ g: Matrix, mode: GradientMode) {
        switch mode {
        case .batch:
            Matrix.gemm(input, transposeA: true, g, beta: 1, into: &weight.gradient, cores: cores)
            let s = g.columnSums()
            for c in 0..<s.count { bias.gradient.values[c] += s[c] }
        case .perSample:
            outputGradient = g
        case .inputOnly:
            break
        }
    }

    public func addPerSampleSquaredNorms(_ norms: inout [Float]) {
        let xn = input.rowSquaredNorms(), gn = outputGradient.rowSquaredNorms()
        for i in 0..<norms.count { norms[i] += (xn[i] + 1) * gn[i] }
    }

    public func accumulateWeighted(_ weights: [Float]) {
        var g = outputGradient
        g.scaleRows(weights)
        Matrix.gemm(input, transposeA: true, g, beta: 1, into: &weight.gradient)
        let s = g.columnSums()
        for c in 0..<s.count { bias.gradient.values[c] += s[c] }
    }
}
