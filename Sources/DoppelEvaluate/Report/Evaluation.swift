import DoppelData
import DoppelLearn
import DoppelMath
import DoppelSynth
import Foundation

/// Fairness figures for one sensitive column.
public struct FairnessReport: Codable, Sendable, Equatable {
    public struct Group: Codable, Sendable, Equatable {
        public var value: String
        public var realShare: Double
        public var syntheticShare: Double
        public var holdoutRows: Int
        public var trtrAUC: Double?
        public var tstrAUC: Double?
        public var trtrAccuracy: Double?
        public var tstrAccuracy: Double?
        public var dcrShare: Proportion?
    }
    public var column: String
    public var groups: [Group]
}

/// Everything `doppel evaluate` measured, as written to report.json.
public struct EvaluationReport: Codable, Sendable {
    public struct Input: Codable, Sendable {
        public var role: String; public var path: String; public var sha256: String; public var rows: Int
        public init(role: String, path: String, sha256: String, rows: Int) { self.role = role; self.path = path; self.sha256 = sha256; self.rows = rows }
    }
    public var doppelVersion: String
    public var createdAt: String
    public var seed: UInt64
    public var inputs: [Input]
    public var target: String?
    public var sensitive: [String]
    public var quasiIdentifiers: [String]
    public var quality: QualityReport
    public var detection: DetectionReport
    public var utility: UtilityReport?
    public var privacy: DistancePrivacy
    public var risks: RiskReport?
    public var kAnonymity: KAnonymity?
    public var fairness: [FairnessReport]
    public var policy: Policy
    public var gate: GateResult
    public var model: ModelFileSummary?
    /// Seconds per step, each its own elapsed time: fidelity, detection, utility, privacy distances and
    /// re-identification risks run side by side, so their times overlap.
    public var timings: [String: Double]

    /// Set when the model's provenance names another training file than the `train` input (a different
    /// SHA-256): the privacy results then compare the synthetic rows with rows the model may not have
    /// seen, and the holdout may hold rows it was fitted on. Absent when they match or no model is given.
    public var provenanceMismatch: String?

    /// The gate's checks this evaluation could not run, and what would run them: a PASSED verdict covers
    /// only the rules that were measured.
    public var notMeasured: [String] {
        var out: [String] = []
        let names = Set(risks?.all.map(\.name) ?? [])
        if !names.contains("linkability") { out.append("linkability (give --quasi-identifiers)") }
        if !names.contains(where: { $0.hasPrefix("attribute inference") }) { out.append("attribute inference (give --sensitive and --quasi-identifiers)") }
        if kAnonymity == nil { out.append("k-anonymity (give --quasi-identifiers)") }
        if policy.minQuality == nil { out.append("a quality floor (set minQuality in a --policy file)") }
        return out
    }

    static func provenanceMismatch(model: ModelFileSummary?, inputs: [Input]) -> String? {
        guard let m = model, let train = inputs.first(where: { $0.role == "train" }), m.provenance.trainingSHA256 != train.sha256 else { return nil }
        return "the model was fitted on another file (\(m.provenance.trainingRows) rows, SHA-256 \(m.provenance.trainingSHA256.prefix(12))…) "
            + "than the train input (\(train.rows) rows, SHA-256 \(train.sha256.prefix(12))…): the privacy results do not describe the rows "
            + "the model saw, and the holdout may contain some of them. Evaluate with the file the model was fitted on."
    }
}

/// What the report says about the model that made the synthetic data (when `--model` is given).
public struct ModelFileSummary: Codable, Sendable {
    public var synthesizer: String
    public var provenance: Provenance
    public var privacy: PrivacySpent
    public init(synthesizer: String, provenance: Provenance, privacy: PrivacySpent) { self.synthesizer = synthesizer; self.provenance = provenance; self.privacy = privacy }
}

