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
        guard let fields = try? JSONDecoder().decode([String: Scalar].self, from: data) else {
            throw bad("not a valid policy file: expected one JSON object of thresholds, such as {\"minQuality\": 0.8}")
        }
        let known = CodingKeys.allCases.map(\.rawValue)
        for key in fields.keys.sorted() where !known.contains(key) {
            let hint = known.first { $0.lowercased() == key.lowercased() }.map { " (did you mean '\($0)'?)" } ?? ""
            throw bad("unknown policy field '\(key)'\(hint); the fields are \(known.joined(separator: ", "))")
        }
        // A field given twice would be read as one of the two, silently.
        let text = String(decoding: data, as: UTF8.self)
        for key in known where text.components(separatedBy: "\"\(key)\"").count > 2 {
            throw bad("policy field '\(key)' is given more than once")
        }
        var policy = Policy()
        func number(_ key: CodingKeys, whole: Bool = false, nullable: Bool = false) throws -> Double?? {
            guard let value = fields[key.rawValue] else { return .none }
            let kind = whole ? "a whole number" : "a number"
            switch value {
            case .number(let x) where !whole || (x == x.rounded() && abs(x) < 1e15): return .some(x)
            case .null where nullable: return .some(nil)
            default: throw bad("policy field '\(key.rawValue)' must be \(kind)\(nullable ? " or null" : "")")
            }
        }
        if let x = try number(.maxExactCopies, whole: true) { policy.maxExactCopies = Int(x!) }
        if let x = try number(.maxDcrShareUpper) { policy.maxDcrShareUpper = x! }
        if let x = try number(.maxMembershipAUC) { policy.maxMembershipAUC = x! }
        if let x = try number(.maxRiskUpper) { policy.maxRiskUpper = x! }
        if let x = try number(.minK, whole: true) { policy.minK = Int(x!) }
        if let x = try number(.minQuality, nullable: true) { policy.minQuality = x }
        if let problem = policy.problem { throw bad(problem) }
        return policy
    }

    /// One JSON value of a policy file, as read before it is checked.
    enum Scalar: Decodable {
        case null, number(Double), other
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if (try? c.decode(Bool.self)) != nil { self = .other }
            else if let x = try? c.decode(Double.self) { self = .number(x) }
            else { self = .other }
        }
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
