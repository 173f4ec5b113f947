import Foundation
import DoppelKernels

/// y = max(x, 0); ∂y/∂x = 1 where x > 0.
public final class ReLU: Layer {
    private var output = Matrix(rows: 0, cols: 0)
    public init() {}
    public func forward(_ x: Matrix, _ context: inout ForwardContext) -> Matrix {
        var y = x
        y.values.withUnsafeMutableBufferPointer { v in for i in v.indices { let x = v[i]; v[i] = x > 0 ? x : 0 } }
        output = y
        return y
    }
    public func backward(_ g: Matrix, mode: GradientMode) -> Matrix {
        var d = Matrix(uninitializedRows: g.rows, cols: g.cols)
        output.values.withUnsafeBufferPointer { y in
            g.values.withUnsafeBufferPointer { gv in
                d.values.withUnsafeMutableBufferPointer { v in doppel_relu_backward(y.baseAddress, gv.baseAddress, v.baseAddress, Int64(v.count)) }
            }
        }
        return d
    }
}

/// y = x for x > 0, slope·x otherwise (CTGAN's discriminator uses slope 0.2).
public final class LeakyReLU: Layer {
    public let slope: Float
    private var input = Matrix(rows: 0, cols: 0)
    public init(slope: Float = 0.2) { self.slope = slope }
    public func forward(_ x: Matrix, _ context: inout ForwardContext) -> Matrix {
        input = x
        var y = x
        let s = slope
        y.values.withUnsafeMutableBufferPointer { v in for i in v.indices { let x = v[i]; v[i] = x > 0 ? x : x * s } }
        return y
    }
    public func backward(_ g: Matrix, mode: GradientMode) -> Matrix {
        var d = g
        let s = slope, x = input
        x.values.withUnsafeBufferPointer { x in
            d.values.withUnsafeMutableBufferPointer { v in doppel_leaky_relu_backward(x.baseAddress, v.baseAddress, v.baseAddress, Int64(v.count), s) }
        }
        return d
    }
}

/// y = tanh(x); ∂y/∂x = 1 − y².
public final class Tanh: Layer {
    private var output = Matrix(rows: 0, cols: 0)
    public init() {}
    public func forward(_ x: Matrix, _ context: inout ForwardContext) -> Matrix {
        var y = x
        y.values.withUnsafeMutableBufferPointer { v in for i in v.indices { v[i] = tanhf(v[i]) } }
        output = y
        return y
    }
    public func backward(_ g: Matrix, mode: GradientMode) -> Matrix {
        var d = g
        let y = output
        y.values.withUnsafeBufferPointer { y in
            d.values.withUnsafeMutableBufferPointer { v in for i in v.indices { v[i] *= 1 - y[i] * y[i] } }
        }
        return d
    }
}

/// Inverted dropout: while training, each element is zeroed with probability p and the survivors are
/// scaled by 1/(1 − p); at sampling time it is the identity.
public final class Dropout: Layer {
    public let p: Float
    private var scale: [Float] = []
    public init(_ p: Float) { precondition(p >= 0 && p < 1); self.p = p }
    public func forward(_ x: Matrix, _ context: inout ForwardContext) -> Matrix {
        guard context.training, p > 0 else { scale = []; return x }
        var y = x
        let keep = 1 / (1 - p), threshold = UInt64(Double(p) * 0x1p64.nextDown)
        var s = [Float](repeating: 0, count: x.count)
        for i in 0..<s.count where context.rng.next() >= threshold { s[i] = keep }
        s.withUnsafeBufferPointer { s in
            y.values.withUnsafeMutableBufferPointer { v in for i in v.indices { v[i] *= s[i] } }
        }
        scale = s
        return y
    }
    public func backward(_ g: Matrix, mode: GradientMode) -> Matrix {
        guard !scale.isEmpty else { return g }
        var d = g
        let s = scale
        s.withUnsafeBufferPointer { s in
            d.values.withUnsafeMutableBufferPointer { v in for i in v.indices { v[i] *= s[i] } }
        }
        return d
    }
}
