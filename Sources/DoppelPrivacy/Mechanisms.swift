import DoppelMath
import Foundation

/// The noise-adding and selection mechanisms of differential privacy. Each takes its randomness from a
/// ``SeededGenerator`` so a seeded fit is reproducible.
public enum Mechanisms {
    /// A draw from Laplace(0, b): density exp(−|x|/b) / 2b. Adding it to a query of L1 sensitivity Δ with
    /// b = Δ/ε gives ε-differential privacy (Dwork, McSherry, Nissim and Smith 2006).
    public static func laplace(scale b: Double, using rng: inout SeededGenerator) -> Double {
        let u = rng.nextOpenUniform() - 0.5           // (−0.5, 0.5)
        return -b * (u < 0 ? -1.0 : 1.0) * log(1 - 2 * abs(u))
    }

    /// A draw from N(0, σ²). Adding it to a query of L2 sensitivity Δ gives ρ-zCDP with ρ = Δ²/(2σ²)
    /// (Bun and Steinke 2016, Proposition 1.6).
    public static func gaussian(sigma: Double, using rng: inout SeededGenerator) -> Double {
        sigma * rng.nextNormal()
    }

    /// The exponential mechanism (McSherry and Talwar 2007): picks candidate r with probability
    /// ∝ exp(ε·score(r) / (2Δ)), where Δ is the sensitivity of the score. ε-DP. Implemented with the
    /// Gumbel-max trick (argmax of score·ε/(2Δ) + Gumbel noise), which draws from exactly that distribution.
    public static func exponential(scores: [Double], epsilon: Double, sensitivity: Double, using rng: inout SeededGenerator) -> Int {
        precondition(!scores.isEmpty && epsilon > 0 && sensitivity > 0)
        let scale = epsilon / (2 * sensitivity)
        var best = 0, bestValue = -Double.infinity
        for (k, s) in scores.enumerated() {
            let g = -log(-log(rng.nextOpenUniform()))
            let v = s * scale + g
            if v > bestValue { bestValue = v; best = k }
        }
        return best
    }
}

/// Conversions between privacy definitions.
public enum PrivacyConversion {
    /// (ε, δ) implied by ρ-zCDP: ε = ρ + 2√(ρ ln(1/δ)) (Bun and Steinke 2016, Proposition 1.3).
    public static func epsilon(rho: Double, delta: Double) -> Double {
        rho + 2 * (rho * log(1 / delta)).squareRoot()
    }

    /// The largest ρ whose zCDP guarantee implies (ε, δ)-DP by ``epsilon(rho:delta:)``: the positive root
    /// of ρ + 2√(ρL) = ε with L = ln(1/δ), i.e. √ρ = √(L + ε) − √L.
    public static func rho(epsilon: Double, delta: Double) -> Double {
        let l = log(1 / delta)
        let s = (l + epsilon).squareRoot() - l.squareRoot()
        return s * s
    }
}
