import DoppelData
import DoppelLearn
import DoppelMath
import Foundation

/// A privacy risk with its 95% interval, in the form of Anonymeter (Giomi et al., PoPETs 2023).
///
/// The attack runs on `n` targets drawn from the training rows (success rate a) and, as the control, on
/// `n` holdout rows the generator never saw (rate c). Each rate is the Wilson-centred estimate
/// r = (k + z²/2)/(n + z²) with error e = z/(n + z²)·√(k(n − k)/n + z²/4). The risk is the excess of
/// the attack over the control, normalised: R = (a − c)/(1 − c), with error propagated as
/// √((e_a/(1 − c))² + (e_c(1 − a)/(1 − c)²)²), clipped to [0, 1].
public struct Risk: Codable, Sendable, Equatable {
    public var name: String
    public var attackRate: Double
    public var controlRate: Double
    public var attacks: Int
    public var risk: Proportion

    public init(name: String, attackSuccesses: Int, controlSuccesses: Int, attacks: Int, controlAttacks: Int? = nil) {
        let z = 1.959963984540054
        func rate(_ k: Int, _ n: Int) -> (Double, Double) {
            let nn = Double(n), kk = Double(k)
            let r = (kk + z * z / 2) / (nn + z * z)
            let e = z / (nn + z * z) * (kk * (nn - kk) / nn + z * z / 4).squareRoot()
            return (r, e)
        }
        let (a, ea) = rate(attackSuccesses, attacks)
        let (c, ec) = rate(controlSuccesses, controlAttacks ?? attacks)
        let r = (a - c) / (1 - c)
        let e = ((ea / (1 - c)) * (ea / (1 - c)) + (ec * (1 - a) / ((1 - c) * (1 - c))) * (ec * (1 - a) / ((1 - c) * (1 - c)))).squareRoot()
        self.name = name
        attackRate = a; controlRate = c; self.attacks = attacks
        risk = Proportion(successes: 0, n: 1)
        risk.value = min(1, max(0, r)); risk.lower = min(1, max(0, r - e)); risk.upper = min(1, max(0, r + e)); risk.n = attacks
    }
}

/// Anonymeter-style singling-out, linkability and attribute-inference risks.
public struct RiskReport: Codable, Sendable, Equatable {
    public var singlingOut: Risk?
    public var linkability: Risk?
    public var inference: [Risk]
    public var all: [Risk] { [singlingOut, linkability].compactMap { $0 } + inference }
    /// The most attacks each evaluator was allowed (nil in reports from before it was recorded: 500).
    public var attackCap: Int?

    /// Attacks per evaluator by default (Anonymeter's default; fewer when the tables are smaller).
    public static let maxAttacks = 500

