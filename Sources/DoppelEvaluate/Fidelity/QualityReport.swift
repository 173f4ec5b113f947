import DoppelData

/// A figure for one column or pair.
public struct ScoredItem: Codable, Sendable, Equatable {
    public var columns: [String]
    public var metric: String
    public var score: Double
}

/// The SDMetrics-style quality report: Column Shapes, Column Pair Trends and their mean.
///
/// - Column Shapes = mean over modelled columns of KSComplement (numeric, datetime) or TVComplement (categorical).
/// - Column Pair Trends = mean over column pairs of CorrelationSimilarity (both numeric/datetime) or
///   ContingencySimilarity (otherwise; numeric columns binned into 10 equal-width bins on the real range).
/// - Quality = (Column Shapes + Column Pair Trends) / 2.
/// Identifier and text columns are left out, as SDMetrics leaves out id columns.
public struct QualityReport: Codable, Sendable, Equatable {
    public var columnShapes: Double
    public var columnPairTrends: Double
    public var score: Double
    public var shapes: [ScoredItem]
    public var pairs: [ScoredItem]
    /// Per-column extras: missing-rate difference and range / category coverage.
    public var missingRateDifference: [String: Double]
    public var coverage: [String: Double]

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
        // Discretised codes for contingency tables.
        var codesReal: [Int: [Int32]] = [:], codesSyn: [Int: [Int32]] = [:]
        for j in modelled {
            switch (real.columns[j].values, synthetic.columns[j].values) {
            case (.numeric(let a), .numeric(let b)):
                let edges = PairTrendMetrics.binEdges(a)
                codesReal[j] = PairTrendMetrics.discretize(a, edges: edges); codesSyn[j] = PairTrendMetrics.discretize(b, edges: edges)
            case (.categorical(let a, _), .categorical(let b, _)):
                codesReal[j] = a; codesSyn[j] = b
            default: break
            }
        }
        var pairs: [ScoredItem] = []
        for (x, a) in modelled.enumerated() {
            for b in modelled[(x + 1)...] {
                let names = [specs[a].name, specs[b].name]
                if case .numeric(let ra) = real.columns[a].values, case .numeric(let rb) = real.columns[b].values,
                   case .numeric(let sa) = synthetic.columns[a].values, case .numeric(let sb) = synthetic.columns[b].values {
                    if let v = PairTrendMetrics.correlationSimilarity(realX: ra, realY: rb, synX: sa, synY: sb) {
                        pairs.append(ScoredItem(columns: names, metric: "CorrelationSimilarity", score: v))
                    }
                } else if let ra = codesReal[a], let rb = codesReal[b], let sa = codesSyn[a], let sb = codesSyn[b],
                          let v = PairTrendMetrics.contingencySimilarity(realA: ra, realB: rb, synA: sa, synB: sb) {
                    pairs.append(ScoredItem(columns: names, metric: "ContingencySimilarity", score: v))
                }
            }
        }
        let cs = shapes.isEmpty ? 0 : shapes.map(\.score).reduce(0, +) / Double(shapes.count)
        let pt = pairs.isEmpty ? cs : pairs.map(\.score).reduce(0, +) / Double(pairs.count)
        return QualityReport(columnShapes: cs, columnPairTrends: pt, score: (cs + pt) / 2, shapes: shapes, pairs: pairs,
                             missingRateDifference: missingDiff, coverage: coverage)
    }
}
