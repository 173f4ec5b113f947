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

    /// Two batches through one layer in turn leave the same running averages as the first batch through a
    /// copy and the second through the layer with its update held back, then folded after taking the copy's
    /// averages (CTGAN's side-by-side generator passes).
    func testHeldBatchNormUpdateFoldsInSequentialOrder() {
        var rng = SeededGenerator(seed: 12)
        let first = randomMatrix(9, 6, &rng), second = randomMatrix(9, 6, &rng, scale: 3)
        var ctx = ForwardContext(training: true, rng: rng)
        let sequential = BatchNorm(6), copy = BatchNorm(6), held = BatchNorm(6)
        let y1 = sequential.forward(first, &ctx), y2 = sequential.forward(second, &ctx)
        XCTAssertEqual(copy.forward(first, &ctx).values, y1.values)
        held.holdsRunningUpdate = true
        XCTAssertEqual(held.forward(second, &ctx).values, y2.values)
        XCTAssertEqual(held.runningMean, [Float](repeating: 0, count: 6))   // nothing folded yet
        XCTAssertEqual(held.runningVariance, [Float](repeating: 1, count: 6))
        held.setRunningStatistics(mean: copy.runningMean, variance: copy.runningVariance)
        held.foldHeldStatistics()
        XCTAssertEqual(held.runningMean.map(\.bitPattern), sequential.runningMean.map(\.bitPattern))
        XCTAssertEqual(held.runningVariance.map(\.bitPattern), sequential.runningVariance.map(\.bitPattern))
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

    /// Where the CPU has AVX-512, the 6×32 tile gives the same bits as the 6×16 AVX2 tile (models fitted
    /// on machines with and without it stay identical), for every transpose form, in-place and packed B,
    /// partial tiles and panels, several K blocks, beta 0, 1 and 2, and a product split across cores.
    func testWideGemmTileMatchesNarrowBitForBit() throws {
        try XCTSkipUnless(doppel_has_avx512() == 1, "this CPU has no AVX-512")
        defer { doppel_sgemm_allow_avx512(1) }
        var rng = SeededGenerator(seed: 9)
        for (m, n, k) in [(6, 32, 7), (50, 256, 600), (150, 256, 300), (13, 80, 513), (97, 48, 256), (120, 470, 300), (600, 96, 150)] {
            for ta in [false, true] {
                for tb in [false, true] {
                    for beta: Float in [0, 1, 2] {
                        let a = randomMatrix(ta ? k : m, ta ? m : k, &rng), b = randomMatrix(tb ? n : k, tb ? k : n, &rng)
                        let c0 = randomMatrix(m, n, &rng)
                        var wide = c0, narrow = c0
                        doppel_sgemm_allow_avx512(1)
                        Matrix.gemm(a, transposeA: ta, b, transposeB: tb, alpha: 0.5, beta: beta, into: &wide, cores: 2)
                        XCTAssertEqual(String(cString: doppel_sgemm_tile()), "6x32 AVX-512")
                        doppel_sgemm_allow_avx512(0)
                        XCTAssertEqual(String(cString: doppel_sgemm_tile()), "6x16 AVX2")
                        Matrix.gemm(a, transposeA: ta, b, transposeB: tb, alpha: 0.5, beta: beta, into: &narrow, cores: 2)
                        XCTAssertEqual(wide.values.map(\.bitPattern), narrow.values.map(\.bitPattern), "\(m)×\(n)×\(k) tA=\(ta) tB=\(tb) beta=\(beta)")
                    }
                }
            }
        }
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

/// The element-wise C kernels and the GEMM's two-core and transposed paths give the same bits as the
/// plain computations they replace.
final class KernelIdentityTests: XCTestCase {
    func random(_ r: Int, _ c: Int, seed: UInt64) -> Matrix {
        var rng = SeededGenerator(seed: seed)
        var m = Matrix(rows: r, cols: c)
        for i in 0..<m.count { m.values[i] = Float(rng.nextNormal()) }
        return m
    }

    /// Fails with the number of differing elements (not the matrices) when a and b differ in any bit.
    func assertSameBits(_ a: Matrix, _ b: Matrix, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.rows, b.rows, what, file: file, line: line); XCTAssertEqual(a.cols, b.cols, what, file: file, line: line)
        let differing = zip(a.values, b.values).filter { $0.bitPattern != $1.bitPattern }.count
        XCTAssertEqual(differing, 0, "\(what): \(differing) of \(a.count) elements differ", file: file, line: line)
    }

    func transposed(_ m: Matrix) -> Matrix {
        var t = Matrix(rows: m.cols, cols: m.rows)
        for i in 0..<m.rows { for j in 0..<m.cols { t[j, i] = m[i, j] } }
        return t
    }

    /// Splitting C's columns over two cores changes no bit, for the three forms of training
    /// (forward, weight gradient with beta 1, input gradient), including widths that are not a
    /// multiple of the 16-column panel; and the products stay within float error of the reference.
    func testTwoCoreProductsAreBitIdentical() {
        for (m, n, k) in [(500, 451, 686), (500, 256, 174), (512, 33, 300)] {
            XCTAssertGreaterThanOrEqual(m * n * k, Matrix.splitThreshold, "the shape must take the split path")
            let a = random(m, k, seed: 1), b = random(k, n, seed: 2), g = random(m, n, seed: 3), c0 = random(k, n, seed: 4)
            var one = Matrix(rows: 0, cols: 0), two = Matrix(rows: 0, cols: 0)
            Matrix.gemm(a, b, into: &one); Matrix.gemm(a, b, into: &two, cores: 2)
            assertSameBits(one, two, "forward \(m)×\(n)×\(k)")
            var w1 = c0, w2 = c0
            Matrix.gemm(a, transposeA: true, g, beta: 1, into: &w1); Matrix.gemm(a, transposeA: true, g, beta: 1, into: &w2, cores: 2)
            assertSameBits(w1, w2, "weight gradient")
            var d1 = Matrix(rows: 0, cols: 0), d2 = Matrix(rows: 0, cols: 0)
            Matrix.gemm(g, b, transposeB: true, into: &d1); Matrix.gemm(g, b, transposeB: true, into: &d2, cores: 2)
            assertSameBits(d1, d2, "input gradient")
            var ref = Matrix(rows: m, cols: n)
            a.values.withUnsafeBufferPointer { pa in b.values.withUnsafeBufferPointer { pb in ref.values.withUnsafeMutableBufferPointer { pc in
                doppel_sgemm_reference(0, 0, Int64(m), Int64(n), Int64(k), 1, pa.baseAddress, Int64(k), pb.baseAddress, Int64(n), 0, pc.baseAddress, Int64(n))
            } } }
            for i in stride(from: 0, to: ref.count, by: 97) { XCTAssertEqual(two.values[i], ref.values[i], accuracy: 1e-3 * Float(k).squareRoot()) }
        }
    }

    /// A few rows times a wide transposed B is computed as its transpose (B read in place): the same
    /// bits as the product with Bᵀ written out, for both forms of A.
    func testFewRowsTimesWideTransposedBIsBitIdentical() {
        for (m, n, k, ta) in [(50, 4970, 256, false), (7, 300, 40, true), (96, 1000, 300, false)] {
            let a = ta ? random(k, m, seed: 5) : random(m, k, seed: 5), b = random(n, k, seed: 6)
            var viaTranspose = Matrix(rows: 0, cols: 0), written = Matrix(rows: 0, cols: 0)
            Matrix.gemm(a, transposeA: ta, b, transposeB: true, into: &viaTranspose)
            Matrix.gemm(a, transposeA: ta, transposed(b), into: &written)
            assertSameBits(viaTranspose, written, "\(m)×\(n)×\(k) tA=\(ta)")
        }
    }

    /// Adam and the Gumbel-softmax on two cores (two halves side by side) give the one-core bits: the
    /// updated weights, the activation (noise drawn in the same order) and its backward pass.
    func testTwoCoreElementwisePassesAreBitIdentical() {
        let n = Adam.splitThreshold + 13
        var weights: [Matrix] = []
        for cores in [1, 2] {
            let p = Parameter("w", random(1, n, seed: 7))
            p.gradient = random(1, n, seed: 8)
            let adam = Adam([p], learningRate: 1e-3, weightDecay: 1e-6)
            adam.cores = cores
            adam.update(); adam.update()
            weights.append(p.value)
        }
        assertSameBits(weights[0], weights[1], "Adam")
        let spans: [GumbelSoftmax.Span] = [.tanh(start: 0, width: 1), .softmax(start: 1, width: 5), .tanh(start: 6, width: 2), .softmax(start: 8, width: 3)]
        let x = random(101, 11, seed: 9), g = random(101, 11, seed: 10)
        var outputs: [Matrix] = [], gradients: [Matrix] = []
        for cores in [1, 2] {
            let layer = GumbelSoftmax(spans: spans, tau: 0.2)
            layer.cores = cores
            var ctx = ForwardContext(training: true, rng: SeededGenerator(seed: 11))
            outputs.append(layer.forward(x, &ctx))
            gradients.append(layer.backward(g, mode: .batch))
        }
        assertSameBits(outputs[0], outputs[1], "Gumbel-softmax forward")
        assertSameBits(gradients[0], gradients[1], "Gumbel-softmax backward")
    }

    /// The rectifiers' backward kernels, the bias add and the column sums equal plain scalar loops bit
    /// for bit (vector bodies and tails; zeros, −0 and values of both signs).
    func testRectifierAndRowKernelsMatchScalarLoops() {
        let n = 1003
        var rng = SeededGenerator(seed: 11)
        var y = (0..<n).map { _ in Float(rng.nextNormal()) }
        y[3] = 0; y[17] = -0.0; y[1000] = 0
        let g = (0..<n).map { _ in Float(rng.nextNormal()) }
        var out = [Float](repeating: 7, count: n)
        doppel_relu_backward(y, g, &out, Int64(n))
        XCTAssertEqual(out.map(\.bitPattern), (0..<n).map { (y[$0] > 0 ? g[$0] : 0).bitPattern })
        // Leaky: in place (as the layer calls it), with slope 0.2 and with slope 0 (−0 where g < 0).
        for slope: Float in [0.2, 0] {
            var inPlace = g
            inPlace.withUnsafeMutableBufferPointer { v in doppel_leaky_relu_backward(y, v.baseAddress, v.baseAddress, Int64(n), slope) }
            XCTAssertEqual(inPlace.map(\.bitPattern), (0..<n).map { (y[$0] > 0 ? g[$0] : g[$0] * slope).bitPattern }, "slope \(slope)")
        }

        let (rows, cols) = (17, 59)
        var x = Matrix(rows: rows, cols: cols)
        for i in 0..<x.count { x.values[i] = Float(rng.nextNormal()) }
        let bias = (0..<cols).map { _ in Float(rng.nextNormal()) }
        var expected = x
        for r in 0..<rows { for c in 0..<cols { expected[r, c] += bias[c] } }
        x.addRow(bias)
        XCTAssertEqual(x.values.map(\.bitPattern), expected.values.map(\.bitPattern))
        var sums = [Float](repeating: 0, count: cols)
        for r in 0..<rows { for c in 0..<cols { sums[c] += x[r, c] } }
        XCTAssertEqual(x.columnSums().map(\.bitPattern), sums.map(\.bitPattern))
    }

    /// The C Adam step equals the scalar formula bit for bit (vector body and tail).
    func testAdamKernelMatchesScalarFormula() {
        let n = 1003
        var rng = SeededGenerator(seed: 9)
        var theta = (0..<n).map { _ in Float(rng.nextNormal()) }, m = (0..<n).map { _ in Float(rng.nextNormal()) * 0.1 }
        var v = (0..<n).map { _ in Float(rng.nextUniform()) * 0.01 }
        let grad = (0..<n).map { _ in Float(rng.nextNormal()) }
        let (lr, b1, b2, c1, c2, eps, wd): (Float, Float, Float, Float, Float, Float, Float) = (2e-4, 0.5, 0.9, 0.75, 0.19, 1e-8, 1e-6)
        var t2 = theta, m2 = m, v2 = v
        for i in 0..<n {
            let g = grad[i] + wd * t2[i]
            m2[i] = b1 * m2[i] + (1 - b1) * g
            v2[i] = b2 * v2[i] + (1 - b2) * g * g
            t2[i] -= lr * (m2[i] / c1) / ((v2[i] / c2).squareRoot() + eps)
        }
        doppel_adam_update(&theta, grad, &m, &v, Int64(n), lr, b1, b2, c1, c2, eps, wd)
        XCTAssertEqual(theta, t2); XCTAssertEqual(m, m2); XCTAssertEqual(v, v2)
    }

    /// The polynomial logarithm is within 2 ulp-scale (3e-7 relative, 1e-7 absolute near 1) of the
    /// library's over the whole range Gumbel noise uses, and the vector path gives the scalar path's bits.
    func testGumbelNoiseLogarithm() {
        var xs: [Float] = [0x1p-24, 0x1p-23, 1e-7, 0.5, 0.70710677, 0.70710683, 1, 1.0000001, 2, 16.6, 100, 0.99999994]
        var rng = SeededGenerator(seed: 10)
        for _ in 0..<20_000 { xs.append(Float(exp(rng.nextUniform() * 40 - 20))) }
        for x in xs {
            let got = Double(doppel_log(x)), want = log(Double(x))
            XCTAssertLessThanOrEqual(abs(got - want), max(3e-7 * abs(want), 1.2e-7), "log \(x)")
        }
        var u: [Float] = []
        for _ in 0..<1001 { u.append(GumbelSoftmax.openUniform(rng.next())) }
        u += [GumbelSoftmax.openUniform(0), GumbelSoftmax.openUniform(.max)]
        var noise = [Float](repeating: 0, count: u.count)
        doppel_gumbel_noise(u, Int64(u.count), &noise)
        for (k, x) in u.enumerated() {
            XCTAssertEqual(noise[k], -doppel_log(-doppel_log(x)), "u = \(x)")
            XCTAssertEqual(Double(noise[k]), -log(-log(Double(x))), accuracy: 1e-5 * max(1, abs(Double(noise[k]))))
        }
    }

    /// The polynomial exponential is within 2e-7 relative of the library's on [−87, 0], and the softmax
    /// kernel (vector exponential on whole blocks, scalar tails) matches a plain double-precision softmax
    /// of (x + g)/τ, in every row of a strided span, with and without noise.
    func testSoftmaxSpanKernel() {
        var rng = SeededGenerator(seed: 11)
        var xs: [Float] = [0, -1e-30, -0.3465736, -0.3465737, -1, -20, -86.9, -87]
        for _ in 0..<20_000 { xs.append(Float(-rng.nextUniform() * 87)) }
        for x in xs {
            let got = Double(doppel_exp(x)), want = exp(Double(x))
            XCTAssertLessThanOrEqual(abs(got - want), 2e-7 * want, "exp \(x)")
        }
        let rows = 13, ld = 11, start = 2, width = 7, tau: Float = 0.2
        for withNoise in [false, true] {
            var x = [Float](repeating: 0, count: rows * ld)
            for i in x.indices { x[i] = Float(rng.nextNormal()) }
            let g = (0..<(rows * width)).map { _ in Float(rng.nextNormal()) }
            var y = x
            var tmp = [Float](repeating: 0, count: rows * width), lse = [Float](repeating: 0, count: rows)
            y.withUnsafeMutableBufferPointer { yb in
                doppel_softmax_span(yb.baseAddress! + start, Int64(ld), Int64(rows), Int64(width), withNoise ? g : nil, 1 / tau, &tmp, &lse)
            }
            for r in 0..<rows {
                let v = (0..<width).map { Double(x[r * ld + start + $0] + (withNoise ? g[r * width + $0] : 0)) / Double(tau) }
                let top = v.max()!, total = v.reduce(0) { $0 + exp($1 - top) }
                XCTAssertEqual(Double(lse[r]), top + log(total), accuracy: 1e-5 * max(1, abs(top)), "log-normaliser of row \(r)")
                for c in 0..<width {
                    XCTAssertEqual(Double(y[r * ld + start + c]), exp(v[c] - top) / total, accuracy: 2e-6, "row \(r) column \(c)")
                }
                for c in 0..<ld where c < start || c >= start + width { XCTAssertEqual(y[r * ld + c], x[r * ld + c], "outside the span") }
            }
        }
    }

    /// `backwardParameters` accumulates the same parameter gradients as `backward`, for a network whose
    /// first layer is a `Linear` (CTGAN's critic) and one whose first layer is a `Residual` (its generator).
    func testBackwardParametersMatchesBackward() {
        var rng = SeededGenerator(seed: 11)
        let x = random(12, 40, seed: 12), g = random(12, 3, seed: 13)
        for net in [Sequential([Linear(40, 16, rng: &rng), LeakyReLU(slope: 0.2), Linear(16, 3, rng: &rng)]),
                    Sequential([Residual(40, 16, rng: &rng), Linear(56, 3, rng: &rng)])] {
            var ctx = ForwardContext(training: true, rng: SeededGenerator(seed: 1))
            _ = net.forward(x, &ctx)
            for p in net.parameters { p.zeroGradient() }
            _ = net.backward(g, mode: .batch)
            let full = net.parameters.map(\.gradient)
            for p in net.parameters { p.zeroGradient() }
            net.backwardParameters(g, mode: .batch)
            for (p, g) in zip(net.parameters, full) { assertSameBits(p.gradient, g, p.name) }
        }
    }

    /// A product for the first rows of op(A) only (the critic step's first layer on the real and fake
    /// rows of its batch): `firstRows` gives the first rows of the whole product bit for bit, with A as is
    /// and transposed, on one and two cores.
    func testProductOfTheFirstRowsOnly() {
        for (m, n, k, first) in [(150, 256, 497, 100), (150, 256, 4970, 100), (13, 40, 7, 5)] {
            let b = random(k, n, seed: 31)
            for transposeA in [false, true] {
                let a = transposeA ? random(k, m, seed: 32) : random(m, k, seed: 32)
                var whole = Matrix(rows: 0, cols: 0)
                Matrix.gemm(a, transposeA: transposeA, b, into: &whole)
                for cores in [1, 2] {
                    var part = Matrix(rows: 0, cols: 0)
                    Matrix.gemm(a, transposeA: transposeA, b, into: &part, cores: cores, firstRows: first)
                    XCTAssertEqual(part.rows, first)
                    assertSameBits(part, Matrix(rows: first, cols: n, values: Array(whole.values[0..<(first * n)])),
                                   "\(first) of \(m) rows, transposeA \(transposeA), \(cores) cores")
                }
            }
        }
    }

    /// The input gradient for a network's first inputs only (CTGAN's generator skips the noise and
    /// conditions it passes through): `firstColumns` gives the first columns of the whole product bit for
    /// bit (one and two cores, widths off the 16-column panel), and a `Linear` and a `Residual` block give
    /// the first columns of their whole ∂L/∂x and the same parameter gradients.
    func testInputGradientOfTheFirstInputsOnly() {
        for (m, n, k, first) in [(500, 686, 451, 512), (500, 430, 256, 256), (12, 40, 3, 17)] {
            let g = random(m, k, seed: 21), w = random(n, k, seed: 22)
            var whole = Matrix(rows: 0, cols: 0)
            Matrix.gemm(g, w, transposeB: true, into: &whole)
            for cores in [1, 2] {
                var part = Matrix(rows: 0, cols: 0)
                Matrix.gemm(g, w, transposeB: true, into: &part, cores: cores, firstColumns: first)
                assertSameBits(part, whole.columns(0, first), "\(m)×\(first) of \(n), \(cores) cores")
            }
        }
        var rng = SeededGenerator(seed: 23)
        let x = random(12, 40, seed: 24)
        for (layer, outputs) in [(Linear(40, 16, rng: &rng) as Layer, 16), (Residual(40, 16, rng: &rng) as Layer, 56)] {
            let g = random(12, outputs, seed: 25)
            var ctx = ForwardContext(training: true, rng: SeededGenerator(seed: 1))
            _ = layer.forward(x, &ctx)
            for p in layer.parameters { p.zeroGradient() }
            let dx = layer.backward(g, mode: .batch)
            let grads = layer.parameters.map(\.gradient)
            for p in layer.parameters { p.zeroGradient() }
            let part = (layer as? Linear)?.backward(g, mode: .batch, firstInputs: 25) ?? (layer as! Residual).backward(g, mode: .batch, firstInputs: 25)
            assertSameBits(part, dx.columns(0, 25), "\(type(of: layer))")
            for (p, q) in zip(layer.parameters, grads) { assertSameBits(p.gradient, q, p.name) }
        }
    }
}
