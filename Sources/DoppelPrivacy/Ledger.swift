import Foundation

/// The privacy budget of one fit, and every step that spent part of it.
///
/// A DP fit creates a ledger with the requested budget, and each mechanism draws its share with
/// ``spend(_:epsilon:)`` (pure ε-DP, composed by addition) or ``spend(_:rho:)`` (ρ-zCDP, composed by
/// addition of ρ). Spending more than the budget is a programming error and traps, so the total written to
/// the model file can never exceed what the user asked for.
public struct PrivacyLedger: Codable, Sendable, Equatable {
    public enum Accounting: String, Codable, Sendable { case pureEpsilon = "pure-epsilon", zeroConcentrated = "zCDP", renyi = "RDP" }

    /// One spending step.
    public struct Entry: Codable, Sendable, Equatable {
        /// What the step released, e.g. "noisy counts of the family (age, sex, death)".
        public var step: String
        /// The mechanism, e.g. "Laplace(b = 12.5)".
        public var mechanism: String
        /// ε spent (pure-ε accounting), ρ spent (zCDP accounting), or, under RDP accounting, the ε of this
        /// step alone at the ledger's δ (the total composes the curves, not these numbers).
        public var amount: Double
        /// RDP accounting: the step's Rényi-DP curve at the ledger's orders.
        public var rdp: [Double]?
    }

    public var accounting: Accounting
    /// ε for pure accounting, ρ for zCDP.
    public var budget: Double
    /// The target δ (zCDP only).
    public var delta: Double?
    /// The Rényi orders of the RDP curves (RDP accounting only).
    public var orders: [Double]?
    public private(set) var entries: [Entry] = []

    public init(epsilon: Double) { accounting = .pureEpsilon; budget = epsilon }
    public init(rho: Double, delta: Double) { accounting = .zeroConcentrated; budget = rho; self.delta = delta }
    /// Rényi-DP accounting (DP-SGD): the budget is (ε, δ); steps add their RDP curves at `orders`.
    public init(epsilon: Double, delta: Double, orders: [Double]) {
        accounting = .renyi; budget = epsilon; self.delta = delta; self.orders = orders
    }

    /// The amount spent: Σ ε, Σ ρ, or (RDP) the ε at δ of the summed curves.
    public var spent: Double {
        switch accounting {
        case .pureEpsilon, .zeroConcentrated: return entries.reduce(0) { $0 + $1.amount }
        case .renyi: return renyiEpsilon(entries.compactMap(\.rdp))
        }
    }

    private func renyiEpsilon(_ curves: [[Double]]) -> Double {
        guard let orders, let delta, !curves.isEmpty else { return 0 }
        var total = [Double](repeating: 0, count: orders.count)
        for c in curves { for k in total.indices { total[k] += c[k] } }
        return RDPAccountant.epsilon(rdp: total, orders: orders, delta: delta).epsilon
    }
    public var remaining: Double { max(0, budget - spent) }

    public mutating func spend(_ step: String, mechanism: String, epsilon: Double) {
        precondition(accounting == .pureEpsilon)
        record(step, mechanism, epsilon)
    }

    public mutating func spend(_ step: String, mechanism: String, rho: Double) {
        precondition(accounting == .zeroConcentrated)
        record(step, mechanism, rho)
    }

    /// Spends a step with the given Rényi-DP curve (RDP accounting).
    public mutating func spend(_ step: String, mechanism: String, rdp curve: [Double]) {
        precondition(accounting == .renyi && curve.count == orders?.count)
        let total = renyiEpsilon(entries.compactMap(\.rdp) + [curve])
        precondition(total <= budget * (1 + 1e-6), "privacy budget overspent")
        entries.append(Entry(step: step, mechanism: mechanism, amount: renyiEpsilon([curve]), rdp: curve))
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
        case .renyi: return (spent, delta ?? 0)
        }
    }
}