    /// `attacks`: the most attacks per evaluator (`doppel evaluate --attacks`). The intervals narrow as
    /// 1/√attacks; an easily guessed secret (a control success rate near 1) needs many attacks before
    /// the upper bound of its risk can fall below a policy's limit.
    public static func compute(train: Table, holdout: Table, synthetic: Table, quasiIdentifiers: [String], sensitive: [String], seed: UInt64,
                               attacks cap: Int = maxAttacks) -> RiskReport {
        var rng = SeededGenerator(seed: seed, stream: 0xA770)
        let n = min(cap, train.rowCount, holdout.rowCount)
        func sample(_ count: Int, _ k: Int) -> [Int] {
            var idx = Array(0..<count)
            rng.shuffle(&idx)
            return Array(idx.prefix(k)).sorted()
        }
        let targets = train.rows(sample(train.rowCount, n)), controls = holdout.rows(sample(holdout.rowCount, n))
        let modelled = train.schema.columns.indices.filter { train.schema.columns[$0].isModelled }

        // Attribute inference: nearest synthetic row on all other columns guesses the secret.
        var inference: [Risk] = []
        for name in sensitive {
            guard let s = train.schema.index(of: name), train.schema.columns[s].isModelled else { continue }
            let aux = modelled.filter { $0 != s }
            guard !aux.isEmpty else { continue }
            let enc = FeatureEncoder(reference: train, columns: aux, mode: .gower)
            let index = NearestNeighbors(enc.transform(synthetic), rows: synthetic.rowCount, dimension: enc.width, metric: .gower)
            func successes(_ t: Table) -> Int {
                let nn = index.query(enc.transform(t), rows: t.rowCount).index
                var k = 0
                for i in 0..<t.rowCount {
                    switch (t.columns[s].values, synthetic.columns[s].values) {
                    case (.categorical(let a, _), .categorical(let b, _)): if a[i] == b[nn[i]] { k += 1 }
                    case (.numeric(let a), .numeric(let b)):
                        if a[i].isNaN ? b[nn[i]].isNaN : abs(a[i] - b[nn[i]]) <= 0.05 * abs(a[i]) { k += 1 }
                    default: break
                    }
                }
                return k
            }
            inference.append(Risk(name: "attribute inference (\(name))", attackSuccesses: successes(targets), controlSuccesses: successes(controls), attacks: n))
        }

        // Linkability: the quasi-identifiers split into two halves; success when the nearest synthetic
        // row on each half is the same row.
        var linkability: Risk? = nil
        let qi = quasiIdentifiers.compactMap { train.schema.index(of: $0) }.filter { train.schema.columns[$0].isModelled }
        if qi.count >= 2 {
            let a = Array(qi[..<(qi.count / 2)]), b = Array(qi[(qi.count / 2)...])
            let ea = FeatureEncoder(reference: train, columns: a, mode: .gower), eb = FeatureEncoder(reference: train, columns: b, mode: .gower)
            let ia = NearestNeighbors(ea.transform(synthetic), rows: synthetic.rowCount, dimension: ea.width, metric: .gower)
            let ib = NearestNeighbors(eb.transform(synthetic), rows: synthetic.rowCount, dimension: eb.width, metric: .gower)
            func successes(_ t: Table) -> Int {
                let na = ia.query(ea.transform(t), rows: t.rowCount).index, nb = ib.query(eb.transform(t), rows: t.rowCount).index
                return zip(na, nb).filter { $0 == $1 }.count
            }
            linkability = Risk(name: "linkability", attackSuccesses: successes(targets), controlSuccesses: successes(controls), attacks: n)
        }

        // Univariate singling-out, as Anonymeter generates it: from the synthetic table, one query per
        // column value seen once (`col == v`), the extremes (`col <= min`, `col >= max`) and "missing"
        // when exactly one value is missing; shuffled, and kept only when the query isolates exactly one
        // synthetic row. Success when it isolates exactly one row of a training subsample of the
        // holdout's size (Anonymeter instead corrects the control count for the size difference);
        // control when it isolates exactly one holdout row.
        var singling: Risk? = nil
        var predicates: [SinglingOutQuery] = []
        for j in modelled {
            switch synthetic.columns[j].values {
            case .categorical(let c, _):
                var counts: [Int32: Int] = [:]
                for x in c { counts[x, default: 0] += 1 }
                if counts[-1] == 1 { predicates.append(SinglingOutQuery(column: j, test: .missing)) }
                for (v, k) in counts.sorted(by: { $0.key < $1.key }) where k == 1 && v >= 0 { predicates.append(SinglingOutQuery(column: j, test: .code(v))) }
            case .numeric(let v):
                let present = v.filter { !$0.isNaN }
                if v.count - present.count == 1 { predicates.append(SinglingOutQuery(column: j, test: .missing)) }
                guard let lo = present.min(), let hi = present.max() else { continue }
                predicates.append(SinglingOutQuery(column: j, test: .atMost(lo))); predicates.append(SinglingOutQuery(column: j, test: .atLeast(hi)))
                var counts: [Double: Int] = [:]
                for x in present { counts[x, default: 0] += 1 }
                for (x, k) in counts.sorted(by: { $0.key < $1.key }) where k == 1 { predicates.append(SinglingOutQuery(column: j, test: .value(x))) }
            case .text: continue
            }
        }
        rng.shuffle(&predicates)
        var used: [SinglingOutQuery] = []
        var seen = Set<SinglingOutQuery>()
        for q in predicates where used.count < cap && q.isolates(synthetic) && seen.insert(q).inserted { used.append(q) }
        if !used.isEmpty {
            let sized = train.rows(sample(train.rowCount, min(train.rowCount, holdout.rowCount)))
            let main = used.filter { $0.isolates(sized) }.count
            let control = used.filter { $0.isolates(holdout) }.count
            singling = Risk(name: "singling out", attackSuccesses: main, controlSuccesses: control, attacks: used.count)
        }
        return RiskReport(singlingOut: singling, linkability: linkability, inference: inference, attackCap: cap)
    }
}

/// One univariate singling-out query on a column.
struct SinglingOutQuery: Hashable {
    enum Test: Hashable { case value(Double), atMost(Double), atLeast(Double), code(Int32), missing }
    var column: Int
    var test: Test

    /// True when exactly one row of `t` satisfies the query.
    func isolates(_ t: Table) -> Bool {
        var matches = 0
        switch t.columns[column].values {
        case .numeric(let v):
            for x in v {
                let hit: Bool
                switch test {
                case .value(let a): hit = x == a
                case .atMost(let a): hit = x <= a
                case .atLeast(let a): hit = x >= a
                case .missing: hit = x.isNaN
                case .code: hit = false
                }
                if hit { matches += 1; if matches > 1 { return false } }
            }
        case .categorical(let c, _):
            for x in c {
                let hit: Bool
                switch test {
                case .code(let a): hit = x == a
                case .missing: hit = x < 0
                default: hit = false
                }
                if hit { matches += 1; if matches > 1 { return false } }
            }
        case .text: return false
        }
        return matches == 1
    }
}