/// Runs every evaluation step on train / holdout / synthetic tables that share one schema.
public enum Evaluation {
    public struct Inputs {
        public var train: Table, holdout: Table, synthetic: Table
        public var target: String?
        public var sensitive: [String]
        public var quasiIdentifiers: [String]
        public var policy: Policy
        public var seed: UInt64
        public var files: [EvaluationReport.Input]
        public var model: ModelFileSummary?
        /// The most attacks per risk evaluator (``RiskReport/maxAttacks`` by default).
        public var attacks = RiskReport.maxAttacks
        public init(train: Table, holdout: Table, synthetic: Table, target: String?, sensitive: [String], quasiIdentifiers: [String],
                    policy: Policy = Policy(), seed: UInt64 = 1, files: [EvaluationReport.Input] = [], model: ModelFileSummary? = nil) {
            self.train = train; self.holdout = holdout; self.synthetic = synthetic; self.target = target
            self.sensitive = sensitive; self.quasiIdentifiers = quasiIdentifiers; self.policy = policy; self.seed = seed
            self.files = files; self.model = model
        }
    }

    public static func run(_ inp: Inputs, progress: ((String) -> Void)? = nil) throws -> EvaluationReport {
        let schema = inp.train.schema
        guard inp.holdout.rowCount > 0 else { throw DoppelError.usage(message: "the holdout table is empty") }
        guard inp.synthetic.rowCount > 0 else { throw DoppelError.usage(message: "the synthetic table is empty") }
        for name in ([inp.target].compactMap { $0 } + inp.sensitive + inp.quasiIdentifiers) where schema.index(of: name) == nil {
            throw DoppelError.usage(message: "no column '\(name)' in the tables (columns: \(schema.columns.map(\.name).joined(separator: ", ")))")
        }
        // The five measurements are independent: they run side by side (each also splits its own work
        // across cores), so no core idles while one step finishes alone. Every step is seeded, so the
        // figures do not depend on the scheduling; a step's timing is its own elapsed time.
        var timings: [String: Double] = [:]
        let lock = NSLock()
        func timed<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
            lock.lock(); progress?(name); lock.unlock()
            let t0 = Date()
            let r = try body()
            lock.lock(); timings[name] = Date().timeIntervalSince(t0); lock.unlock()
            return r
        }
        enum Part {
            case privacy(DistancePrivacy, [Double]), utility(UtilityReport?), detection(DetectionReport), quality(QualityReport), risks(RiskReport)
        }
        var quality: QualityReport?, detection: DetectionReport?, utility: UtilityReport?, privacy: DistancePrivacy?, closer: [Double] = []
        var risks: RiskReport?
        for part in try parallelMap(5, { k -> Part in
            switch k {   // longest first
            case 0:
                let (p, c) = timed("privacy distances") { DistancePrivacy.computeWithRows(train: inp.train, holdout: inp.holdout, synthetic: inp.synthetic, seed: inp.seed) }
                return .privacy(p, c)
            case 1:
                return .utility(try timed("utility") { try inp.target.map { try UtilityReport.compute(train: inp.train, holdout: inp.holdout, synthetic: inp.synthetic, target: $0) } })
            case 2: return .detection(timed("detection") { DetectionReport.compute(real: inp.train, synthetic: inp.synthetic, seed: inp.seed) })
            case 3: return .quality(timed("fidelity") { QualityReport.compute(real: inp.train, synthetic: inp.synthetic) })
            default:
                return .risks(timed("re-identification risks") {
                    RiskReport.compute(train: inp.train, holdout: inp.holdout, synthetic: inp.synthetic,
                                       quasiIdentifiers: inp.quasiIdentifiers, sensitive: inp.sensitive, seed: inp.seed,
                                       attacks: inp.attacks)
                })
            }
        }) {
            switch part {
            case .privacy(let p, let c): privacy = p; closer = c
            case .utility(let u): utility = u
            case .detection(let d): detection = d
            case .quality(let q): quality = q
            case .risks(let r): risks = r
            }
        }
        guard let quality, let detection, let privacy, let risks else { fatalError("every evaluation step returns") }
        let kAnon = KAnonymity.compute(inp.synthetic, quasiIdentifiers: inp.quasiIdentifiers)
        let fairness = timed("fairness") {
            inp.sensitive.map { fairnessReport(column: $0, inp: inp, closer: closer, utility: utility) }
        }
        let mismatch = EvaluationReport.provenanceMismatch(model: inp.model, inputs: inp.files)
        let gate = Gate.evaluate(policy: inp.policy, quality: quality, privacy: privacy, risks: risks, kAnonymity: kAnon, provenanceMismatch: mismatch)
        return EvaluationReport(
            doppelVersion: DoppelVersion.current, createdAt: ISO8601DateFormatter().string(from: Date()), seed: inp.seed,
            inputs: inp.files, target: inp.target, sensitive: inp.sensitive, quasiIdentifiers: inp.quasiIdentifiers,
            quality: quality, detection: detection, utility: utility, privacy: privacy, risks: risks, kAnonymity: kAnon,
            fairness: fairness, policy: inp.policy, gate: gate, model: inp.model, timings: timings,
            provenanceMismatch: mismatch)
    }

    static func fairnessReport(column: String, inp: Inputs, closer: [Double], utility: UtilityReport?) -> FairnessReport {
        let j = inp.train.schema.index(of: column)!
        guard case .categorical(let ct, let levels) = inp.train.columns[j].values,
              case .categorical(let cs, _) = inp.synthetic.columns[j].values,
              case .categorical(let ch, _) = inp.holdout.columns[j].values else {
            return FairnessReport(column: column, groups: [])
        }
        // Per-group utility on the holdout: the utility step's first-learner predictions.
        var trtrP: [Double] = [], tstrP: [Double] = [], yh: [Int] = [], holdRows: [Int] = [], classes = 0
        if let p = utility?.holdoutPredictions, !p.trtr.isEmpty, !p.tstr.isEmpty {
            trtrP = p.trtr; tstrP = p.tstr; yh = p.labels; holdRows = p.rows; classes = p.classes
        }
        var groups: [FairnessReport.Group] = []
        for (k, value) in levels.enumerated() {
            let code = Int32(k)
            let rs = Double(ct.filter { $0 == code }.count) / Double(max(ct.count, 1))
            let ss = Double(cs.filter { $0 == code }.count) / Double(max(cs.count, 1))
            var g = FairnessReport.Group(value: value, realShare: rs, syntheticShare: ss, holdoutRows: ch.filter { $0 == code }.count)
            if classes > 0 {
                let sel = holdRows.indices.filter { ch[holdRows[$0]] == code }
                if !sel.isEmpty {
                    func sub(_ p: [Double]) -> [Double] { sel.flatMap { i in (0..<classes).map { p[i * classes + $0] } } }
                    let y = sel.map { yh[$0] }
                    g.trtrAUC = Supervised.multiclassAUC(sub(trtrP), y, classes: classes)
                    g.tstrAUC = Supervised.multiclassAUC(sub(tstrP), y, classes: classes)
                    g.trtrAccuracy = Supervised.accuracy(sub(trtrP), y, classes: classes)
                    g.tstrAccuracy = Supervised.accuracy(sub(tstrP), y, classes: classes)
                }
            }
            let synRows = cs.indices.filter { cs[$0] == code }
            if !synRows.isEmpty { g.dcrShare = Proportion(successes: synRows.reduce(0) { $0 + closer[$1] }, n: synRows.count) }
            groups.append(g)
        }
        return FairnessReport(column: column, groups: groups)
    }
}

