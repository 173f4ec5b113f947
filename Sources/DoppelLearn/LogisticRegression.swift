import Foundation
import DoppelKernels

/// Multinomial logistic regression with L2 penalty, fitted by L-BFGS on the full batch.
///
/// Minimises −(1/n) Σᵢ log softmax(W xᵢ + b)_{yᵢ} + (λ/2)‖W‖² (the intercept is not penalised).
/// With two classes this is ordinary regularised logistic regression. Deterministic: no randomness.
///
/// ```swift
/// let model = LogisticRegression.fit(x: features, rows: n, cols: d, labels: y, classes: 2)
/// let p = model.predictProbabilities(x: test, rows: m)   // m × 2
/// ```
public struct LogisticRegression: Sendable {
    public let classes: Int
    public let features: Int
    /// (features + 1) × classes, last row is the intercept.
    public let weights: [Double]

    public static func fit(x: [Double], rows n: Int, cols d: Int, labels y: [Int], classes k: Int,
                           lambda: Double = 1e-3, maxIterations: Int = 200) -> LogisticRegression {
        let p = (d + 1) * k
        // Rows in blocks of 8, feature-major within a block (`xb[(b·d + f)·8 + r]`), so that one SIMD
        // register holds a feature of 8 rows: the C kernel `doppel_logistic_pass` accumulates the 8 rows'
        // logits side by side and the gradient in 8 lanes, summed here.
        let blocks = (n + 7) / 8
        var xb = [Double](repeating: 0, count: blocks * d * 8)
        for i in 0..<n { for f in 0..<d { xb[((i / 8) * d + f) * 8 + i % 8] = x[i * d + f] } }
        let labels = y.map { Int32($0) } + [Int32](repeating: 0, count: blocks * 8 - n)
        var lanes = [Double](repeating: 0, count: p * 8), scratch = [Double](repeating: 0, count: 8 * k)
        func lossAndGradient(_ w: [Double]) -> (Double, [Double]) {
            var loss = 0.0
            for j in lanes.indices { lanes[j] = 0 }
            doppel_logistic_pass(xb, Int64(n), Int64(d), Int64(k), w, labels, &lanes, &loss, &scratch)
            let inv = 1 / Double(max(n, 1))
            loss *= inv
            var g = [Double](repeating: 0, count: p)
            for j in 0..<p {
                var s = 0.0
                for r in 0..<8 { s += lanes[j * 8 + r] }
                g[j] = s * inv
            }
            for j in 0..<(d * k) { loss += 0.5 * lambda * w[j] * w[j]; g[j] += lambda * w[j] }
            return (loss, g)
        }
        let w = LBFGS.minimize(initial: [Double](repeating: 0, count: p), maxIterations: maxIterations, lossAndGradient)
        return LogisticRegression(classes: k, features: d, weights: w)
    }

    /// Class probabilities, row-major `rows × classes`.
    public func predictProbabilities(x: [Double], rows n: Int) -> [Double] {
        let d = features, k = classes
        var out = [Double](repeating: 0, count: n * k)
        for i in 0..<n {
            var z = (0..<k).map { weights[d * k + $0] }
            for f in 0..<d {
                let v = x[i * d + f]
                if v == 0 { continue }
                for c in 0..<k { z[c] += v * weights[f * k + c] }
            }
            let m = z.max()!
            var s = 0.0
            for c in 0..<k { z[c] = exp(z[c] - m); s += z[c] }
            for c in 0..<k { out[i * k + c] = z[c] / s }
        }
        return out
    }
}

/// Ridge regression: minimises (1/n)‖y − Xw − b‖² + λ‖w‖², solved by the normal equations.
public struct RidgeRegression: Sendable {
    public let weights: [Double]
    public let intercept: Double

    public static func fit(x: [Double], rows n: Int, cols d: Int, targets y: [Double], lambda: Double = 1e-3) -> RidgeRegression {
        let my = y.reduce(0, +) / Double(max(n, 1))
        var means = [Double](repeating: 0, count: d)
        for i in 0..<n { for f in 0..<d { means[f] += x[i * d + f] } }
        for f in 0..<d { means[f] /= Double(max(n, 1)) }
        var a = [Double](repeating: 0, count: d * d), b = [Double](repeating: 0, count: d)
        for i in 0..<n {
            let yi = y[i] - my
            for f in 0..<d {
                let xf = x[i * d + f] - means[f]
                if xf == 0 { continue }
                b[f] += xf * yi
                for g in f..<d { a[f * d + g] += xf * (x[i * d + g] - means[g]) }
            }
        }
        for f in 0..<d { for g in 0..<f { a[f * d + g] = a[g * d + f] }; a[f * d + f] += lambda * Double(n) + 1e-9 }
        let w = CholeskySolve.solve(a, b, d) ?? [Double](repeating: 0, count: d)
        let intercept = my - zip(w, means).reduce(0) { $0 + $1.0 * $1.1 }
        return RidgeRegression(weights: w, intercept: intercept)
    }

