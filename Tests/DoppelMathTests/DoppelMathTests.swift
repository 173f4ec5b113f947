import XCTest
@testable import DoppelMath

final class NormalTests: XCTestCase {
    func testQuantileKnownValues() {
        // Reference values from scipy.stats.norm.ppf.
        XCTAssertEqual(Normal.quantile(0.5), 0, accuracy: 1e-15)
        XCTAssertEqual(Normal.quantile(0.975), 1.959963984540054, accuracy: 1e-13)
        XCTAssertEqual(Normal.quantile(0.025), -1.959963984540054, accuracy: 1e-13)
        XCTAssertEqual(Normal.quantile(1e-10), -6.361340902404056, accuracy: 1e-10)
        XCTAssertEqual(Normal.quantile(0.999), 3.090232306167813, accuracy: 1e-12)
        XCTAssertEqual(Normal.quantile(0), -.infinity)
        XCTAssertEqual(Normal.quantile(1), .infinity)
    }

    func testCDFInvertsQuantile() {
        for p in stride(from: 0.0005, to: 1, by: 0.0173) {
            XCTAssertEqual(Normal.cdf(Normal.quantile(p)), p, accuracy: 1e-14)
        }
        XCTAssertEqual(Normal.cdf(1.959963984540054), 0.975, accuracy: 1e-14)
    }

    func testTruncatedStaysInBoundsInBothTails() {
        var rng = SeededGenerator(seed: 3)
        for (a, b) in [(-1.0, 0.5), (4.0, 9.0), (-9.0, -5.0), (2.0, .infinity), (-.infinity, -3.0)] {
            var sum = 0.0
            for _ in 0..<2000 {
                let x = Normal.truncated(lower: a, upper: b, using: &rng)
                XCTAssert(x >= a && x <= b, "\(x) outside [\(a), \(b)]")
                sum += x
            }
            // The mean of N(0,1) truncated to [a, b] is (φ(a) − φ(b)) / (Φ(b) − Φ(a)).
            let expected = (Normal.pdf(a) - Normal.pdf(b)) / (Normal.cdf(b) - Normal.cdf(a))
            XCTAssertEqual(sum / 2000, expected, accuracy: 0.05)
        }
    }
}

final class GeneratorTests: XCTestCase {
    func testSameSeedSameStream() {
        var a = SeededGenerator(seed: 42, stream: 7), b = SeededGenerator(seed: 42, stream: 7)
        for _ in 0..<100 { XCTAssertEqual(a.next(), b.next()) }
    }

    func testStreamsAndSeedsDiffer() {
        var a = SeededGenerator(seed: 42, stream: 0), b = SeededGenerator(seed: 42, stream: 1), c = SeededGenerator(seed: 43, stream: 0)
        let xa = (0..<8).map { _ in a.next() }, xb = (0..<8).map { _ in b.next() }, xc = (0..<8).map { _ in c.next() }
        XCTAssertNotEqual(xa, xb); XCTAssertNotEqual(xa, xc)
    }

    func testNormalMoments() {
        var rng = SeededGenerator(seed: 9)
        let n = 200_000
        var s = 0.0, s2 = 0.0
        for _ in 0..<n { let x = rng.nextNormal(); s += x; s2 += x * x }
        XCTAssertEqual(s / Double(n), 0, accuracy: 0.01)
        XCTAssertEqual(s2 / Double(n), 1, accuracy: 0.01)
    }

    func testUniformRange() {
        var rng = SeededGenerator(seed: 1)
        for _ in 0..<10000 {
            let u = rng.nextOpenUniform(); XCTAssert(u > 0 && u < 1)
            let k = rng.nextInt(below: 7); XCTAssert(k >= 0 && k < 7)
        }
    }
}