/// Applies a ``Policy`` to the measured figures.
public enum Gate {
    /// `provenanceMismatch` (the model was fitted on another file than the train input) fails the gate:
    /// the privacy figures then do not describe the rows the model saw.
    public static func evaluate(policy p: Policy, quality: QualityReport, privacy: DistancePrivacy, risks: RiskReport?, kAnonymity: KAnonymity?,
                                provenanceMismatch: String? = nil) -> GateResult {
        var rules: [GateRule] = []
        if provenanceMismatch != nil {
            rules.append(GateRule(rule: "provenance", passed: false, value: 1, threshold: 0,
                                  explanation: "the model (--model) was fitted on another file than --train, so the privacy figures do not describe the rows it saw; evaluate with the file it was fitted on"))
        }
        rules.append(GateRule(rule: "exact copies", passed: privacy.exactCopies <= p.maxExactCopies, value: Double(privacy.exactCopies),
                              threshold: Double(p.maxExactCopies),
                              explanation: "\(counted(privacy.exactCopies, "synthetic row")) \(privacy.exactCopies == 1 ? "is" : "are") identical to a training row (allowed: \(p.maxExactCopies))"))
        rules.append(GateRule(rule: "DCR share", passed: privacy.dcrShare.upper <= p.maxDcrShareUpper, estimate: privacy.dcrShare.value, value: privacy.dcrShare.upper,
                              threshold: p.maxDcrShareUpper,
                              explanation: String(format: "%.1f%% of synthetic rows are closer to training rows than to holdout rows (95%% upper bound %.3f, allowed %.3f; 0.5 is ideal)",
                                                  privacy.dcrShare.value * 100, privacy.dcrShare.upper, p.maxDcrShareUpper)))
        rules.append(GateRule(rule: "membership inference", passed: privacy.membershipInferenceAUC <= p.maxMembershipAUC,
                              value: privacy.membershipInferenceAUC, threshold: p.maxMembershipAUC,
                              explanation: String(format: "a distance attack tells training rows from holdout rows with ROC AUC %.3f (allowed %.3f; 0.5 = no signal)",
                                                  privacy.membershipInferenceAUC, p.maxMembershipAUC)))
        rules.append(GateRule(rule: "density-ratio membership inference", passed: privacy.densityRatioMIA_AUC <= p.maxMembershipAUC,
                              value: privacy.densityRatioMIA_AUC, threshold: p.maxMembershipAUC,
                              explanation: String(format: "a density-ratio (DOMIAS-style) attack tells training rows from holdout rows with ROC AUC %.3f (allowed %.3f; 0.5 = no signal)",
                                                  privacy.densityRatioMIA_AUC, p.maxMembershipAUC)))
        if let risks {
            let cap = risks.attackCap ?? RiskReport.maxAttacks
            for r in risks.all {
                let thin = r.risk.upper > p.maxRiskUpper && r.risk.value <= p.maxRiskUpper
                rules.append(GateRule(rule: r.name, passed: r.risk.upper <= p.maxRiskUpper, estimate: r.risk.value, value: r.risk.upper, threshold: p.maxRiskUpper,
                                      explanation: String(format: "risk %.3f (95%% CI %.3f–%.3f; allowed upper bound %.3f)", r.risk.value, r.risk.lower, r.risk.upper, p.maxRiskUpper)
                                        + (thin ? " — inconclusive: no clear risk measured, but \(r.attacks) attacks cannot rule out up to \(String(format: "%.1f%%", r.risk.upper * 100))" + (r.attacks < cap ? "; more holdout rows would narrow it" : "; more attacks (--attacks, now \(cap)) would narrow it") : "")))
            }
        }
        if let k = kAnonymity {
            rules.append(GateRule(rule: "k-anonymity", passed: k.k >= p.minK, value: Double(k.k), threshold: Double(p.minK),
                                  explanation: "the rarest combination of \(k.columns.joined(separator: ", ")) occurs \(k.k == 1 ? "once" : "\(k.k) times") in the synthetic table (required ≥ \(p.minK)); \(String(format: "%.1f%%", k.shareBelow5 * 100)) of synthetic rows are in groups smaller than 5 — generalise a quasi-identifier (e.g. age bands) if this matters"))
        }
        if let q = p.minQuality {
            rules.append(GateRule(rule: "quality", passed: quality.score >= q, value: quality.score, threshold: q,
                                  explanation: String(format: "quality score %.3f (required ≥ %.3f)", quality.score, q)))
        }
        return GateResult(passed: rules.allSatisfy(\.passed), rules: rules)
    }
}
