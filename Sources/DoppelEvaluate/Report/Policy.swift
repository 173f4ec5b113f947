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

    enum CodingKeys: String, CodingKey { case maxExactCopies, maxDcrShareUpper, maxMembershipAUC, maxRiskUpper, minK, minQuality }

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

    public static func read(from path: String) throws -> Policy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DoppelError.inputMissing(path: path, reason: "no such policy file")
        }
        do { return try JSONDecoder().decode(Policy.self, from: data) } catch {
            throw DoppelError.badInput(path: path, line: nil, column: nil, message: "not a valid policy file: \(error)")
        }
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
