import DoppelMath
import Foundation
import DoppelKernels

/// The output activation of a generator over a row layout made of spans: `tanh` on scalar spans and a
/// Gumbel-softmax on one-hot spans (CTGAN's `apply_activate`):
/// y = softmax((z + G)/τ) with G = −log(−log U) drawn per element while training (and when sampling;
/// `gumbel: false` gives the plain softmax), computed as (z + G)·(1/τ) with a vectorised polynomial
/// exponential (`doppel_softmax_span`). Backward on a softmax span: ∂L/∂z = y ⊙ (g − ⟨g, y⟩)/τ; on a
/// tanh span: g·(1 − y²). G is held fixed, as in the reparameterisation trick.
public final class GumbelSoftmax: Layer {
    public enum Span: Sendable, Equatable {
        case tanh(start: Int, width: Int)
        case softmax(start: Int, width: Int)

        /// The span's width if it is a softmax span, else 0.
        public var softmaxWidth: Int { if case .softmax(_, let w) = self { return w }; return 0 }
    }
    public let spans: [Span]
    public let tau: Float
    public let gumbel: Bool
    private var output = Matrix(rows: 0, cols: 0)

    public init(spans: [Span], tau: Float = 0.2, gumbel: Bool = true) {
        self.spans = spans; self.tau = tau; self.gumbel = gumbel
    }

    /// Cores a pass may use: with 2, the noise's logarithms and the rows are done in two halves side by
    /// side (rows are independent, so the result is the same).
    public var cores = 1

    public func forward(_ x: Matrix, _ context: inout ForwardContext) -> Matrix {
        var y = x
        let n = x.rows, f = x.cols
        // The noise of every softmax element, drawn in span, row, column order, then G = −log(−log u)
        // in vectorised passes (`doppel_gumbel_noise`).
        let draws = gumbel ? n * spans.reduce(0) { $0 + $1.softmaxWidth } : 0
        var noise = [Float](repeating: 0, count: draws)
        if draws > 0 {
            var u = [Float](repeating: 0, count: draws)
            u.withUnsafeMutableBufferPointer { ub in for i in 0..<draws { ub[i] = GumbelSoftmax.openUniform(context.rng.next()) } }
            u.withUnsafeBufferPointer { ub in
                noise.withUnsafeMutableBufferPointer { nb in
                    inHalves(draws, cores: cores, minimum: 4096) { lo, hi in doppel_gumbel_noise(ub.baseAddress! + lo, Int64(hi - lo), nb.baseAddress! + lo) }
                }
            }
        }
        let invTau = 1 / tau, spans = spans
        let widest = spans.map(\.softmaxWidth).max() ?? 0
        y.values.withUnsafeMutableBufferPointer { yb in
            noise.withUnsafeBufferPointer { gb in
                inHalves(n, cores: cores, minimum: 64) { lo, hi in
                    guard let y0 = yb.baseAddress else { return }
                    var scratch = [Float](repeating: 0, count: (hi - lo) * widest)
                    var drawn = 0
                    for span in spans {
                        switch span {
                        case .tanh(let s, let w):
                            for r in lo..<hi { for c in (r * f + s)..<(r * f + s + w) { y0[c] = tanhf(y0[c]) } }
                        case .softmax(let s, let w):
                            let g = draws > 0 ? gb.baseAddress.map { $0 + drawn + lo * w } : nil
                            doppel_softmax_span(y0 + lo * f + s, Int64(f), Int64(hi - lo), Int64(w), g, invTau, &scratch, nil)
                            if draws > 0 { drawn += n * w }
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
        let n = g.rows, f = g.cols, tau = tau, spans = spans
        d.values.withUnsafeMutableBufferPointer { db in
            output.values.withUnsafeBufferPointer { yb in
                inHalves(n, cores: cores, minimum: 64) { lo, hi in
                    guard let d0 = db.baseAddress, let y0 = yb.baseAddress else { return }
                    for span in spans {
                        switch span {
                        case .tanh(let s, let w):
                            for r in lo..<hi { for k in (r * f + s)..<(r * f + s + w) { d0[k] *= 1 - y0[k] * y0[k] } }
                        case .softmax(let s, let w):
                            for r in lo..<hi {
                                let row = r * f + s
                                var dot: Float = 0
                                for k in row..<(row + w) { dot += d0[k] * y0[k] }
                                for k in row..<(row + w) { d0[k] = y0[k] * (d0[k] - dot) / tau }
                            }
                        }
                    }
                }
            }
        }
        return d
    }
}
