import DoppelMath

/// A trainable tensor: its value, the gradient accumulated by the last backward pass, and a name used
/// in model files and error messages.
public final class Parameter: @unchecked Sendable {
    public let name: String
    public var value: Matrix
    public var gradient: Matrix

    public init(_ name: String, _ value: Matrix) {
        self.name = name
        self.value = value
        gradient = Matrix(rows: value.rows, cols: value.cols)
    }

    public func zeroGradient() {
        gradient.values.withUnsafeMutableBufferPointer { g in for i in g.indices { g[i] = 0 } }
    }
}

/// What a forward pass needs besides its input: whether the network is training (dropout active, batch
/// norm on batch statistics) and the random stream of the stochastic layers.
public struct ForwardContext: Sendable {
    public var training: Bool
    public var rng: SeededGenerator
    public init(training: Bool, rng: SeededGenerator) { self.training = training; self.rng = rng }
}

/// How `backward` treats the gradients of parameters.
public enum GradientMode: Sendable {
    /// Accumulate the batch gradient Σᵢ ∂ℓᵢ/∂θ into `Parameter.gradient` (ordinary training).
    case batch
    /// Keep what is needed for per-sample gradients and accumulate nothing yet: DP-SGD then asks each
    /// layer for the per-sample squared gradient norms (``Layer/addPerSampleSquaredNorms(_:)``) and
    /// accumulates Σᵢ cᵢ ∂ℓᵢ/∂θ with the clipping factors cᵢ (``Layer/accumulateWeighted(_:)``).
    case perSample
    /// Only ∂L/∂x: parameter gradients are not computed (a GAN's generator step through a critic whose
    /// weights it does not update).
    case inputOnly
}

/// One differentiable step of a network with a hand-derived backward pass. Every layer caches what its
/// backward pass needs during `forward` (so a layer instance serves one forward/backward at a time).
///
/// The contract: after `forward(x)`, `backward(g)` receives g = ∂L/∂y (same shape as y), returns
/// ∂L/∂x, and (in `.batch` mode) adds ∂L/∂θ to each parameter's gradient.
public protocol Layer: AnyObject {
    func forward(_ x: Matrix, _ context: inout ForwardContext) -> Matrix
    func backward(_ gradient: Matrix, mode: GradientMode) -> Matrix
    /// `backward` for the parameters' gradients only, when the caller needs no ∂L/∂x (a network's first
    /// layer). Layers whose input gradient is a large product of its own (``Linear``, ``Residual``,
    /// ``Sequential``) skip it; the default runs `backward` and drops the result.
    func backwardParameters(_ gradient: Matrix, mode: GradientMode)
    var parameters: [Parameter] { get }
    /// Adds, for each sample i of the last backward pass, ‖∂ℓᵢ/∂θ‖² over this layer's parameters.
    /// Layers that mix samples (batch norm) cannot, and trap: DP networks are built without them.
    func addPerSampleSquaredNorms(_ norms: inout [Float])
    /// Adds Σᵢ wᵢ ∂ℓᵢ/∂θ to the parameter gradients (after a `.perSample` backward pass).
    func accumulateWeighted(_ weights: [Float])
}

extension Layer {
    public func backwardParameters(_ gradient: Matrix, mode: GradientMode) { _ = backward(gradient, mode: mode) }
    public var parameters: [Parameter] { [] }
    public func addPerSampleSquaredNorms(_ norms: inout [Float]) {
        precondition(parameters.isEmpty, "\(type(of: self)) has no per-sample gradients")
    }
    public func accumulateWeighted(_ weights: [Float]) {
        precondition(parameters.isEmpty, "\(type(of: self)) has no per-sample gradients")
    }
}

/// Layers applied one after another.
public final class Sequential: Layer {
    public let layers: [Layer]
    public init(_ layers: [Layer]) { self.layers = layers }

    public func forward(_ x: Matrix, _ context: inout ForwardContext) -> Matrix {
        var h = x
        for layer in layers { h = layer.forward(h, &context) }
        return h
    }

    public func backward(_ gradient: Matrix, mode: GradientMode) -> Matrix {
        var g = gradient
        for layer in layers.reversed() { g = layer.backward(g, mode: mode) }
        return g
    }

    /// The backward pass for the parameters' gradients only: the first layer is asked for its
    /// parameters' gradients alone (``Layer/backwardParameters(_:mode:)``).
    public func backwardParameters(_ gradient: Matrix, mode: GradientMode) {
        var g = gradient
        for layer in layers.dropFirst().reversed() { g = layer.backward(g, mode: mode) }
        layers.first?.backwardParameters(g, mode: mode)
    }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    public func addPerSampleSquaredNorms(_ norms: inout [Float]) { for l in layers { l.addPerSampleSquaredNorms(&norms) } }
    public func accumulateWeighted(_ weights: [Float]) { for l in layers { l.accumulateWeighted(weights) } }
}
