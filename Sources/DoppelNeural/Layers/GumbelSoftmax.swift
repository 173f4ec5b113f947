import DoppelMath
import Foundation
import DoppelKernels

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
        // The noise of every softmax element, drawn in span, row, column order, then G = −log(−log u)
        // in one vectorised pass (`doppel_gumbel_noise`).
        let draws = gumbel ? spans.reduce(0) { if case .softmax(_, let w) = $1 { return $0 + n * w }; return $0 } : 0
        var noise = [Float](repeating: 0, count: draws)
        if draws > 0 {
            var u = [Float](repeating: 0, count: draws)
            u.withUnsafeMutableBufferPointer { ub in for i in 0..<draws { ub[i] = GumbelSoftmax.openUniform(context.rng.next()) } }
            doppel_gumbel_noise(u, Int64(draws), &noise)
        }
        let tau = tau
        y.values.withUnsafeMutableBufferPointer { yb in
            noise.withUnsafeBufferPointer { gb in
                var drawn = 0
                for span in spans {
                    switch span {
                    case .tanh(let s, let w):
                        for r in 0..<n { for c in (r * f + s)..<(r * f + s + w) { yb[c] = tanhf(yb[c]) } }
                    case .softmax(let s, let w):
                        for r in 0..<n {
                            let row = r * f + s
                            var top = -Float.infinity
                            for c in row..<(row + w) {
                                var v = yb[c]
                                if draws > 0 { v += gb[drawn]; drawn += 1 }
                                v /= tau
                                yb[c] = v
                                top = max(top, v)
                            }
                            var total: Float = 0
                            for c in row..<(row + w) { let e = expf(yb[c] - top); yb[c] = e; total += e }
                            for c in row..<(row + w) { yb[c] /= total }
                        }
                    }
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
        let n = g.rows, f = g.cols, tau = tau
        d.values.withUnsafeMutableBufferPointer { db in
            output.values.withUnsafeBufferPointer { yb in
                for span in spans {
                    switch span {
                    case .tanh(let s, let w):
                        for r in 0..<n { for k in (r * f + s)..<(r * f + s + w) { db[k] *= 1 - yb[k] * yb[k] } }
                    case .softmax(let s, let w):
                        for r in 0..<n {
                            let row = r * f + s
                            var dot: Float = 0
                            for k in row..<(row + w) { dot += db[k] * yb[k] }
                            for k in row..<(row + w) { db[k] = yb[k] * (db[k] - dot) / tau }
                        }
                    }
                }
            }
        }
        return d
    }
}