    public func predict(x: [Double], rows n: Int) -> [Double] {
        let d = weights.count
        return (0..<n).map { i in (0..<d).reduce(intercept) { $0 + weights[$1] * x[i * d + $1] } }
    }
}

enum CholeskySolve {
    static func solve(_ a: [Double], _ b: [Double], _ n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var s = a[j * n + j]
            for k in 0..<j { s -= l[j * n + k] * l[j * n + k] }
            guard s > 0 else { return nil }
            let ljj = s.squareRoot()
            l[j * n + j] = ljj
            for i in (j + 1)..<max(n, j + 1) {
                var t = a[i * n + j]
                for k in 0..<j { t -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = t / ljj
            }
        }
        var z = b
        for i in 0..<n { var s = z[i]; for k in 0..<i { s -= l[i * n + k] * z[k] }; z[i] = s / l[i * n + i] }
        for i in stride(from: n - 1, through: 0, by: -1) { var s = z[i]; for k in (i + 1)..<max(n, i + 1) { s -= l[k * n + i] * z[k] }; z[i] = s / l[i * n + i] }
        return z
    }
}

/// Limited-memory BFGS (Nocedal & Wright, Algorithm 7.5) with a backtracking Armijo line search.
public enum LBFGS {
    public static func minimize(initial: [Double], maxIterations: Int, memory: Int = 10, tolerance: Double = 1e-7,
                                _ f: ([Double]) -> (Double, [Double])) -> [Double] {
        var x = initial
        var (fx, g) = f(x)
        var sList: [[Double]] = [], yList: [[Double]] = [], rhoList: [Double] = []
        func dot(_ a: [Double], _ b: [Double]) -> Double { var s = 0.0; for i in a.indices { s += a[i] * b[i] }; return s }
        for _ in 0..<maxIterations {
            let gnorm = dot(g, g).squareRoot()
            if gnorm < tolerance { break }
            // Two-loop recursion for the direction.
            var q = g
            var alphas = [Double](repeating: 0, count: sList.count)
            for i in stride(from: sList.count - 1, through: 0, by: -1) {
                alphas[i] = rhoList[i] * dot(sList[i], q)
                for j in q.indices { q[j] -= alphas[i] * yList[i][j] }
            }
            var gamma = 1.0
            if let s = sList.last, let y = yList.last { gamma = dot(s, y) / max(dot(y, y), 1e-300) }
            else { gamma = 1 / max(gnorm, 1) }
            for j in q.indices { q[j] *= gamma }
            for i in 0..<sList.count {
                let beta = rhoList[i] * dot(yList[i], q)
                for j in q.indices { q[j] += sList[i][j] * (alphas[i] - beta) }
            }
            var direction = q.map { -$0 }
            var slope = dot(g, direction)
            if slope >= 0 { direction = g.map { -$0 }; slope = -dot(g, g); sList.removeAll(); yList.removeAll(); rhoList.removeAll() }
            var step = 1.0
            var xNew = x, fNew = fx, gNew = g
            var accepted = false
            for _ in 0..<30 {
                for j in x.indices { xNew[j] = x[j] + step * direction[j] }
                (fNew, gNew) = f(xNew)
                if fNew <= fx + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            if !accepted { break }
            let s = zip(xNew, x).map { $0 - $1 }, y = zip(gNew, g).map { $0 - $1 }
            let sy = dot(s, y)
            if sy > 1e-12 {
                sList.append(s); yList.append(y); rhoList.append(1 / sy)
                if sList.count > memory { sList.removeFirst(); yList.removeFirst(); rhoList.removeFirst() }
            }
            let improvement = fx - fNew
            x = xNew; fx = fNew; g = gNew
            if improvement < tolerance * max(1, abs(fx)) { break }
        }
        return x
    }
}
