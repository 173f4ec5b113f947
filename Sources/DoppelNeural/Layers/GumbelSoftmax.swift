import DoppelMath
import Foundation

/// The output activation of a generator over a row layout made of spans: `tanh` on scalar spans and a
/// Gumbel-softmax on one-hot spans (CTGAN's `apply_activate`):
/// y = softmax((z + G)/τ) with G = −log(−log U) drawn per element while training (and when sampling;
/// `gumbel: false` gives the plain softmax). Backward on a softmax span: ∂L/∂z = y ⊙ (g − ⟨g, y⟩)/τ; on a
/// tanh span: g·(1 − y²). G is held fixed, as in the reparameterisation trick.
public final class GumbelSoftmax: Layer {
    public enum Span: Sendable, Equatable {
        case tanh(start: Int, width: Int)
        case softmax(start: Int, width: Int)
    }
    public let spans: [Span]
    public let tau: Float
    public let gumbel: Bool
    private var output = Matrix(rows: 0, cols: 0)

    public init(spans: [Span], tau: Float = 0.2, gumbel: Bool = true) {
        self.spans = spans; self.tau = tau; self.gumbel = gumbel
    }

    public func forward(_ x: Matrix, _ context: inout ForwardContext) -> Matrix {
        var y = x
        let n = x.rows, f = x.cols
        for span in spans {
            switch span {
            case .tanh(let s, let w):
                for r in 0..<n { for c in s..<(s + w) { y.values[r * f + c] = tanhf(y.values[r * f + c]) } }
            case .softmax(let s, let w):
                var z = [Float](repeating: 0, count: w)
                for r in 0..<n {
                    var top = -Float.infinity
                    for c in 0..<w {
                        var v = x.values[r * f + s + c]
                        if gumbel {
                            v -= logf(-logf(GumbelSoftmax.openUniform(context.rng.next())))
                        }
                        z[c] = v / tau
                        top = max(top, z[c])
                    }
                    var total: Float = 0
                    for c in 0..<w { z[c] = expf(z[c] - top); total += z[c] }
                    for c in 0..<w { y.values[r * f + s + c] = z[c] / total }
                }
            }
        }
        output = y
        return y
    }

    /// u = (k + ½)/2²³ from the top 23 bits k of a random word: strictly inside (0, 1) and exact in
    /// Float, so the Gumbel noise −log(−log u) is finite (with 24 bits the largest k + ½ rounds up to
    /// 2²⁴, giving u = 1 and +∞).
    @inlinable public static func openUniform(_ bits: UInt64) -> Float {
        (Float(bits >> 41) + 0.5) * 0x1p-23
    }

    public func backward(_ g: Matrix, mode: GradientMode) -> Matrix {
        var d = g
        let y = output, n = g.rows, f = g.cols
        for span in spans {
            switch span {
            case .tanh(let s, let w):
                for r in 0..<n { for c in s..<(s + w) { let k = r * f + c; d.values[k] *= 1 - y.values[k] * y.values[k] } }
            case .softmax(let s, let w):
                for r in 0..<n {
                    var dot: Float = 0
                    for c in s..<(s + w) { dot += g.values[r * f + c] * y.values[r * f + c] }
                    for c in s..<(s + w) { let k = r * f + c; d.values[k] = y.values[k] * (g.values[k] - dot) / tau }
                }
            }
        }
        return d
    }
}
