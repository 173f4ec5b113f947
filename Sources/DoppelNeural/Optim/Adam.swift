import Foundation
import DoppelKernels
import DoppelMath

/// Adam (Kingma & Ba 2015) with L2 weight decay added to the gradient, as PyTorch's `torch.optim.Adam`
/// (the optimiser of SDV's TVAE and CTGAN):
/// g ← ∇θ + λθ; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − η·m̂/(√v̂ + ε),
/// with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
public final class Adam {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    private var m: [[Float]]
    private var v: [[Float]]
    public private(set) var step = 0
    /// Cores an update may use: parameters of at least ``splitThreshold`` values are updated in two
    /// halves side by side (each element's update is independent, so the result is the same).
    public var cores = 1
    public static let splitThreshold = 65_536

    public init(_ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
        m = parameters.map { [Float](repeating: 0, count: $0.value.count) }
        v = m
    }

    public func zeroGradients() { for p in parameters { p.zeroGradient() } }

    /// One update from the gradients currently in the parameters.
    public func update() {
        step += 1
        let c1 = 1 - powf(beta1, Float(step)), c2 = 1 - powf(beta2, Float(step))
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay
        for (k, p) in parameters.enumerated() {
            var mk = m[k], vk = v[k]
            m[k] = []; v[k] = []
            let grad = p.gradient
            p.value.values.withUnsafeMutableBufferPointer { theta in
                grad.values.withUnsafeBufferPointer { g in
                    mk.withUnsafeMutableBufferPointer { mm in
                        vk.withUnsafeMutableBufferPointer { vv in
                            inHalves(theta.count, cores: cores, minimum: Adam.splitThreshold) { lo, hi in
                                doppel_adam_update(theta.baseAddress.map { $0 + lo }, g.baseAddress.map { $0 + lo }, mm.baseAddress.map { $0 + lo },
                                                   vv.baseAddress.map { $0 + lo }, Int64(hi - lo), lr, b1, b2, c1, c2, eps, wd)
                            }
                        }
                    }
                }
            }
            m[k] = mk; v[k] = vk
        }
    }
}
