import Foundation

/// The privacy budget of one fit, and every step that spent part of it.
///
/// A DP fit creates a ledger with the requested budget, and each mechanism draws its share with
/// ``spend(_:epsilon:)`` (pure ε-DP, composed by addition) or ``spend(_:rho:)`` (ρ-zCDP, composed by
/// addition of ρ). Spending more than the budget is a programming error and traps, so the total written to
/// the model file can never exceed what the user asked for.
public struct PrivacyLedger: Codable, Sendable, Equatable {
    public enum Accounting: String, Codable, Sendable { case pureEpsilon = "pure-epsilon", zeroConcentrated = "zCDP" }

    /// One spending step.
    public struct Entry: Codable, Sendable, Equatable {
        /// What the step released, e.g. "noisy counts of the family (age, sex, death)".
        public var step: String
        /// The mechanism, e.g. "Laplace(b = 12.5)".
        public var mechanism: String
        /// ε spent (pure-ε accounting) or ρ spent (zCDP accounting).
        public var amount: Double
    }

    public var accounting: Accounting
    /// ε for pure accounting, ρ for zCDP.
    public var budget: Double
    /// The target δ (zCDP only).
    public var delta: Double?
    public private(set) var entries: [Entry] = []

    public init(epsilon: Double) { accounting = .pureEpsilon; budget = epsilon }
    public init(rho: Double, delta: Double) { accounting = .zeroConcentrated; budget = rho; self.delta = delta }

    public var spent: Double { entries.reduce(0) { $0 + $1.amount } }
    public var remaining: Double { max(0, budget - spent) }

    public mutating func spend(_ step: String, mechanism: String, epsilon: Double) {
        precondition(accounting == .pureEpsilon)
        record(step, mechanism, epsilon)
    }

    public mutating func spend(_ step: String, mechanism: String, rho: Double) {
        precondition(accounting == .zeroConcentrated)
        record(step, mechanism, rho)
    }

    private mutating func record(_ step: String, _ mechanism: String, _ amount: Double) {
        precondition(amount >= 0)
        precondition(spent + amount <= budget * (1 + 1e-9), "privacy budget overspent")
        entries.append(Entry(step: step, mechanism: mechanism, amount: amount))
    }

    /// The (ε, δ) guarantee of what was spent: ε itself (δ = 0) for pure accounting; the zCDP conversion
    /// for zCDP.
    public var guarantee: (epsilon: Double, delta: Double) {
        switch accounting {
        case .pureEpsilon: return (spent, 0)
        case .zeroConcentrated: return (PrivacyConversion.epsilon(rho: spent, delta: delta ?? 0), delta ?? 0)
        }
    }
}
