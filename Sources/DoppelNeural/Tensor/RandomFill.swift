import Foundation
import DoppelMath

extension SeededGenerator {
    /// Fills `buffer` with independent N(0, scale²) draws by Marsaglia's polar method: pairs (u, v)
    /// uniform on the unit disc give two normals u·√(−2 ln s / s), v·√(−2 ln s / s) with s = u² + v² —
    /// one logarithm per pair and no trigonometry (3–4× faster than drawing one normal at a time).
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, scale: Float = 1) {
        var i = 0
        let n = buffer.count
        while i < n {
            var u = 0.0, v = 0.0, s = 0.0
            repeat {
                u = nextUniform() * 2 - 1
                v = nextUniform() * 2 - 1
                s = u * u + v * v
            } while s >= 1 || s == 0
            let f = (-2 * log(s) / s).squareRoot()
            buffer[i] = Float(u * f) * scale
            if i + 1 < n { buffer[i + 1] = Float(v * f) * scale }
            i += 2
        }
    }
}

extension Matrix {
    /// A rows × cols matrix of independent N(0, 1) draws.
    public static func standardNormal(rows: Int, cols: Int, rng: inout SeededGenerator) -> Matrix {
        var m = Matrix(rows: rows, cols: cols)
        m.values.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        return m
    }

    /// Adds N(0, sd²) noise to every element.
    public mutating func addNoise(sd: Float, rng: inout SeededGenerator) {
        guard sd > 0 else { return }
        var noise = [Float](repeating: 0, count: count)
        noise.withUnsafeMutableBufferPointer { rng.fillNormal($0, scale: sd) }
        values.withUnsafeMutableBufferPointer { v in
            noise.withUnsafeBufferPointer { e in for i in v.indices { v[i] += e[i] } }
        }
    }
}
