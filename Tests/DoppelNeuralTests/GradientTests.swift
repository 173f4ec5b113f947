import XCTest
import DoppelMath
import DoppelKernels
@testable import DoppelNeural

typealias Matrix = DoppelNeural.Matrix

/// Every layer's backward pass against central finite differences of L = Σ w ⊙ layer(x), for the input
/// and for every parameter.
final class GradientTests: XCTestCase {
    func randomMatrix(_ r: Int, _ c: Int, _ rng: inout SeededGenerator, scale: Float = 1, awayFromZero: Bool = false) -> Matrix {
        var m = Matrix(rows: r, cols: c)
        for i in 0..<m.count {
            var v = Float(rng.nextNormal()) * scale
            if awayFromZero && abs(v) < 0.1 { v += v < 0 ? -0.2 : 0.2 }
            m.values[i] = v
        }
        return m
    }

    /// L(x) = Σ w·y with a fixed random stream for stochastic layers.
    func loss(_ layer: Layer, _ x: Matrix, _ w: Matrix, training: Bool = true) -> Double {
        var ctx = ForwardContext(training: training, rng: SeededGenerator(seed: 99))
        let y = layer.forward(x, &ctx)
        var s = 0.0
        for i in 0..<y.count { s += Double(y.values[i]) * Double(w.values[i]) }
        return s
    }

    func check(_ layer: Layer, input x0: Matrix, file: StaticString = #filePath, line: UInt = #line) {
        var rng = SeededGenerator(seed: 5)
        var ctx = ForwardContext(training: true, rng: SeededGenerator(seed: 99))
        let y = layer.forward(x0, &ctx)
        let w = randomMatrix(y.rows, y.cols, &rng)
        for p in layer.parameters { p.zeroGradient() }
        let dx = layer.backward(w, mode: .batch)
        let h: Float = 1e-2
        func compare(_ analytic: Float, _ numeric: Double, _ what: String) {
            let err = abs(Double(analytic) - numeric)
            XCTAssertLessThanOrEqual(err, 2e-2 * max(1, abs(numeric)), "\(type(of: layer)) \(what): analytic \(analytic) vs numeric \(numeric)", file: file, line: line)
        }
        var x = x0
        for i in stride(from: 0, to: x.count, by: max(1, x.count / 25)) {
            let v = x.values[i]
            x.values[i] = v + h; let lp = loss(layer, x, w)
            x.values[i] = v - h; let lm = loss(layer, x, w)
            x.values[i] = v
            compare(dx.values[i], (lp - lm) / Double(2 * h), "∂L/∂x[\(i)]")
        }
        for p in layer.parameters {
            let g = p.gradient
            for i in stride(from: 0, to: p.value.count, by: max(1, p.value.count / 25)) {
                let v = p.value.values[i]
                p.value.values[i] = v + h; let lp = loss(layer, x0, w)
                p.value.values[i] = v - h; let lm = loss(layer, x0, w)
                p.value.values[i] = v
                compare(g.values[i], (lp - lm) / Double(2 * h), "∂L/∂\(p.name)[\(i)]")
            }
        }
    }

    func testLinear() {
        var rng = SeededGenerator(seed: 1)
        check(Linear(7, 5, rng: &rng), input: randomMatrix(6, 7, &rng))
    }

    func testActivations() {
        var rng = SeededGenerator(seed: 2)
        check(ReLU(), input: randomMatrix(5, 8, &rng, awayFromZero: true))
        check(LeakyReLU(slope: 0.2), input: randomMatrix(5, 8, &rng, awayFromZero: true))
        check(Tanh(), input: randomMatrix(5, 8, &rng))
        check(Dropout(0.5), input: randomMatrix(5, 8, &rng))
    }

    func testBatchNormAndResidual() {
        var rng = SeededGenerator(seed: 3)
        let bn = BatchNorm(6)
        bn.gamma.value = randomMatrix(1, 6, &rng)
        bn.beta.value = randomMatrix(1, 6, &rng)
        check(bn, input: randomMatrix(9, 6, &rng))
        // β = 3 keeps the block's ReLU away from its kink, where finite differences are meaningless.
        let block = Residual(5, 4, rng: &rng)
        block.norm.beta.value = Matrix(rows: 1, cols: 4, repeating: 3)
        check(block, input: randomMatrix(10, 5, &rng))
    }

