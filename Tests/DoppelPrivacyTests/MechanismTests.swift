import XCTest
import DoppelMath
@testable import DoppelPrivacy

final class MechanismTests: XCTestCase {
    /// Laplace(b): mean 0, E|X| = b, Var = 2b².
    func testLaplaceMatchesItsMoments() {
        var rng = SeededGenerator(seed: 3)
        let b = 2.5, n = 200_000
        var s = 0.0, sa = 0.0, ss = 0.0
        for _ in 0..<n { let x = Mechanisms.laplace(scale: b, using: &rng); s += x; sa += abs(x); ss += x * x }
        XCTAssertEqual(s / Double(n), 0, accuracy: 0.03)
        XCTAssertEqual(sa / Double(n), b, accuracy: 0.03)
        XCTAssertEqual(ss / Double(n), 2 * b * b, accuracy: 0.3)
    }

    /// The exponential mechanism picks r with probability exp(ε s_r / 2Δ) / Σ exp(ε s / 2Δ).
    func testExponentialMechanismFrequencies() {
        var rng = SeededGenerator(seed: 5)
        let scores = [0.0, 1.0, 3.0], epsilon = 1.0, delta = 1.0
        var counts = [0, 0, 0]
        let n = 100_000
        for _ in 0..<n { counts[Mechanisms.exponential(scores: scores, epsilon: epsilon, sensitivity: delta, using: &rng)] += 1 }
        let w = scores.map { exp(epsilon * $0 / (2 * delta)) }
        let z = w.reduce(0, +)
        for k in 0..<3 { XCTAssertEqual(Double(counts[k]) / Double(n), w[k] / z, accuracy: 0.006) }
    }

    /// ρ ↔ (ε, δ) by Canonne–Kamath–Steinke: values from the published formula evaluated independently
    /// (Private-PGM's cdp_rho, run in Python: ρ(1, 1e-9) = 0.014973, ρ(10, 1e-9) = 1.090786,
    /// ρ(1, 1e-5) = 0.030557); round trips; always at least Bun–Steinke's ρ.
    func testZeroConcentratedConversion() {
        XCTAssertEqual(PrivacyConversion.rho(epsilon: 1, delta: 1e-9), 0.014973, accuracy: 2e-6)
        XCTAssertEqual(PrivacyConversion.rho(epsilon: 10, delta: 1e-9), 1.090786, accuracy: 2e-6)
        XCTAssertEqual(PrivacyConversion.rho(epsilon: 1, delta: 1e-5), 0.030557, accuracy: 2e-6)
        XCTAssertEqual(PrivacyConversion.epsilonBunSteinke(rho: 0.5, delta: 1e-5), 5.298, accuracy: 1e-3)
        for e in [0.1, 1, 3, 10] {
            let rho = PrivacyConversion.rho(epsilon: e, delta: 1e-9)
            XCTAssertEqual(PrivacyConversion.epsilon(rho: rho, delta: 1e-9), e, accuracy: 1e-9)
            XCTAssertLessThanOrEqual(PrivacyConversion.delta(rho: rho, epsilon: e), 1e-9 * (1 + 1e-9))
            XCTAssertLessThanOrEqual(PrivacyConversion.epsilon(rho: rho, delta: 1e-9), PrivacyConversion.epsilonBunSteinke(rho: rho, delta: 1e-9))
        }
    }

    func testLedgerAddsUpAndReportsItsGuarantee() {
        var ledger = PrivacyLedger(epsilon: 1)
        ledger.spend("a", mechanism: "Laplace", epsilon: 0.25)
        ledger.spend("b", mechanism: "exponential", epsilon: 0.75)
        XCTAssertEqual(ledger.spent, 1, accuracy: 1e-12)
        XCTAssertEqual(ledger.remaining, 0, accuracy: 1e-12)
        XCTAssertEqual(ledger.guarantee.epsilon, 1, accuracy: 1e-12)
        XCTAssertEqual(ledger.guarantee.delta, 0)
        var z = PrivacyLedger(rho: 0.5, delta: 1e-5)
        z.spend("m", mechanism: "Gaussian", rho: 0.5)
        XCTAssertEqual(z.guarantee.epsilon, PrivacyConversion.epsilon(rho: 0.5, delta: 1e-5), accuracy: 1e-12)
    }
}
