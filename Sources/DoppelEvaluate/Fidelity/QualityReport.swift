import DoppelData
import DoppelMath
import Foundation

/// A figure for one column or pair.
public struct ScoredItem: Codable, Sendable, Equatable {
    public var columns: [String]
    public var metric: String
    public var score: Double
}

/// The SDMetrics quality report (SDMetrics 0.32 `QualityReport`): Column Shapes, Column Pair Trends and their mean.
///
/// - Column Shapes = mean over modelled columns of KSComplement (numeric, datetime) or TVComplement (categorical).
/// - Column Pair Trends = mean over the column pairs that carry a real trend of
///   CorrelationSimilarity (both numeric/datetime; counted when the real |Pearson r| > 0.5) or
///   ContingencySimilarity (otherwise; counted when the real table's Cramér's V > 0.3). A numeric column
///   paired with a categorical one is binned into 10 equal-width bins over each table's own range
///   (`np.histogram_bin_edges` then `np.digitize`, so the maximum and missing values share the last code).
///   When no pair passes its threshold, the mean over all pairs is used (SDMetrics would report NaN).
/// - Quality = (Column Shapes + Column Pair Trends) / 2.
/// Identifier and text columns are left out, as SDMetrics leaves out id columns.
public struct QualityReport: Codable, Sendable, Equatable {
    public var columnShapes: Double
    public var columnPairTrends: Double
    /// Column Pair Trends averaged over every pair, with no threshold (SDMetrics before 0.32).
    public var columnPairTrendsAllPairs: Double
    public var score: Double
    public var shapes: [ScoredItem]
    /// Every pair's score; `contributes` marks the pairs that pass the real-trend threshold.
    public var pairs: [PairItem]
    /// Per-column extras: missing-rate difference and range / category coverage.
    public var missingRateDifference: [String: Double]
    public var coverage: [String: Double]

    public struct PairItem: Codable, Sendable, Equatable {
        public var columns: [String]
        public var metric: String
        public var score: Double
        /// Real |Pearson r| for correlation pairs, real Cramér's V for contingency pairs.
        public var realTrend: Double
        public var contributes: Bool
    }

    public static let correlationThreshold = 0.5
    public static let associationThreshold = 0.3

    public static func compute(real: Table, synthetic: Table) -> QualityReport {
        let specs = real.schema.columns
        let modelled = specs.indices.filter { specs[$0].isModelled }
        var shapes: [ScoredItem] = []
        var missingDiff: [String: Double] = [:], coverage: [String: Double] = [:]
        for j in modelled {
            let r = real.columns[j].values, s = synthetic.columns[j].values
            missingDiff[specs[j].name] = ColumnShapeMetrics.missingRateDifference(real: r, synthetic: s)
            switch (r, s) {
            case (.numeric(let a), .numeric(let b)):
                if let v = ColumnShapeMetrics.ksComplement(real: a, synthetic: b) { shapes.append(ScoredItem(columns: [specs[j].name], metric: "KSComplement", score: v)) }
                coverage[specs[j].name] = ColumnShapeMetrics.rangeCoverage(real: a, synthetic: b)
            case (.categorical(let a, let levels), .categorical(let b, _)):
                if let v = ColumnShapeMetrics.tvComplement(real: a, synthetic: b, levels: levels.count) { shapes.append(ScoredItem(columns: [specs[j].name], metric: "TVComplement", score: v)) }
                coverage[specs[j].name] = ColumnShapeMetrics.categoryCoverage(real: a, synthetic: b)
            default: break
            }
        }
        // Binned codes of numeric columns, each table on its own range.
        var binnedReal: [Int: [Int32]] = [:], binnedSyn: [Int: [Int32]] = [:]
        for j in modelled {
            if case .numeric(let a) = real.columns[j].values, case .numeric(let b) = synthetic.columns[j].values {
                binnedReal[j] = PairTrendMetrics.digitize(a, edges: PairTrendMetrics.binEdges(a))
                binnedSyn[j] = PairTrendMetrics.digitize(b, edges: PairTrendMetrics.binEdges(b))
            }
        }
        func codes(_ t: Table, _ j: Int, _ binned: [Int: [Int32]]) -> [Int32]? {
            if case .categorical(let c, _) = t.columns[j].values { return c }
            return binned[j]
        }
        func pair(_ a: Int, _ b: Int) -> PairItem? {
            let names = [specs[a].name, specs[b].name]
            if case .numeric(let ra) = real.columns[a].values, case .numeric(let rb) = real.columns[b].values,
               case .numeric(let sa) = synthetic.columns[a].values, case .numeric(let sb) = synthetic.columns[b].values {
                guard let rr = PairTrendMetrics.pearson(ra, rb), let rs = PairTrendMetrics.pearson(sa, sb) else { return nil }
                let v = PairTrendMetrics.correlationSimilarity(real: rr, synthetic: rs)
                return PairItem(columns: names, metric: "CorrelationSimilarity", score: v, realTrend: abs(rr), contributes: abs(rr) > correlationThreshold)
            }
            guard let ra = codes(real, a, binnedReal), let rb = codes(real, b, binnedReal),
                  let sa = codes(synthetic, a, binnedSyn), let sb = codes(synthetic, b, binnedSyn),
                  let v = PairTrendMetrics.contingencySimilarity(realA: ra, realB: rb, synA: sa, synB: sb) else { return nil }
            let cv = PairTrendMetrics.cramersV(ra, rb)
            return PairItem(columns: names, metric: "ContingencySimilarity", score: v, realTrend: cv ?? .nan,
                            contributes: (cv ?? 0) > associationThreshold)
        }
        // Pairs are independent: score them on all cores, in chunks, keeping their order.
        let jobs = modelled.enumerated().flatMap { x, a in modelled[(x + 1)...].map { (a, $0) } }
        let chunks = min(jobs.count, 8 * ProcessInfo.processInfo.activeProcessorCount)
        let pairs: [PairItem] = ((try? parallelMap(chunks) { c in
            jobs[(jobs.count * c / chunks)..<(jobs.count * (c + 1) / chunks)].compactMap { pair($0.0, $0.1) }
        }) ?? []).flatMap { $0 }
        let cs = shapes.isEmpty ? 0 : shapes.map(\.score).reduce(0, +) / Double(shapes.count)
        let all = pairs.isEmpty ? cs : pairs.map(\.score).reduce(0, +) / Double(pairs.count)
        let counted = pairs.filter(\.contributes)
        let pt = counted.isEmpty ? all : counted.map(\.score).reduce(0, +) / Double(counted.count)
        return QualityReport(columnShapes: cs, columnPairTrends: pt, columnPairTrendsAllPairs: all, score: (cs + pt) / 2,
                             shapes: shapes, pairs: pairs, missingRateDifference: missingDiff, coverage: coverage)
    }
}
