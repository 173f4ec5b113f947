import DoppelMath

/// CTGAN's generator block: y = [ReLU(BatchNorm(x·W + b)), x] — the block's output concatenated with its
/// input, so the width grows by `outputs` per block.
///
/// Backward: the gradient splits into the part for the new features (sent back through the block) and
/// the part for the passed-through input, which are added.
public final class Residual: Layer {
    public let linear: Linear
    public let norm: BatchNorm
    private let relu = ReLU()

    public init(_ inputs: Int, _ outputs: Int, rng: inout SeededGenerator, name: String = "residual") {
        linear = Linear(inputs, outputs, rng: &rng, name: name + ".fc")
        norm = BatchNorm(outputs, name: name + ".bn")
    }

    public var parameters: [Parameter] { linear.parameters + norm.parameters }

    public func forward(_ x: Matrix, _ context: inout ForwardContext) -> Matrix {
        let h = relu.forward(norm.forward(linear.forward(x, &context), &context), &context)
        return Matrix.concatenateColumns([h, x])
    }

    /// ``backward(_:mode:)`` without ∂L/∂x (a network's first block): neither the block's g·Wᵀ nor the
    /// passed-through part is formed.
    public func backwardParameters(_ g: Matrix, mode: GradientMode) {
        linear.backwardParameters(norm.backward(relu.backward(g.columns(0, linear.outputs), mode: mode), mode: mode), mode: mode)
    }

    public func backward(_ g: Matrix, mode: GradientMode) -> Matrix { backward(g, mode: mode, firstInputs: linear.inputs) }

    /// ``backward(_:mode:)`` with ∂L/∂x for the first `firstInputs` columns of x only (the rest — noise and
    /// conditions fed to the network — needs none); `g` needs only the columns of the new features and of
    /// those inputs.
    public func backward(_ g: Matrix, mode: GradientMode, firstInputs: Int) -> Matrix {
        let width = linear.outputs
        let gh = g.columns(0, width)
        var dx = linear.backward(norm.backward(relu.backward(gh, mode: mode), mode: mode), mode: mode, firstInputs: firstInputs)
        let gx = g.columns(width, firstInputs)
        dx.values.withUnsafeMutableBufferPointer { d in
            gx.values.withUnsafeBufferPointer { s in for i in d.indices { d[i] += s[i] } }
        }
        return dx
    }
}