final class LinearAlgebraTests: XCTestCase {
    func testCholeskyReconstructs() throws {
        let a = Matrix(rows: 3, cols: 3, storage: [4, 2, 0.6, 2, 5, 1, 0.6, 1, 3])
        let l = try LinearAlgebra.cholesky(a)
        let back = l * l.transposed
        for i in 0..<9 { XCTAssertEqual(back.storage[i], a.storage[i], accuracy: 1e-12) }
        XCTAssertThrowsError(try LinearAlgebra.cholesky(Matrix(rows: 2, cols: 2, storage: [1, 2, 2, 1])))
    }

    func testEigenOfKnownMatrix() {
        // [[2,1],[1,2]] has eigenvalues 1 and 3.
        let (values, vectors) = LinearAlgebra.symmetricEigen(Matrix(rows: 2, cols: 2, storage: [2, 1, 1, 2]))
        XCTAssertEqual(values.sorted()[0], 1, accuracy: 1e-12)
        XCTAssertEqual(values.sorted()[1], 3, accuracy: 1e-12)
        let v = (0..<2).map { vectors[$0, 0] }
        XCTAssertEqual(abs(v[0]), abs(v[1]), accuracy: 1e-12)
    }

    func testNearestCorrelationRepairsIndefiniteMatrix() throws {
        // Pairwise-complete estimates can be jointly impossible: this one has a negative eigenvalue.
        let bad = Matrix(rows: 3, cols: 3, storage: [1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1])
        XCTAssertThrowsError(try LinearAlgebra.cholesky(bad))
        let fixed = LinearAlgebra.nearestCorrelation(bad, floor: 1e-4)
        for i in 0..<3 { XCTAssertEqual(fixed[i, i], 1, accuracy: 1e-12) }
        XCTAssertNoThrow(try LinearAlgebra.cholesky(fixed))
        for i in 0..<3 { for j in 0..<3 { XCTAssertEqual(fixed[i, j], fixed[j, i], accuracy: 1e-12) } }
        // A valid correlation matrix is left (almost) unchanged.
        let good = Matrix(rows: 2, cols: 2, storage: [1, 0.3, 0.3, 1])
        XCTAssertEqual(LinearAlgebra.nearestCorrelation(good)[0, 1], 0.3, accuracy: 1e-9)
    }

    func testInverseSPD() throws {
        let a = Matrix(rows: 2, cols: 2, storage: [4, 1, 1, 3])
        let inv = try LinearAlgebra.inverseSPD(a)
        let id = a * inv
        XCTAssertEqual(id[0, 0], 1, accuracy: 1e-12); XCTAssertEqual(id[0, 1], 0, accuracy: 1e-12)
        XCTAssertEqual(id[1, 1], 1, accuracy: 1e-12)
    }
}

final class ExtremeInputTests: XCTestCase {
    func testLeadingEigenvectorAgreesWithJacobi() {
        var rng = SeededGenerator(seed: 5)
        let n = 30
        var b = Matrix(rows: n, cols: n)
        for i in 0..<n { for j in 0..<n { b[i, j] = rng.nextNormal() } }
        let a = b * b.transposed
        let (values, vectors) = LinearAlgebra.symmetricEigen(a)
        let top = values.indices.max { values[$0] < values[$1] }!
        let v = LinearAlgebra.leadingEigenvector(a)!
        let dot = (0..<n).reduce(0.0) { $0 + v[$1] * vectors[$1, top] }
        XCTAssertEqual(abs(dot), 1, accuracy: 1e-6)
    }

    /// A matrix read from JSON (a model file) must fill its shape; one that does not is refused, not
    /// indexed past its end later.
    func testMatrixDecodingChecksTheShape() throws {
        let good = Matrix(rows: 2, cols: 2, storage: [1, 0.5, 0.5, 1])
        XCTAssertEqual(try JSONDecoder().decode(Matrix.self, from: try JSONEncoder().encode(good)), good)
        for json in [#"{"rows":2,"cols":2,"storage":[1,0.5,0.5]}"#, #"{"rows":-1,"cols":-3,"storage":[1,2,3]}"#,
                     #"{"rows":4611686018427387904,"cols":4,"storage":[]}"#] {
            XCTAssertThrowsError(try JSONDecoder().decode(Matrix.self, from: Data(json.utf8)), json)
        }
    }
}