    func testGumbelSoftmaxAndSequential() {
        var rng = SeededGenerator(seed: 4)
        let spans: [GumbelSoftmax.Span] = [.tanh(start: 0, width: 1), .softmax(start: 1, width: 3), .softmax(start: 4, width: 2)]
        check(GumbelSoftmax(spans: spans, tau: 0.5), input: randomMatrix(6, 6, &rng, scale: 0.5))
        check(GumbelSoftmax(spans: spans, tau: 1, gumbel: false), input: randomMatrix(6, 6, &rng))
        check(Sequential([Linear(4, 6, rng: &rng), Tanh(), Linear(6, 3, rng: &rng)]), input: randomMatrix(5, 4, &rng))
    }

    func testBatchNormUsesRunningStatisticsWhenSampling() {
        var rng = SeededGenerator(seed: 6)
        let bn = BatchNorm(2, momentum: 1)
        var ctx = ForwardContext(training: true, rng: rng)
        let x = Matrix(rows: 3, cols: 2, values: [1, 10, 2, 20, 3, 30])
        _ = bn.forward(x, &ctx)
        XCTAssertEqual(bn.runningMean, [2, 20])
        XCTAssertEqual(bn.runningVariance[0], 1, accuracy: 1e-6)   // unbiased: ((1)+(0)+(1))/2
        ctx.training = false
        let y = bn.forward(Matrix(rows: 1, cols: 2, values: [3, 20]), &ctx)
        XCTAssertEqual(y[0, 0], 1, accuracy: 1e-4)
        XCTAssertEqual(y[0, 1], 0, accuracy: 1e-4)
        _ = rng.next()
    }

    /// The per-sample squared norms and weighted accumulation of a linear layer against per-row backward passes.
    func testLinearPerSampleGradients() {
        var rng = SeededGenerator(seed: 7)
        let layer = Linear(4, 3, rng: &rng)
        let x = randomMatrix(5, 4, &rng), g = randomMatrix(5, 3, &rng)
        var ctx = ForwardContext(training: true, rng: rng)
        _ = layer.forward(x, &ctx)
        _ = layer.backward(g, mode: .perSample)
        var norms = [Float](repeating: 0, count: 5)
        layer.addPerSampleSquaredNorms(&norms)
        let weights: [Float] = [0.5, 1, 0, 2, -1]
        for p in layer.parameters { p.zeroGradient() }
        layer.accumulateWeighted(weights)
        let weighted = layer.parameters.map(\.gradient)

        var expected = [Matrix](repeating: Matrix(rows: 0, cols: 0), count: 2)
        for i in 0..<5 {
            for p in layer.parameters { p.zeroGradient() }
            _ = layer.forward(x.gatherRows([i]), &ctx)
            _ = layer.backward(g.gatherRows([i]), mode: .batch)
            let n = layer.parameters.reduce(Float(0)) { $0 + $1.gradient.squaredNorm }
            XCTAssertEqual(norms[i], n, accuracy: 1e-4 * max(1, n))
            for (k, p) in layer.parameters.enumerated() {
                var gi = p.gradient
                for t in 0..<gi.count { gi.values[t] *= weights[i] }
                if expected[k].count == 0 { expected[k] = gi } else { for t in 0..<gi.count { expected[k].values[t] += gi.values[t] } }
            }
        }
        for k in 0..<2 { for t in 0..<expected[k].count { XCTAssertEqual(weighted[k].values[t], expected[k].values[t], accuracy: 1e-4) } }
    }

