import DoppelData
import Foundation

/// Release policy: the thresholds a synthetic table must meet before it may leave. Stored as JSON;
/// any field left out keeps its default.
///
/// ```json
/// {"maxExactCopies": 0, "maxDcrShareUpper": 0.6, "maxMembershipAUC": 0.6,
///  "maxRiskUpper": 0.1, "minK": 5, "minQuality": null}
/// ```
public struct Policy: Codable, Sendable, Equatable {
    /// Synthetic rows identical to a training row allowed.
    public var maxExactCopies: Int = 0
    /// Upper 95% bound of the DCR share (0.5 is ideal).
    public var maxDcrShareUpper: Double = 0.6
    /// Distance-based membership-inference ROC AUC.
    public var maxMembershipAUC: Double = 0.6
    /// Upper 95% bound of every singling-out, linkability and attribute-inference risk.
    public var maxRiskUpper: Double = 0.1
    /// k-anonymity of the quasi-identifiers in the synthetic table (checked when quasi-identifiers are given).
    public var minK: Int = 5
    /// Optional floor on the quality score.
    public var minQuality: Double? = nil

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case maxExactCopies, maxDcrShareUpper, maxMembershipAUC, maxRiskUpper, minK, minQuality }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Policy()
        maxExactCopies = try c.decodeIfPresent(Int.self, forKey: .maxExactCopies) ?? d.maxExactCopies
        maxDcrShareUpper = try c.decodeIfPresent(Double.self, forKey: .maxDcrShareUpper) ?? d.maxDcrShareUpper
        maxMembershipAUC = try c.decodeIfPresent(Double.self, forKey: .maxMembershipAUC) ?? d.maxMembershipAUC
        maxRiskUpper = try c.decodeIfPresent(Double.self, forKey: .maxRiskUpper) ?? d.maxRiskUpper
        minK = try c.decodeIfPresent(Int.self, forKey: .minK) ?? d.minK
        minQuality = try c.decodeIfPresent(Double.self, forKey: .minQuality)
    }

    /// Reads a policy file strictly: a field the gate does not know (a typo such as `minquality` would
    /// otherwise leave that rule at its default, silently), a value of the wrong type, or a threshold
    /// outside its range is refused with the field's name.
    public static func read(from path: String) throws -> Policy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DoppelError.inputMissing(path: path, reason: "no such policy file")
        }
        func bad(_ message: String) -> DoppelError { .badInput(path: path, line: nil, column: nil, message: message) }
        guard let object = try? JSONSerialization.jsonObject(with: data), let fields = object as? [String: Any] else {
            throw bad("not a valid policy file: expected one JSON object, such as {\"minQuality\": 0.8}")
        }
        let known = CodingKeys.allCases.map(\.rawValue)
        for key in fields.keys.sorted() where !known.contains(key) {
            let hint = known.first { $0.lowercased() == key.lowercased() }.map { " (did you mean '\($0)'?)" } ?? ""
            throw bad("unknown policy field '\(key)'\(hint); the fields are \(known.joined(separator: ", "))")
        }
        let policy: Policy
        do { policy = try JSONDecoder().decode(Policy.self, from: data) } catch {
            var key = "?", whole = false
            switch error {
            case DecodingError.typeMismatch(let type, let context):
                key = context.codingPath.last?.stringValue ?? key; whole = type == Int.self
            case DecodingError.dataCorrupted(let context):
                key = context.codingPath.last?.stringValue ?? key; whole = key == "maxExactCopies" || key == "minK"
            default: break
            }
            throw bad("policy field '\(key)' must be \(whole ? "a whole number" : "a number")\(key == "minQuality" ? " or null" : "")")
        }
        if let problem = policy.problem { throw bad(problem) }
        return policy
    }

    /// What is wrong with the thresholds, if anything: counts are whole numbers ≥ 0 (k ≥ 1), the rest
    /// proportions or AUCs between 0 and 1.
    public var problem: String? {
        if maxExactCopies < 0 { return "policy field 'maxExactCopies' must be 0 or more (got \(maxExactCopies))" }
        if minK < 1 { return "policy field 'minK' must be 1 or more (got \(minK))" }
        let unit: [(String, Double?)] = [("maxDcrShareUpper", maxDcrShareUpper), ("maxMembershipAUC", maxMembershipAUC),
                                         ("maxRiskUpper", maxRiskUpper), ("minQuality", minQuality)]
        for case let (name, value?) in unit where !(value >= 0 && value <= 1) {
            return "policy field '\(name)' must be between 0 and 1 (got \(value))"
        }
        return nil
    }
}

/// One rule of the gate and its outcome.
public struct GateRule: Codable, Sendable, Equatable {
    public var rule: String
    public var passed: Bool
    /// The point estimate (for interval rules, `value` is the judged 95% upper bound).
    public var estimate: Double? = nil
    /// The figure the threshold is applied to.
    public var value: Double
    public var threshold: Double
    public var explanation: String
}

/// The release gate's verdict.
public struct GateResult: Codable, Sendable, Equatable {
    public var passed: Bool
    public var rules: [GateRule]
    public var failures: [String] { rules.filter { !$0.passed }.map { "\($0.rule): \($0.explanation)" } }
    /// Failed interval rules whose point estimate is within the limit: the evidence is too thin, not a measured leak.
    public var inconclusive: [GateRule] { rules.filter { !$0.passed && ($0.estimate ?? .infinity) <= $0.threshold } }
}