    /// Adam's first two steps by hand (PyTorch's update with coupled weight decay).
    func testAdamMatchesTheFormula() {
        let p = Parameter("p", Matrix(rows: 1, cols: 2, values: [1, -2]))
        let adam = Adam([p], learningRate: 0.1, weightDecay: 0.01)
        p.gradient = Matrix(rows: 1, cols: 2, values: [0.5, 0.25])
        adam.update()
        // step 1: m̂ = g', v̂ = g'², update = lr·sign(g') (up to ε)
        XCTAssertEqual(p.value[0, 0], 1 - 0.1, accuracy: 1e-6)
        XCTAssertEqual(p.value[0, 1], -2 - 0.1, accuracy: 1e-6)
        p.gradient = Matrix(rows: 1, cols: 2, values: [-0.5, 0.25])
        adam.update()
        let g1: Double = 0.5 + 0.01 * 1, g2: Double = -0.5 + 0.01 * 0.9
        let m = (0.9 * 0.1 * g1 + 0.1 * g2) / (1 - 0.81), v = (0.999 * 0.001 * g1 * g1 + 0.001 * g2 * g2) / (1 - 0.999 * 0.999)
        XCTAssertEqual(Double(p.value[0, 0]), 0.9 - 0.1 * m / (v.squareRoot() + 1e-8), accuracy: 1e-5)
    }

    /// The packed AVX2 GEMM against the reference triple loop, for all four transpose forms, with
    /// sizes that leave partial register tiles and several K blocks, alpha and beta.
    func testGemmMatchesReference() {
        var rng = SeededGenerator(seed: 8)
        for (m, n, k) in [(1, 1, 1), (7, 17, 5), (13, 33, 300), (96, 16, 256), (100, 50, 600), (6, 48, 513)] {
            for ta in [false, true] {
                for tb in [false, true] {
                    let a = randomMatrix(ta ? k : m, ta ? m : k, &rng), b = randomMatrix(tb ? n : k, tb ? k : n, &rng)
                    let c0 = randomMatrix(m, n, &rng)
                    var fast = c0, slow = c0
                    Matrix.gemm(a, transposeA: ta, b, transposeB: tb, alpha: 0.5, beta: 2, into: &fast)
                    a.values.withUnsafeBufferPointer { pa in b.values.withUnsafeBufferPointer { pb in slow.values.withUnsafeMutableBufferPointer { pc in
                        doppel_sgemm_reference(ta ? 1 : 0, tb ? 1 : 0, Int64(m), Int64(n), Int64(k), 0.5, pa.baseAddress, Int64(a.cols), pb.baseAddress, Int64(b.cols), 2, pc.baseAddress, Int64(n))
                    } } }
                    for i in 0..<fast.count {
                        XCTAssertEqual(fast.values[i], slow.values[i], accuracy: 1e-3 * Float(k).squareRoot(), "\(m)×\(n)×\(k) tA=\(ta) tB=\(tb)")
                    }
                    var zero = Matrix(rows: m, cols: n, repeating: .nan)
                    Matrix.gemm(a, transposeA: ta, b, transposeB: tb, into: &zero)   // beta 0 must not read C
                    XCTAssertFalse(zero.values.contains { $0.isNaN })
                }
            }
        }
    }
}

extension GradientTests {
    /// The Gumbel noise stays finite: its uniform is strictly inside (0, 1) even for the extreme words
    /// (a u of exactly 1 gave +∞ noise and NaN rows on support2-sized CTGAN fits).
    func testGumbelSoftmaxOutputsStayFinite() {
        for bits: UInt64 in [0, 1, UInt64.max, UInt64.max - (1 << 40), 1 << 63] {
            let u = GumbelSoftmax.openUniform(bits)
            XCTAssertTrue(u > 0 && u < 1, "\(bits) → \(u)")
            XCTAssertTrue((-logf(-logf(u))).isFinite)
        }
        let layer = GumbelSoftmax(spans: [.softmax(start: 0, width: 4)], tau: 0.2)
        var ctx = ForwardContext(training: true, rng: SeededGenerator(seed: 12))
        let x = Matrix(rows: 50_000, cols: 4, repeating: 0)
        for _ in 0..<20 {
            let y = layer.forward(x, &ctx)
            XCTAssertFalse(y.values.contains { !$0.isFinite })
        }
    }
}
